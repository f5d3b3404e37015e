"""SIP messages to bytes (RFC 3261 §7)."""

from __future__ import annotations

from .message import Header, Message, Request


def serialize(message: Message) -> bytes:
    """Headers in their given order; Content-Length always matches the body."""
    if isinstance(message, Request):
        start_line = f"{message.method} {message.uri} SIP/2.0"
    else:
        start_line = f"SIP/2.0 {message.status} {message.reason}"
    lines = [start_line]
    lines.extend(f"{name}: {value}" for name, value in _framed(message))
    head = "\r\n".join(lines) + "\r\n\r\n"
    return head.encode("utf-8", errors="surrogateescape") + message.body


def _framed(message: Message) -> list[Header]:
    length = str(len(message.body))
    headers = [
        (name, length if name == "Content-Length" else value)
        for name, value in message.headers
    ]
    if not any(name == "Content-Length" for name, _ in headers):
        headers.append(("Content-Length", length))
    return headers
