"""Non-INVITE transactions (RFC 3261 §17.1.2 and §17.2.2).

Server side: a cache of final responses, so that a retransmitted request
gets the same answer again instead of a second effect. Client side: the
retransmission schedule of requests we send, driven by deadlines that the
transport's timer loop fires.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from .events import Peer, Send
from .message import Request, Response

# RFC 3261 §17.1.1.1: timer values.
T1 = 0.5
T2 = 4.0
# Timer F and Timer J: how long a non-INVITE transaction lives.
TRANSACTION_LIFETIME = 64 * T1

# RFC 3261 §8.1.1.7: branches that start with the magic cookie are unique.
MAGIC_COOKIE = "z9hG4bK"

ServerKey = tuple[str, ...]


def server_key(request: Request) -> ServerKey:
    """RFC 3261 §17.2.3: match on branch, sent-by and method."""
    via = request.top_via
    branch = via.branch or ""
    if branch.startswith(MAGIC_COOKIE):
        return (branch, via.sent_by, request.method)
    # RFC 2543 clients: fall back to the dialog and sequence identifiers.
    cseq = request.require("CSeq")
    tag = request.from_.tag or ""
    return (request.call_id, cseq, tag, via.sent_by, branch)


class ServerTransactions:
    """Final responses by request, kept for Timer J.

    A request only counts as a retransmission when its bytes are the same:
    some firmware reuses a branch for a different request after a restart.
    """

    def __init__(self, clock: Callable[[], float], max_entries: int = 100_000) -> None:
        self._clock = clock
        self._max_entries = max_entries
        self._entries: OrderedDict[ServerKey, tuple[bytes, bytes, float]] = (
            OrderedDict()
        )

    def cached_response(self, key: ServerKey, raw_request: bytes) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] != _fingerprint(raw_request):
            return None
        return entry[1]

    def remember(self, key: ServerKey, raw_request: bytes, response: bytes) -> None:
        expires_at = self._clock() + TRANSACTION_LIFETIME
        self._entries.pop(key, None)
        self._entries[key] = (_fingerprint(raw_request), response, expires_at)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def expire(self) -> None:
        now = self._clock()
        while self._entries:
            key, (_, _, expires_at) = next(iter(self._entries.items()))
            if expires_at > now:
                break
            del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)


def _fingerprint(raw_request: bytes) -> bytes:
    return hashlib.blake2b(raw_request, digest_size=16).digest()


@dataclass
class ClientTransaction:
    branch: str
    data: bytes
    peer: Peer
    context: object
    deadline: float
    next_retransmit: float | None
    interval: float


@dataclass(frozen=True)
class TransactionOutcome:
    """How a client transaction ended: a final status, or None on timeout."""

    context: object
    status: int | None


class ClientTransactions:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._active: dict[str, ClientTransaction] = {}

    def start(self, branch: str, data: bytes, peer: Peer, context: object) -> Send:
        now = self._clock()
        # RFC 3261 §17.1.2.2: Timer E only on unreliable transports.
        retransmit = None if peer.is_reliable else now + T1
        self._active[branch] = ClientTransaction(
            branch, data, peer, context, now + TRANSACTION_LIFETIME, retransmit, T1
        )
        return Send(data, peer)

    def receive(self, response: Response) -> TransactionOutcome | None:
        branch = response.top_via.branch or ""
        transaction = self._active.get(branch)
        if transaction is None:
            return None
        if response.status < 200:
            # Proceeding: keep retransmitting, but only every T2.
            if transaction.next_retransmit is not None:
                transaction.interval = T2
            return None
        del self._active[branch]
        return TransactionOutcome(transaction.context, response.status)

    def fire(self) -> tuple[list[Send], list[TransactionOutcome]]:
        """Retransmissions due now, and transactions that timed out."""
        now = self._clock()
        sends: list[Send] = []
        timed_out: list[TransactionOutcome] = []
        for branch, transaction in list(self._active.items()):
            if transaction.deadline <= now:
                del self._active[branch]
                timed_out.append(TransactionOutcome(transaction.context, None))
            elif transaction.next_retransmit and transaction.next_retransmit <= now:
                transaction.interval = min(2 * transaction.interval, T2)
                transaction.next_retransmit = now + transaction.interval
                sends.append(Send(transaction.data, transaction.peer))
        return sends, timed_out

    def drop_where(self, predicate: Callable[[object], bool]) -> None:
        """Forget transactions whose context matches, without an outcome."""
        for branch, transaction in list(self._active.items()):
            if predicate(transaction.context):
                del self._active[branch]

    def next_deadline(self) -> float | None:
        return min(
            (
                min(t.deadline, t.next_retransmit or t.deadline)
                for t in self._active.values()
            ),
            default=None,
        )

    def __len__(self) -> int:
        return len(self._active)
