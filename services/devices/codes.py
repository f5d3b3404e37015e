"""GB/T 28181 device and channel codes, and the counters that number them.

A code is 20 digits: an 8-digit centre code (here the unit's 6-digit
district code and "00"), a 2-digit industry, a 3-digit type, a 1-digit
network and a 6-digit serial. A device (type 132, IPC) and its one camera
channel (type 131) share a serial, so a reader can pair them at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from contracts.errors import RuleViolated
from services.devices.settings import CodeDigits
from services.devices.tables import code_counters

IPC_TYPE = "132"
CAMERA_CHANNEL_TYPE = "131"
LAST_SERIAL = 999_999


@dataclass(frozen=True)
class DeviceCodes:
    code: str
    channel_code: str


def counter_key(district: str, digits: CodeDigits) -> str:
    """What a serial is unique within: centre, industry and network."""
    return f"{district}00{digits.industry}{digits.network}"


def codes_for(district: str, digits: CodeDigits, serial: int) -> DeviceCodes:
    if not 1 <= serial <= LAST_SERIAL:
        raise ValueError(f"serial {serial} is outside 1..{LAST_SERIAL}")
    head = f"{district}00{digits.industry}"
    tail = f"{digits.network}{serial:06d}"
    return DeviceCodes(
        code=f"{head}{IPC_TYPE}{tail}",
        channel_code=f"{head}{CAMERA_CHANNEL_TYPE}{tail}",
    )


def next_serial(connection: Connection, key: str) -> int:
    """Take the next serial of `key` inside the caller's transaction.

    One statement creates or bumps the counter row. On PostgreSQL the row
    stays locked until the caller commits, so concurrent registrations in
    one district take turns and a rolled-back one gives its serial back; on
    SQLite the database has one writer at a time anyway.
    """
    dialect = connection.dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(code_counters)
        .values(prefix=key, last_serial=1)
        .on_conflict_do_update(
            index_elements=[code_counters.c.prefix],
            set_={"last_serial": code_counters.c.last_serial + 1},
        )
        .returning(code_counters.c.last_serial)
    )
    serial = connection.execute(statement).scalar_one()
    if serial > LAST_SERIAL:
        raise RuleViolated(
            "this district has used all one million device codes", field="district"
        )
    return serial


def allocate(connection: Connection, district: str, digits: CodeDigits) -> DeviceCodes:
    serial = next_serial(connection, counter_key(district, digits))
    return codes_for(district, digits, serial)
