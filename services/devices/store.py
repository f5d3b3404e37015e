"""The device event store, with a unit of work that spans the side tables.

One transaction (the base store's `transaction()` and `append_in`) holds
the code counter, the live-MAC row, the sealed password, the read row and
the events together, so a MAC or a code is taken exactly when its
device's events commit, and released exactly when the removal commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from services.common.eventstore import EventStore


class DeviceEventStore(EventStore):
    """EventStore that also reads a stream inside the caller's transaction."""

    def load_in(
        self, connection: Connection, stream_id: str, after_version: int = 0
    ) -> list[dict[str, Any]]:
        """A stream's events as this transaction sees them."""
        query = (
            select(self.events)
            .where(self.events.c.stream_id == stream_id)
            .where(self.events.c.stream_version > after_version)
            .order_by(self.events.c.stream_version)
        )
        return [self._envelope(row) for row in connection.execute(query)]
