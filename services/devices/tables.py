"""The registry's own tables beside its event store (prefix `devices`).

`registry` is the read side of the device streams, written in the same
transaction as their events; `live_macs` holds one row per MAC of a device
that is not removed, so its primary key is what makes MACs unique;
`code_counters` hands out serials; `secrets` holds encrypted passwords that
events refer to; `presence` is what the signalling service last told us.
"""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

registry = Table(
    "devices_registry",
    metadata,
    Column("device_id", String(36), primary_key=True),
    Column("code", String(20), nullable=False, unique=True),
    Column("channel_code", String(20), nullable=False, unique=True),
    Column("owner", String(18), nullable=False),
    Column("district", String(6), nullable=False),
    Column("name", String(200), nullable=False),
    # casefold() of the name: searched with LIKE the same way on both engines.
    Column("name_key", String(200), nullable=False),
    Column("brand", String(20), nullable=False),
    Column("mac", String(17), nullable=False),
    Column("ip", String(45), nullable=False),
    Column("unit", String(200), nullable=False),
    Column("contact", String(50), nullable=False),
    Column("contact_phone", String(20), nullable=False),
    Column("password_ref", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("removed", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("devices_registry_owner", "owner", "removed", "created_at"),
    Index("devices_registry_district", "district", "removed", "created_at"),
)

live_macs = Table(
    "devices_live_macs",
    metadata,
    Column("mac", String(17), primary_key=True),
    Column("device_id", String(36), nullable=False),
)

code_counters = Table(
    "devices_code_counters",
    metadata,
    Column("prefix", String(20), primary_key=True),
    Column("last_serial", Integer, nullable=False),
)

secrets = Table(
    "devices_secrets",
    metadata,
    Column("secret_id", String(36), primary_key=True),
    Column("device_id", String(36), nullable=False, index=True),
    Column("key_id", String(16), nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

presence = Table(
    "devices_presence",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("online", Boolean, nullable=False),
    Column("last_seen_at", DateTime(timezone=True)),
    Column("reported_at", DateTime(timezone=True), nullable=False),
)
