"""Registration state in the signalling service's own table.

Reads come from a cache of the table kept in process memory. A change of
binding (register, unregister, new address, online state) is written at
once; a keepalive only moves `last_seen`, which is kept in memory and
written in one statement per `flush`, so that 10,000 cameras do not cost
one UPDATE per keepalive. The sweep flushes first and then changes rows
with conditional statements whose RETURNING rows say which replica won
each lapse, so a lapse is reported once however many replicas sweep.

A replica that caches a device another replica marked offline keeps
believing it online until the device registers again or the cache entry
expires; devices are expected to talk to one replica at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    column,
    delete,
    select,
    update,
    values,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .events import Peer
from .ports import Lapse, Registration

metadata = MetaData()

registrations = Table(
    "signalling_registrations",
    metadata,
    Column("device_id", String(20), primary_key=True),
    Column("call_id", Text, nullable=False),
    Column("cseq", Integer, nullable=False),
    Column("contact", Text, nullable=False),
    Column("transport", String(8), nullable=False),
    Column("host", String(64), nullable=False),
    Column("port", Integer, nullable=False),
    Column("registered_at", Float(precision=53), nullable=False),
    Column("expires_at", Float(precision=53), nullable=False, index=True),
    Column("last_seen", Float(precision=53), nullable=False),
    Column("online", Boolean, nullable=False),
)

_table = registrations.c


class SqlRegistrationStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cache: dict[str, Registration] = {}
        self._dirty: set[str] = set()
        self._loaded_at = float("-inf")

    def load(self, now: float) -> int:
        """Fill the cache with the live bindings; how many there were.

        Keepalives sent while no process listened were lost, so for one
        keepalive timeout after loading, silence is not held against them.
        """
        self._loaded_at = now
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(registrations).where(_table.expires_at > now)
            )
            self._cache = {row.device_id: _registration(row) for row in rows}
        return len(self._cache)

    def get(self, device_id: str) -> Registration | None:
        cached = self._cache.get(device_id)
        if cached is not None:
            return cached
        with self.engine.connect() as connection:
            row = connection.execute(
                select(registrations).where(_table.device_id == device_id)
            ).first()
        if row is None:
            return None
        registration = self._cache[device_id] = _registration(row)
        return registration

    def put(self, registration: Registration) -> None:
        previous = self._cache.get(registration.device_id)
        self._cache[registration.device_id] = registration
        if previous is not None and _only_seen(previous, registration):
            self._dirty.add(registration.device_id)
            return
        self._dirty.discard(registration.device_id)
        with self.engine.begin() as connection:
            connection.execute(self._upsert(registration))

    def delete(self, device_id: str) -> None:
        self._cache.pop(device_id, None)
        self._dirty.discard(device_id)
        with self.engine.begin() as connection:
            connection.execute(
                delete(registrations).where(_table.device_id == device_id)
            )

    def all(self) -> Iterator[Registration]:
        return iter(list(self._cache.values()))

    def flush(self) -> int:
        """Write the last-seen times that keepalives moved; how many."""
        rows = [
            {"b_id": device_id, "b_seen": self._cache[device_id].last_seen}
            for device_id in self._dirty
            if device_id in self._cache
        ]
        self._dirty.clear()
        if not rows:
            return 0
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(_bulk_seen(rows))
            else:
                connection.execute(_seen_statement(), rows)
        return len(rows)

    def sweep(self, now: float, keepalive_timeout: float) -> list[Lapse]:
        self.flush()
        with self.engine.begin() as connection:
            expired = connection.execute(
                delete(registrations)
                .where(_table.expires_at <= now)
                .returning(_table.device_id, _table.online, _table.last_seen)
            ).all()
            silent = []
            if now - self._loaded_at >= keepalive_timeout:
                silent = connection.execute(
                    update(registrations)
                    .where(_table.online, _table.last_seen < now - keepalive_timeout)
                    .values(online=False)
                    .returning(_table.device_id, _table.last_seen)
                ).all()
        return self._apply(now, expired, silent)

    def _apply(self, now: float, expired: list, silent: list) -> list[Lapse]:
        lapses = [
            Lapse(row.device_id, "expired", row.last_seen)
            for row in expired
            if row.online
        ]
        lapses.extend(
            Lapse(row.device_id, "keepalive_missed", row.last_seen) for row in silent
        )
        for lapse in lapses:
            cached = self._cache.get(lapse.device_id)
            if cached is not None:
                self._cache[lapse.device_id] = replace(cached, online=False)
        for device_id, cached in list(self._cache.items()):
            if not cached.is_live(now):
                del self._cache[device_id]
        return lapses

    def _upsert(self, registration: Registration) -> Any:
        insert = (
            pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        )
        row = _row(registration)
        statement = insert(registrations).values(**row)
        changes = {
            name: statement.excluded[name] for name in row if name != "device_id"
        }
        return statement.on_conflict_do_update(
            index_elements=[_table.device_id], set_=changes
        )


def _only_seen(previous: Registration, current: Registration) -> bool:
    return replace(previous, last_seen=current.last_seen) == current


def _seen_statement() -> Any:
    return (
        update(registrations)
        .where(
            _table.device_id == bindparam("b_id"),
            _table.last_seen < bindparam("b_seen"),
        )
        .values(last_seen=bindparam("b_seen"))
    )


def _bulk_seen(rows: list[dict[str, Any]]) -> Any:
    seen = values(
        column("b_id", String), column("b_seen", Float(precision=53)), name="seen"
    ).data([(row["b_id"], row["b_seen"]) for row in rows])
    return (
        update(registrations)
        .where(_table.device_id == seen.c.b_id, _table.last_seen < seen.c.b_seen)
        .values(last_seen=seen.c.b_seen)
    )


def _row(registration: Registration) -> dict[str, Any]:
    peer = registration.peer
    return {
        "device_id": registration.device_id,
        "call_id": registration.call_id,
        "cseq": registration.cseq,
        "contact": registration.contact,
        "transport": peer.transport,
        "host": peer.host,
        "port": peer.port,
        "registered_at": registration.registered_at,
        "expires_at": registration.expires_at,
        "last_seen": registration.last_seen,
        "online": registration.online,
    }


def _registration(row: Any) -> Registration:
    # A TCP connection belongs to the process that accepted it; a binding
    # read back from the table has none until the device connects again.
    return Registration(
        device_id=row.device_id,
        call_id=row.call_id,
        cseq=row.cseq,
        contact=row.contact,
        peer=Peer(row.transport, row.host, row.port),
        registered_at=row.registered_at,
        expires_at=row.expires_at,
        last_seen=row.last_seen,
        online=row.online,
    )
