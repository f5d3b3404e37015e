"""Registration state in the signalling service's own table.

Reads come from a cache of the table kept in process memory. Writes are
held back and written together by `flush`, which the core calls every
`SipConfig.flush_interval` seconds, the sweep calls first and the service
calls on shutdown: changed bindings in one upsert with many parameter
sets, and the `last_seen` of keepalives in one UPDATE, so that a burst of
registrations or 10,000 cameras keeping alive cost a few statements a
second, not one committed transaction each; deletions (unregister, a TCP
connection gone) go with them. The sweep changes rows with
conditional statements whose RETURNING rows say which replica won each
lapse, so a lapse is reported once however many replicas sweep.

Known shortcoming: a crash or a kill without shutdown loses the changes
of the last flush interval (0.15 s by default). After a restart such a
device has its previous binding, if that is still live, or none: then
its keepalives get 403 and it registers again, as after any lost
registration. An unregister lost so is undone until the binding expires.
A failed flush keeps its changes and tries again at the next one.

A replica that caches a device another replica marked offline keeps
believing it online until the device registers again or the cache entry
expires; devices are expected to talk to one replica at a time. Another
replica also reads a binding only once it is flushed.
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
# Built once: a device's first REGISTER after a start reads its row.
_SELECT_ONE = select(registrations).where(_table.device_id == bindparam("b_id"))
_SEEN = (
    update(registrations)
    .where(
        _table.device_id == bindparam("b_id"),
        _table.last_seen < bindparam("b_seen"),
    )
    .values(last_seen=bindparam("b_seen"))
)
_DELETE_ONE = delete(registrations).where(_table.device_id == bindparam("b_id"))


class SqlRegistrationStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cache: dict[str, Registration] = {}
        # Devices whose whole binding, or only `last_seen`, is not written,
        # and those whose row is still to be deleted.
        self._unwritten: set[str] = set()
        self._dirty: set[str] = set()
        self._deleted: set[str] = set()
        self._loaded_at = float("-inf")
        self._upsert = _upsert_statement(engine.dialect.name)

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
        if device_id in self._deleted:
            return None
        with self.engine.connect() as connection:
            row = connection.execute(_SELECT_ONE, {"b_id": device_id}).first()
        if row is None:
            return None
        registration = self._cache[device_id] = _registration(row)
        return registration

    def put(self, registration: Registration) -> None:
        device_id = registration.device_id
        previous = self._cache.get(device_id)
        self._cache[device_id] = registration
        self._deleted.discard(device_id)
        if device_id in self._unwritten:
            return
        if previous is not None and _only_seen(previous, registration):
            self._dirty.add(device_id)
            return
        self._dirty.discard(device_id)
        self._unwritten.add(device_id)

    def delete(self, device_id: str) -> None:
        self._cache.pop(device_id, None)
        self._dirty.discard(device_id)
        self._unwritten.discard(device_id)
        # Held back too, so that it cannot overtake an upsert of the same
        # row that a flush is writing while a green database call waits.
        self._deleted.add(device_id)

    def all(self) -> Iterator[Registration]:
        return iter(list(self._cache.values()))

    @property
    def pending(self) -> int:
        """Devices with changes not yet written."""
        return len(self._unwritten) + len(self._dirty) + len(self._deleted)

    def flush(self) -> int:
        """Write the held-back changes in one transaction; how many rows."""
        if not self._unwritten and not self._dirty and not self._deleted:
            return 0
        unwritten, self._unwritten = self._unwritten, set()
        dirty, self._dirty = self._dirty, set()
        deleted, self._deleted = self._deleted, set()
        cache = self._cache
        bindings = [_row(cache[key]) for key in unwritten if key in cache]
        seen = [
            {"b_id": key, "b_seen": cache[key].last_seen}
            for key in dirty
            if key in cache
        ]
        try:
            with self.engine.begin() as connection:
                if bindings:
                    connection.execute(self._upsert, bindings)
                if deleted:
                    connection.execute(_DELETE_ONE, [{"b_id": key} for key in deleted])
                if seen and connection.dialect.name == "postgresql":
                    connection.execute(_bulk_seen(seen))
                elif seen:
                    connection.execute(_SEEN, seen)
        except Exception:
            # Keep them for the next flush, unless newer changes came.
            cache = self._cache
            self._unwritten |= {key for key in unwritten if key in cache}
            self._dirty |= {key for key in dirty if key in cache} - self._unwritten
            self._deleted |= {key for key in deleted if key not in cache}
            raise
        return len(bindings) + len(deleted) + len(seen)

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


def _upsert_statement(dialect: str) -> Any:
    """One statement for any number of rows, given as parameter sets."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(registrations)
    changes = {
        column.name: statement.excluded[column.name]
        for column in registrations.columns
        if column.name != "device_id"
    }
    return statement.on_conflict_do_update(
        index_elements=[_table.device_id], set_=changes
    )


def _only_seen(previous: Registration, current: Registration) -> bool:
    """Whether the binding is the same but for `last_seen` (a keepalive)."""
    return (
        previous.call_id == current.call_id
        and previous.cseq == current.cseq
        and previous.peer == current.peer
        and previous.online == current.online
        and previous.expires_at == current.expires_at
        and previous.registered_at == current.registered_at
        and previous.contact == current.contact
        and previous.device_id == current.device_id
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
