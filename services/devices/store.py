"""The device event store, with a unit of work that spans the side tables.

The base EventStore opens a transaction per append. Here one transaction
holds the code counter, the live-MAC row, the sealed password, the read
row and the events together, so a MAC or a code is taken exactly when its
device's events commit, and released exactly when the removal commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text

from services.common.eventstore import (
    AppendResult,
    EventStore,
    Metadata,
    StreamChange,
    fingerprint,
)


class DeviceEventStore(EventStore):
    """EventStore plus `transaction()` and `append_in(connection, ...)`.

    `append_in` relies on the base class's `_check_version` and `_rows`, and
    repeats the few lines of `append_changes` that write; the two must stay
    in step.
    """

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            if self.is_postgres:
                # As in append_changes: a transaction id before any position
                # is drawn, so the outbox relay can judge holes below it.
                connection.execute(text("SELECT pg_current_xact_id()"))
            yield connection

    def append_in(
        self,
        connection: Connection,
        change: StreamChange,
        metadata: Metadata,
        idempotency: tuple[str, Any] | None = None,
        result: dict[str, Any] | None = None,
    ) -> AppendResult:
        result = result or {}
        now = datetime.now(UTC)
        self._check_version(connection, change)
        connection.execute(insert(self.events), self._rows(change, metadata, now))
        version = change.expected_version + len(change.events)
        if idempotency:
            key, command = idempotency
            connection.execute(
                insert(self.idempotency).values(
                    key=key,
                    fingerprint=fingerprint(command),
                    stream_id=change.stream_id,
                    version=version,
                    result=result,
                    created_at=now,
                )
            )
        return AppendResult(change.stream_id, version, result)

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
