"""Bytes to SIP messages: one datagram at a time, or a framed TCP stream."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .grammar import SipSyntaxError, canonical_name, is_token
from .message import Header, Message, Request, Response


class ParseError(Exception):
    """The bytes are not a SIP message this parser accepts."""


@dataclass(frozen=True)
class Limits:
    """Bounds on what one message, and one connection's buffer, may hold."""

    max_header_bytes: int = 16 * 1024
    max_body_bytes: int = 64 * 1024
    max_headers: int = 128

    @property
    def max_buffered_bytes(self) -> int:
        return self.max_header_bytes + self.max_body_bytes


_LINE_END = re.compile(r"\r?\n")
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_STATUS_LINE = re.compile(r"^SIP/2\.0 ([1-6][0-9][0-9])(?: (.*))?$", re.IGNORECASE)
_REQUEST_LINE = re.compile(r"^(\S+) (\S+) SIP/2\.0$", re.IGNORECASE)


def parse_datagram(data: bytes, limits: Limits = Limits()) -> Message:
    """One message from one UDP datagram (RFC 3261 §18.3)."""
    head_end = _head_end(data, limits.max_header_bytes + 4)
    if head_end is None:
        raise ParseError("no end of headers")
    message = _parse_head(data[: head_end[0]], limits)
    rest = data[head_end[1] :]
    length = _content_length(message.headers, limits)
    if length is None:
        # RFC 3261 §18.3: on UDP the body runs to the end of the datagram.
        body = rest
    elif length > len(rest):
        raise ParseError("Content-Length beyond the datagram")
    else:
        body = rest[:length]
    if len(body) > limits.max_body_bytes:
        raise ParseError("body too large")
    return _with_body(message, body)


def _head_end(data: bytes, end: int) -> tuple[int, int] | None:
    """Where the first empty line starts and ends, also with bare LFs."""
    found = data.find(b"\r\n\r\n", 0, end)
    # The usual CRLF CRLF, unless a bare-LF empty line comes before it.
    if (
        found >= 0
        and data.find(b"\n\n", 0, found + 1) < 0
        and data.find(b"\n\r\n", 0, found + 2) < 0
    ):
        return found, found + 4
    match = _HEAD_END.search(data, 0, end)
    return None if match is None else (match.start(), match.end())


class StreamParser:
    """Frames messages on a TCP connection by Content-Length (RFC 3261 §18.3).

    Feed any slice of the stream; get back every message it completes. After
    a `ParseError` the stream cannot be resynchronised and must be closed.
    """

    def __init__(self, limits: Limits = Limits()) -> None:
        self._limits = limits
        self._buffer = bytearray()
        self._searched = 0
        self._head: Message | None = None
        self._body_length = 0

    @property
    def buffered_bytes(self) -> int:
        return len(self._buffer)

    @property
    def in_message(self) -> bool:
        """Whether part of a message is waiting for more bytes."""
        return bool(self._buffer) or self._head is not None

    def feed(self, data: bytes) -> list[Message]:
        self._buffer += data
        if len(self._buffer) > self._limits.max_buffered_bytes:
            raise ParseError("too many buffered bytes")
        messages: list[Message] = []
        while (message := self._next_message()) is not None:
            messages.append(message)
        return messages

    def _next_message(self) -> Message | None:
        if self._head is None and not self._read_head():
            return None
        assert self._head is not None
        if len(self._buffer) < self._body_length:
            return None
        body = bytes(self._buffer[: self._body_length])
        del self._buffer[: self._body_length]
        message, self._head = _with_body(self._head, body), None
        return message

    def _read_head(self) -> bool:
        self._skip_keepalive_line_ends()
        start = max(0, self._searched - 3)
        match = _HEAD_END.search(self._buffer, start)
        if match is None:
            self._searched = len(self._buffer)
            if self._searched > self._limits.max_header_bytes:
                raise ParseError("header section too large")
            return False
        if match.start() > self._limits.max_header_bytes:
            raise ParseError("header section too large")
        head = bytes(self._buffer[: match.start()])
        del self._buffer[: match.end()]
        self._searched = 0
        self._head = _parse_head(head, self._limits)
        # RFC 3261 §18.3: Content-Length is mandatory on streams; we read a
        # missing one as zero, as most servers do.
        self._body_length = _content_length(self._head.headers, self._limits) or 0
        return True

    def _skip_keepalive_line_ends(self) -> None:
        # RFC 3261 §7.5 and RFC 5626 §3.5.1: ignore CRLF before a start line.
        skip = 0
        while self._buffer[skip : skip + 1] in (b"\r", b"\n"):
            skip += 1
        if skip:
            del self._buffer[:skip]
            self._searched = max(0, self._searched - skip)


def _parse_head(head: bytes, limits: Limits) -> Message:
    # RFC 3261 §7.3.1 allows UTF-8 text; keep other bytes so they round-trip.
    text = head.decode("utf-8", errors="surrogateescape")
    lines = text.split("\r\n")
    if text.count("\n") != len(lines) - 1:
        lines = _LINE_END.split(text)
    if len(lines) - 1 > limits.max_headers:
        raise ParseError("too many headers")
    start_line = lines[0].strip()
    headers = _parse_headers(lines[1:])
    if status := _STATUS_LINE.match(start_line):
        reason = status.group(2) or ""
        return Response(headers=headers, status=int(status.group(1)), reason=reason)
    if request := _REQUEST_LINE.match(start_line):
        method, uri = request.groups()
        if not is_token(method):
            raise ParseError("bad method")
        return Request(headers=headers, method=method.upper(), uri=uri)
    raise ParseError("bad start line")


def _parse_headers(lines: list[str]) -> tuple[Header, ...]:
    headers: list[Header] = []
    for line in lines:
        if line[:1] in (" ", "\t"):
            # RFC 3261 §7.3.1: a line starting with white space continues
            # the previous header value (folding).
            if not headers:
                raise ParseError("continuation line without a header")
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}".strip())
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise ParseError("header line without a colon")
        try:
            headers.append((canonical_name(name), value.strip()))
        except SipSyntaxError as error:
            raise ParseError(str(error)) from None
    return tuple(headers)


def _content_length(headers: tuple[Header, ...], limits: Limits) -> int | None:
    values = {value for name, value in headers if name == "Content-Length"}
    if not values:
        return None
    if len(values) > 1:
        raise ParseError("conflicting Content-Length")
    text = values.pop()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise ParseError("bad Content-Length")
    if int(text) > limits.max_body_bytes:
        raise ParseError("body too large")
    return int(text)


def _with_body(message: Message, body: bytes) -> Message:
    if isinstance(message, Request):
        return Request(message.headers, body, message.method, message.uri)
    return Response(message.headers, body, message.status, message.reason)
