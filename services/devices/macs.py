"""One row per MAC of a live device: its primary key keeps MACs unique.

Claimed and released inside the transaction that appends the device's
events. On PostgreSQL a second writer of the same MAC waits on the first
one's uncommitted row and fails once it commits, so two concurrent
registrations of one MAC cannot both succeed.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert
from sqlalchemy.exc import IntegrityError

from contracts.errors import AlreadyExists
from services.devices.tables import live_macs


class MacTaken(AlreadyExists):
    """A live device already has this MAC (raised as AlreadyExists over RPC)."""


def claim(connection: Connection, mac: str, device_id: str) -> None:
    try:
        connection.execute(insert(live_macs).values(mac=mac, device_id=device_id))
    except IntegrityError:
        raise MacTaken(
            "another camera already has this MAC address", field="mac"
        ) from None


def release(connection: Connection, mac: str, device_id: str) -> None:
    connection.execute(
        delete(live_macs).where(
            live_macs.c.mac == mac, live_macs.c.device_id == device_id
        )
    )
