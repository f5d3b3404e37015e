"""The registry table: one row per device, the fold of its stream.

Written in the same transaction as the events, so it never lags them. A
known shortcoming: there is no command yet that rebuilds it from the event
log as the query service can; `row_of(fold(events))` is what one would use.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, update

from services.devices.state import State
from services.devices.tables import registry


def row_of(state: State) -> dict[str, Any]:
    fields = state["fields"]
    return {
        "device_id": state["id"],
        "code": state["code"],
        "channel_code": state["channel_code"],
        "owner": state["owner"],
        "district": fields["district"],
        "name": fields["name"],
        "name_key": fields["name"].casefold(),
        "brand": fields["brand"],
        "mac": fields["mac"],
        "ip": fields["ip"],
        "unit": fields["unit"],
        "contact": fields["contact"],
        "contact_phone": fields["contact_phone"],
        "password_ref": state["password_ref"],
        "version": state["version"],
        "removed": state["removed"],
        "created_at": _moment(state["created_at"]),
        "updated_at": _moment(state["updated_at"]),
    }


def write(connection: Connection, state: State) -> None:
    row = row_of(state)
    if state["version"] == 1:
        connection.execute(insert(registry).values(row))
        return
    connection.execute(
        update(registry).where(registry.c.device_id == state["id"]).values(row)
    )


def _moment(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
