"""The recognition service's own tables: results by photo, and the units."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# One row per photo ever read: the recognition does not depend on who sent
# the photo, so the sha256 of the bytes is the whole key.
recognitions = Table(
    "ocr_recognitions",
    metadata,
    Column("photo_sha256", String(64), primary_key=True),
    Column("result", JSON, nullable=False),
    Column("recognised_at", DateTime(timezone=True), nullable=False),
)

# The registry of construction units. `name_key` is the normalised name
# that lookups match exactly; `source` is "admin" (imported from CSV) or
# "user" (a code users typed and the filing accepted).
units = Table(
    "ocr_units",
    metadata,
    Column("name_key", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("credit_code", String(18), nullable=False),
    Column("source", String(8), nullable=False),
    # Users confirmed two different codes: no green tick until an admin row.
    Column("disputed", Boolean, nullable=False, default=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
