"""An append-only event store on SQLAlchemy (PostgreSQL or SQLite).

Each service owns one, with its own table prefix. Every write appends events
to one stream with an expected version, so a stale writer gets a conflict
instead of overwriting; a command's idempotency key is recorded in the same
transaction, so a retried request returns the first answer and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError

from contracts.errors import InvalidInput, VersionConflict

Position = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class NewEvent:
    type: str
    payload: dict[str, Any]
    schema_version: int = 1


@dataclass(frozen=True)
class Metadata:
    actor: dict[str, Any]
    correlation_id: str
    causation_id: str | None = None


@dataclass(frozen=True)
class StreamChange:
    stream_id: str
    expected_version: int
    events: tuple[NewEvent, ...]


@dataclass(frozen=True)
class AppendResult:
    stream_id: str
    version: int
    result: dict[str, Any] = field(default_factory=dict)
    replayed: bool = False


class EventStore:
    def __init__(self, engine: Engine, prefix: str):
        self.engine = engine
        self.is_postgres = engine.dialect.name == "postgresql"
        self.metadata = MetaData()
        self.events = Table(
            f"{prefix}_events",
            self.metadata,
            Column("position", Position, primary_key=True, autoincrement=True),
            Column("event_id", String(36), nullable=False, unique=True),
            Column("stream_id", String(80), nullable=False),
            Column("stream_version", Integer, nullable=False),
            Column("type", String(80), nullable=False),
            Column("schema_version", Integer, nullable=False),
            Column("occurred_at", DateTime(timezone=True), nullable=False),
            Column("actor", JSON, nullable=False),
            Column("correlation_id", String(64), nullable=False),
            Column("causation_id", String(64)),
            Column("payload", JSON, nullable=False),
            UniqueConstraint("stream_id", "stream_version"),
        )
        self.idempotency = Table(
            f"{prefix}_idempotency",
            self.metadata,
            Column("key", String(300), primary_key=True),
            Column("fingerprint", String(64), nullable=False),
            Column("stream_id", String(80), nullable=False),
            Column("version", Integer, nullable=False),
            Column("result", JSON, nullable=False),
            Column("created_at", DateTime(timezone=True), nullable=False),
        )
        self.cursors = Table(
            f"{prefix}_relay_cursor",
            self.metadata,
            Column("name", String(80), primary_key=True),
            Column("position", Position, nullable=False),
        )
        # Reads need no transaction: one statement sees one snapshot. Without
        # one, psycopg2 sends no BEGIN and the pool no ROLLBACK on return, so
        # a read is one round trip instead of three.
        self.reader = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._statements()

    def _statements(self) -> None:
        # Built once: constructing a statement and its cache key costs more
        # CPU than PostgreSQL spends running these.
        events, idempotency = self.events, self.idempotency
        self._load = (
            select(events)
            .where(events.c.stream_id == bindparam("stream_id"))
            .where(events.c.stream_version > bindparam("after"))
            .order_by(events.c.stream_version)
        )
        self._read_all = (
            select(events)
            .where(events.c.position > bindparam("after"))
            .order_by(events.c.position)
            .limit(bindparam("limit"))
        )
        self._answer = select(
            idempotency.c.fingerprint,
            idempotency.c.stream_id,
            idempotency.c.version,
            idempotency.c.result,
        ).where(idempotency.c.key == bindparam("key"))
        current = (
            select(func.max(events.c.stream_version))
            .where(events.c.stream_id == bindparam("stream_id"))
            .scalar_subquery()
        )
        self._current = select(current)
        # The transaction id is taken in the same round trip as the first
        # version check, still before the insert draws a position.
        self._current_taking_xid = select(
            current, literal_column("pg_current_xact_id()")
        )
        self._insert_events = insert(events)
        self._insert_answer = insert(idempotency)
        self._cursor = select(self.cursors.c.position).where(
            self.cursors.c.name == bindparam("name")
        )

    def create_schema(self) -> None:
        self.metadata.create_all(self.engine)

    # Reading

    def load(self, stream_id: str, after_version: int = 0) -> list[dict[str, Any]]:
        params = {"stream_id": stream_id, "after": after_version}
        with self.reader.connect() as connection:
            rows = connection.execute(self._load, params)
            return [self._envelope(row) for row in rows]

    def read_all(self, after_position: int, limit: int) -> list[dict[str, Any]]:
        params = {"after": after_position, "limit": limit}
        with self.reader.connect() as connection:
            rows = connection.execute(self._read_all, params)
            return [self._envelope(row) for row in rows]

    def last_position(self) -> int:
        with self.reader.connect() as connection:
            value = connection.scalar(select(func.max(self.events.c.position)))
        return value or 0

    def previous_answer(self, key: str, command: Any) -> AppendResult | None:
        """The stored outcome of an earlier command with the same key."""
        with self.reader.connect() as connection:
            row = connection.execute(self._answer, {"key": key}).first()
        if row is None:
            return None
        if row.fingerprint != fingerprint(command):
            raise InvalidInput(
                "was already used for a different request", field="Idempotency-Key"
            )
        return AppendResult(row.stream_id, row.version, row.result, replayed=True)

    # Writing

    def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        metadata: Metadata,
        idempotency: tuple[str, Any] | None = None,
        result: dict[str, Any] | None = None,
    ) -> AppendResult:
        """Append `events` if the stream is still at `expected_version`."""
        change = StreamChange(stream_id, expected_version, tuple(events))
        return self.append_changes([change], metadata, idempotency, result)

    def append_changes(
        self,
        changes: Sequence[StreamChange],
        metadata: Metadata,
        idempotency: tuple[str, Any] | None = None,
        result: dict[str, Any] | None = None,
    ) -> AppendResult:
        """Append to one or more streams in one transaction, all or nothing.

        `idempotency` is (key, command): the key is recorded with the outcome
        and the command's fingerprint, atomically with the events. The answer
        names the first stream and its new version.
        """
        try:
            with self.engine.begin() as connection:
                return self._append(
                    connection,
                    changes,
                    metadata,
                    idempotency,
                    result,
                    take_xid=self.is_postgres,
                )
        except IntegrityError as error:
            return self._after_integrity_error(error, changes[0].stream_id, idempotency)
        except VersionConflict:
            # The same command, retried after the first one committed.
            if idempotency and (earlier := self.previous_answer(*idempotency)):
                return earlier
            raise

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A transaction to append in, with whatever else the caller writes."""
        with self.engine.begin() as connection:
            if self.is_postgres:
                # Take a transaction id before the position sequence moves,
                # so the relay can tell when a hole below it is final.
                connection.execute(text("SELECT pg_current_xact_id()"))
            yield connection

    def append_in(
        self,
        connection: Connection,
        changes: Sequence[StreamChange],
        metadata: Metadata,
        idempotency: tuple[str, Any] | None = None,
        result: dict[str, Any] | None = None,
    ) -> AppendResult:
        """Append inside the caller's `transaction()`; it commits or not."""
        return self._append(connection, changes, metadata, idempotency, result)

    def _append(
        self,
        connection: Connection,
        changes: Sequence[StreamChange],
        metadata: Metadata,
        idempotency: tuple[str, Any] | None,
        result: dict[str, Any] | None,
        take_xid: bool = False,
    ) -> AppendResult:
        result = result or {}
        now = datetime.now(UTC)
        first = changes[0]
        version = first.expected_version + len(first.events)
        rows = []
        for number, change in enumerate(changes):
            self._check_version(connection, change, take_xid and number == 0)
            rows += self._rows(change, metadata, now)
        if rows:
            connection.execute(self._insert_events, rows)
        if idempotency:
            key, command = idempotency
            connection.execute(
                self._insert_answer,
                {
                    "key": key,
                    "fingerprint": fingerprint(command),
                    "stream_id": first.stream_id,
                    "version": version,
                    "result": result,
                    "created_at": now,
                },
            )
        return AppendResult(first.stream_id, version, result)

    def _check_version(self, connection, change: StreamChange, take_xid) -> None:
        statement = self._current_taking_xid if take_xid else self._current
        params = {"stream_id": change.stream_id}
        current = connection.execute(statement, params).first()[0]
        if (current or 0) != change.expected_version:
            raise VersionConflict(
                f"{change.stream_id} is at version {current or 0}, "
                f"not {change.expected_version}",
                field="version",
            )

    @staticmethod
    def _rows(change: StreamChange, metadata: Metadata, now: datetime) -> list[dict]:
        return [
            {
                "event_id": str(uuid.uuid4()),
                "stream_id": change.stream_id,
                "stream_version": change.expected_version + offset,
                "type": event.type,
                "schema_version": event.schema_version,
                "occurred_at": now,
                "actor": metadata.actor,
                "correlation_id": metadata.correlation_id,
                "causation_id": metadata.causation_id,
                "payload": event.payload,
            }
            for offset, event in enumerate(change.events, start=1)
        ]

    def _after_integrity_error(self, error, stream_id, idempotency) -> AppendResult:
        if idempotency:
            # A concurrent retry of the same command may have won the race.
            earlier = self.previous_answer(*idempotency)
            if earlier is not None:
                return earlier
        raise VersionConflict(
            f"{stream_id} was changed by someone else", field="version"
        ) from error

    # The relay's bookkeeping

    def read_cursor(self, name: str) -> int:
        with self.reader.connect() as connection:
            value = connection.scalar(self._cursor, {"name": name})
        return value or 0

    def save_cursor(self, name: str, position: int) -> None:
        with self.engine.begin() as connection:
            updated = connection.execute(
                self.cursors.update()
                .where(self.cursors.c.name == name)
                .values(position=position)
            ).rowcount
            if not updated:
                connection.execute(
                    insert(self.cursors).values(name=name, position=position)
                )

    def snapshot_bounds(self) -> tuple[int, int] | None:
        """(xmin, xmax) of a fresh PostgreSQL snapshot; None on SQLite.

        SQLite has one writer at a time, so a hole in the positions below a
        committed event can only be a rolled-back insert.
        """
        if not self.is_postgres:
            return None
        with self.reader.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint,"
                    " pg_snapshot_xmax(pg_current_snapshot())::text::bigint"
                )
            ).one()
        return int(row[0]), int(row[1])

    @staticmethod
    def _envelope(row) -> dict[str, Any]:
        occurred_at = row.occurred_at
        if occurred_at.tzinfo is None:
            occurred_at = occurred_at.replace(tzinfo=UTC)
        return {
            "event_id": row.event_id,
            "stream_id": row.stream_id,
            "stream_version": row.stream_version,
            "position": row.position,
            "type": row.type,
            "schema_version": row.schema_version,
            "occurred_at": occurred_at.isoformat(),
            "actor": row.actor,
            "correlation_id": row.correlation_id,
            "causation_id": row.causation_id,
            "payload": row.payload,
        }


def fingerprint(command: Any) -> str:
    body = json.dumps(command, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()
