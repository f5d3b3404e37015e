"""Building responses to requests (RFC 3261 §8.2.6)."""

from __future__ import annotations

import hashlib

from .events import Peer
from .message import Header, Request, Response, reason_phrase


def build_response(
    request: Request,
    status: int,
    source: Peer,
    *,
    headers: tuple[Header, ...] = (),
    body: bytes = b"",
    server: str = "Hotwork",
) -> Response:
    """Via, From, To, Call-ID and CSeq copied from the request (§8.2.6.2)."""
    copied: list[Header] = [("Via", value) for value in _vias(request, source)]
    copied.append(("From", request.require("From")))
    copied.append(("To", _to_with_tag(request, status)))
    copied.append(("Call-ID", request.require("Call-ID")))
    copied.append(("CSeq", request.require("CSeq")))
    copied.extend(headers)
    copied.append(("Server", server))
    copied.append(("Content-Length", str(len(body))))
    return Response(tuple(copied), body, status, reason_phrase(status))


def _vias(request: Request, source: Peer) -> list[str]:
    values = request.header_values("Via")
    # RFC 3261 §18.2.1 and RFC 3581 §4: record where the request really came
    # from. We fill rport even when the client did not ask, because cameras
    # behind NAT often omit it and a client that did not ask ignores it.
    top = request.top_via.with_params(received=source.host, rport=str(source.port))
    return [str(top), *values[1:]]


def _to_with_tag(request: Request, status: int) -> str:
    to = request.require("To")
    if status == 100 or request.to.tag is not None:
        return to
    # §8.2.6.2: a tag of our own; derived from the request so that a
    # retransmission that misses the cache still gets the same one.
    return f"{to};tag={local_tag(request)}"


def local_tag(request: Request) -> str:
    seed = f"{request.call_id}|{request.from_.tag or ''}"
    return hashlib.sha1(seed.encode("utf-8", "surrogateescape")).hexdigest()[:10]
