"""Header grammar of RFC 3261: names, parameters, URIs, Via and name-addr.

Functions here take header values as text and return small value objects;
they raise `SipSyntaxError` on input they cannot read.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field


class SipSyntaxError(ValueError):
    """A message or header value does not follow the SIP grammar."""


# RFC 3261 §7.3.3: compact forms of header names.
COMPACT_FORMS = {
    "i": "Call-ID",
    "m": "Contact",
    "e": "Content-Encoding",
    "l": "Content-Length",
    "c": "Content-Type",
    "f": "From",
    "s": "Subject",
    "k": "Supported",
    "t": "To",
    "v": "Via",
    "o": "Event",
    "r": "Refer-To",
    "u": "Allow-Events",
}

# Names whose usual spelling is not plain title case.
_SPECIAL_SPELLINGS = {
    "call-id": "Call-ID",
    "cseq": "CSeq",
    "www-authenticate": "WWW-Authenticate",
    "mime-version": "MIME-Version",
}

# RFC 3261 §25.1: token characters.
_TOKEN = re.compile(r"^[A-Za-z0-9\-.!%*_+`'~]+$")


@functools.lru_cache(maxsize=1024)
def canonical_name(name: str) -> str:
    """Header names are case-insensitive (RFC 3261 §7.3.1); spell one way."""
    lowered = name.strip().lower()
    if not lowered or not _TOKEN.match(lowered):
        raise SipSyntaxError("bad header name")
    if lowered in COMPACT_FORMS:
        return COMPACT_FORMS[lowered]
    if lowered in _SPECIAL_SPELLINGS:
        return _SPECIAL_SPELLINGS[lowered]
    return "-".join(part.capitalize() for part in lowered.split("-"))


def is_token(text: str) -> bool:
    return bool(_TOKEN.match(text))


def split_top_level(text: str, separator: str) -> list[str]:
    """Split on `separator` outside quoted strings and angle brackets."""
    if separator not in text:
        return [text]
    if "<" not in text and "\\" not in text:
        # Then every quote opens or closes a quoted string, and those are
        # the odd pieces between quotes; without separators in them, a
        # plain split is the same.
        quoted = text.split('"')[1::2]
        if not any(separator in piece for piece in quoted):
            return text.split(separator)
    parts: list[str] = []
    start = 0
    for match in _top_level_pattern(separator).finditer(text):
        if match.start(1) >= 0:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


@functools.lru_cache(maxsize=8)
def _top_level_pattern(separator: str) -> re.Pattern[str]:
    # A quoted string (backslash escapes; may run to the end), an angle
    # bracket section (quotes inside do not count), or the separator.
    return re.compile(
        r'"(?:[^"\\]|\\.)*"?|<[^>]*>?|(' + re.escape(separator) + ")", re.DOTALL
    )


_ESCAPED = re.compile(r"\\(.)")


def unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        return _ESCAPED.sub(r"\1", inner) if "\\" in inner else inner
    return value


def parse_params(text: str) -> dict[str, str | None]:
    """`;name=value;flag` into a dict with lower-case names (RFC 3261 §7.3.1)."""
    params: dict[str, str | None] = {}
    for part in split_top_level(text, ";"):
        part = part.strip()
        if not part:
            continue
        name, has_value, value = part.partition("=")
        name = name.strip().lower()
        if not name:
            raise SipSyntaxError("empty parameter name")
        params[name] = unquote(value) if has_value else None
    return params


def format_params(params: dict[str, str | None]) -> str:
    return "".join(
        f";{name}" if value is None else f";{name}={value}"
        for name, value in params.items()
    )


@dataclass(frozen=True)
class SipUri:
    """sip: or sips: URI (RFC 3261 §19.1.1); only what a registrar needs."""

    scheme: str
    user: str | None
    host: str
    port: int | None = None
    params: dict[str, str | None] = field(default_factory=dict)

    def __str__(self) -> str:
        user = f"{self.user}@" if self.user is not None else ""
        port = f":{self.port}" if self.port is not None else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}:{user}{host}{port}{format_params(self.params)}"


def parse_host_port(text: str) -> tuple[str, int | None]:
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port_text = text.partition(":")
    if not host:
        raise SipSyntaxError("empty host")
    if not port_text:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SipSyntaxError("bad port")
    return host, int(port_text)


def parse_uri(text: str) -> SipUri:
    text = text.strip()
    scheme, colon, rest = text.partition(":")
    scheme = scheme.lower()
    if not colon or scheme not in ("sip", "sips"):
        raise SipSyntaxError("not a sip URI")
    rest = rest.split("?", 1)[0]
    address, _, param_text = rest.partition(";")
    user, at, host_port = address.rpartition("@")
    host, port = parse_host_port(host_port)
    return SipUri(scheme, user if at else None, host, port, parse_params(param_text))


@dataclass(frozen=True)
class NameAddr:
    """From, To and Contact values (RFC 3261 §20.10, §20.20, §20.39)."""

    uri: SipUri
    display_name: str | None = None
    params: dict[str, str | None] = field(default_factory=dict)

    @property
    def tag(self) -> str | None:
        return self.params.get("tag")

    def __str__(self) -> str:
        display = f'"{self.display_name}" ' if self.display_name else ""
        return f"{display}<{self.uri}>{format_params(self.params)}"


@functools.lru_cache(maxsize=8192)
def parse_name_addr(text: str) -> NameAddr:
    """A To, From or Contact value. Devices send the same ones again and
    again, so results are kept and shared: never change their `params`."""
    text = text.strip()
    if "<" in text:
        display, _, rest = text.partition("<")
        uri_text, closing, param_text = rest.partition(">")
        if not closing:
            raise SipSyntaxError("unclosed angle bracket")
        display_name = unquote(display) or None
    else:
        # RFC 3261 §20.10: without brackets, parameters belong to the header.
        uri_text, _, param_text = text.partition(";")
        display_name = None
    return NameAddr(parse_uri(uri_text), display_name, parse_params(param_text))


@dataclass(frozen=True)
class Via:
    """One Via hop (RFC 3261 §20.42)."""

    transport: str
    host: str
    port: int | None
    params: dict[str, str | None] = field(default_factory=dict)

    @property
    def branch(self) -> str | None:
        return self.params.get("branch")

    @property
    def sent_by(self) -> str:
        return f"{self.host}:{self.port or 5060}"

    def with_params(self, **params: str | None) -> Via:
        params = {**self.params, **params}
        return Via(self.transport, self.host, self.port, params)

    def __str__(self) -> str:
        port = f":{self.port}" if self.port is not None else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        params = format_params(self.params)
        return f"SIP/2.0/{self.transport} {host}{port}{params}"


def parse_via(text: str) -> Via:
    protocol, _, rest = text.strip().partition(" ")
    parts = [part.strip() for part in protocol.split("/")]
    if len(parts) != 3 or parts[0].upper() != "SIP":
        raise SipSyntaxError("bad Via protocol")
    sent_by, _, param_text = rest.strip().partition(";")
    host, port = parse_host_port(sent_by)
    return Via(parts[2].upper(), host, port, parse_params(param_text))


def parse_cseq(text: str) -> tuple[int, str]:
    number, _, method = text.strip().partition(" ")
    method = method.strip()
    if not number.isdigit() or len(number) > 10 or not is_token(method):
        raise SipSyntaxError("bad CSeq")
    return int(number), method.upper()
