"""SIP requests and responses as immutable values."""

from __future__ import annotations

from dataclasses import dataclass

from .grammar import (
    NameAddr,
    SipSyntaxError,
    Via,
    canonical_name,
    parse_cseq,
    parse_name_addr,
    parse_via,
    split_top_level,
)

Header = tuple[str, str]

# RFC 3261 §8.1.1: headers every request must carry.
REQUIRED_HEADERS = ("Via", "From", "To", "Call-ID", "CSeq")

REASON_PHRASES = {
    100: "Trying",
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    415: "Unsupported Media Type",
    481: "Call/Transaction Does Not Exist",
    500: "Server Internal Error",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class _Message:
    headers: tuple[Header, ...] = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The first value of a header, by any spelling of its name."""
        wanted = canonical_name(name)
        for key, value in self.headers:
            if key == wanted:
                return value
        return None

    def header_values(self, name: str) -> list[str]:
        """All values, also those joined by commas on one line (RFC 3261 §7.3.1)."""
        wanted = canonical_name(name)
        values: list[str] = []
        for key, value in self.headers:
            if key == wanted:
                values.extend(part.strip() for part in split_top_level(value, ","))
        return [value for value in values if value]

    def require(self, name: str) -> str:
        value = self.header(name)
        if value is None:
            raise SipSyntaxError(f"missing {name}")
        return value

    @property
    def call_id(self) -> str:
        return self.require("Call-ID").strip()

    @property
    def cseq(self) -> tuple[int, str]:
        return parse_cseq(self.require("CSeq"))

    @property
    def vias(self) -> list[Via]:
        return [parse_via(value) for value in self.header_values("Via")]

    @property
    def top_via(self) -> Via:
        values = self.header_values("Via")
        if not values:
            raise SipSyntaxError("missing Via")
        return parse_via(values[0])

    @property
    def from_(self) -> NameAddr:
        return parse_name_addr(self.require("From"))

    @property
    def to(self) -> NameAddr:
        return parse_name_addr(self.require("To"))

    @property
    def content_type(self) -> str:
        value = self.header("Content-Type") or ""
        return value.split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class Request(_Message):
    method: str = ""
    uri: str = ""

    def check_required_headers(self) -> None:
        """Raise `SipSyntaxError` unless the §8.1.1 headers are usable."""
        for name in REQUIRED_HEADERS:
            self.require(name)
        if not self.top_via.host:
            raise SipSyntaxError("empty Via host")
        parse_name_addr(self.require("From"))
        parse_name_addr(self.require("To"))
        _, method = self.cseq
        if method != self.method:
            raise SipSyntaxError("CSeq method differs from request method")


@dataclass(frozen=True)
class Response(_Message):
    status: int = 200
    reason: str = ""


Message = Request | Response


def reason_phrase(status: int) -> str:
    return REASON_PHRASES.get(status, "Unknown")
