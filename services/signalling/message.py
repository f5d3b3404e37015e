"""SIP requests and responses as immutable values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

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

_T = TypeVar("_T")


class cached_property(Generic[_T]):
    """Computed on first read and kept in the instance, also a frozen one.

    Unlike `functools.cached_property` in Python 3.11 it takes no lock:
    messages are not shared between threads while they are read.
    """

    def __init__(self, compute: Callable[[Any], _T]) -> None:
        self._compute = compute
        self._name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, instance: Any, owner: type | None = None) -> _T:
        if instance is None:
            return self  # type: ignore[return-value]
        value = instance.__dict__[self._name] = self._compute(instance)
        return value


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
    """Header values are parsed once per message, on first use, and kept."""

    headers: tuple[Header, ...] = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The first value of a header, by any spelling of its name."""
        return self._first_values.get(canonical_name(name))

    def header_values(self, name: str) -> list[str]:
        """All values, also those joined by commas on one line (RFC 3261 §7.3.1)."""
        wanted = canonical_name(name)
        values = self._all_values.get(wanted)
        if values is None:
            found: list[str] = []
            for key, value in self.headers:
                if key == wanted:
                    found.extend(part.strip() for part in split_top_level(value, ","))
            values = self._all_values[wanted] = [value for value in found if value]
        return list(values)

    def require(self, name: str) -> str:
        value = self.header(name)
        if value is None:
            raise SipSyntaxError(f"missing {name}")
        return value

    @cached_property
    def _first_values(self) -> dict[str, str]:
        first: dict[str, str] = {}
        for key, value in self.headers:
            first.setdefault(key, value)
        return first

    @cached_property
    def _all_values(self) -> dict[str, list[str]]:
        return {}

    @cached_property
    def call_id(self) -> str:
        return self.require("Call-ID").strip()

    @cached_property
    def cseq(self) -> tuple[int, str]:
        return parse_cseq(self.require("CSeq"))

    @property
    def vias(self) -> list[Via]:
        return [parse_via(value) for value in self.header_values("Via")]

    @cached_property
    def top_via(self) -> Via:
        values = self.header_values("Via")
        if not values:
            raise SipSyntaxError("missing Via")
        return parse_via(values[0])

    @cached_property
    def from_(self) -> NameAddr:
        return parse_name_addr(self.require("From"))

    @cached_property
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
        # Parsed here to check them, and kept for whoever reads them next.
        _ = (self.from_, self.to)
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
