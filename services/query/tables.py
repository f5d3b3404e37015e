"""The query service's tables: per-stream state and the filing list."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

# State of each stream as the projector last saw it; `version` is the
# tracking record: it commits with the rows the same event produced.
projects = Table(
    "query_projects",
    metadata,
    Column("project_id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("state", JSON),
)

hot_works = Table(
    "query_hot_works",
    metadata,
    Column("hot_work_id", String(36), primary_key=True),
    Column("project_id", String(36), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("state", JSON, nullable=False),
)

filings = Table(
    "query_filings",
    metadata,
    Column("filing_id", String(36), primary_key=True),
    Column("project_id", String(36), nullable=False, index=True),
    Column("hot_work_id", String(36)),
    Column("owner", String(18), nullable=False),
    Column("district", String(6)),
    Column("start_at", DateTime),
    Column("end_at", DateTime),
    Column("activity_at", DateTime, nullable=False),
    Column("incomplete", Boolean, nullable=False),
    Column("has_report", Boolean, nullable=False),
    Column("summary", JSON, nullable=False),
    Index("query_filings_district_window", "district", "start_at", "end_at"),
    Index("query_filings_owner_window", "owner", "start_at", "end_at"),
)

ALL = (projects, hot_works, filings)
