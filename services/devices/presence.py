"""Online state as the signalling service reports it, newest report wins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from contracts.devices import PresenceEvent
from services.devices.tables import presence


def record(connection: Connection, event_type: str, payload: dict[str, Any]) -> None:
    """Apply a `device.online` / `device.offline` payload.

    Reports may arrive twice or out of order; one older than what is stored
    changes nothing, so redelivery is harmless.
    """
    online = event_type == PresenceEvent.ONLINE
    at = _moment(payload["at"])
    last_seen = at if online else _moment(payload.get("last_seen_at"))
    dialect = connection.dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(presence).values(
        code=str(payload["device_id"]),
        online=online,
        last_seen_at=last_seen,
        reported_at=at,
    )
    kept = presence.c.last_seen_at
    statement = statement.on_conflict_do_update(
        index_elements=[presence.c.code],
        set_={
            "online": statement.excluded.online,
            "last_seen_at": _later(statement.excluded.last_seen_at, kept),
            "reported_at": statement.excluded.reported_at,
        },
        where=statement.excluded.reported_at >= presence.c.reported_at,
    )
    connection.execute(statement)


def _later(new, old):
    return case((new.is_(None), old), (old.is_(None), new), (new > old, new), else_=old)


def _moment(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    # Kept in UTC: SQLite stores the wall clock without its offset.
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def describe(row: Any) -> dict[str, Any]:
    """online / offline / never_seen from a registry row joined to presence."""
    if row.reported_at is None:
        return {"online": False, "last_seen_at": None, "state": "never_seen"}
    return {
        "online": bool(row.online),
        "last_seen_at": row.last_seen_at and utc(row.last_seen_at),
        "state": "online" if row.online else "offline",
    }


def utc(value: datetime) -> datetime:
    """A stored moment as aware UTC (SQLite hands back naive ones)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
