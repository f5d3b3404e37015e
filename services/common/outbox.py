"""The outbox relay: publishes a store's events in position order.

It advances its cursor only after the broker confirmed a batch, so an event
is published at least once; consumers make the repeats harmless.

The classic trap: positions come from a sequence, so position 11 may commit
while 10 is still in flight. The relay never steps over a hole until the hole
is final. On PostgreSQL a hole is final once every transaction that was
running when the hole was first seen has ended (the store takes a transaction
id before it draws a position, so such a transaction is below that snapshot's
xmax); then a missing position can only have been rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from services.common.eventstore import EventStore
from services.common.logging import get_logger

log = get_logger(__name__)

Publish = Callable[[Sequence[dict[str, Any]]], None]


class OutboxRelay:
    def __init__(
        self, store: EventStore, publish: Publish, name: str, batch: int = 500
    ):
        self.store = store
        self.publish = publish
        self.name = name
        self.batch = batch
        self._hole: tuple[int, int] | None = None  # (position, xmax when seen)
        # Read from the store on first use: a replica that becomes the leader
        # late starts from where the previous leader stopped.
        self._cursor: int | None = None

    def publish_ready(self) -> int:
        """Publish what can be published now; return how many events."""
        if self._cursor is None:
            self._cursor = self.store.read_cursor(self.name)
        ready = self._ready_after(self._cursor)
        if not ready:
            return 0
        self.publish(ready)
        self.store.save_cursor(self.name, ready[-1]["position"])
        self._cursor = ready[-1]["position"]
        return len(ready)

    def _ready_after(self, cursor: int) -> list[dict[str, Any]]:
        events = self.store.read_all(cursor, self.batch)
        ready = []
        expected = cursor + 1
        for event in events:
            if event["position"] != expected and not self._hole_is_final(expected):
                break
            ready.append(event)
            expected = event["position"] + 1
        return ready

    def _hole_is_final(self, position: int) -> bool:
        bounds = self.store.snapshot_bounds()
        if bounds is None:
            return True
        xmin, xmax = bounds
        if self._hole is None or self._hole[0] != position:
            self._hole = (position, xmax)
            return False
        final = xmin >= self._hole[1]
        if final:
            log.info("outbox_hole_skipped", relay=self.name, position=position)
            self._hole = None
        return final
