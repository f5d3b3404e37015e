"""Engines for PostgreSQL (green under eventlet) and SQLite (one writer)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

_psycopg_patched = False


def make_engine(url: str, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    _make_psycopg_green()
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        # No pre-ping: it costs a round trip per checkout. A connection the
        # server dropped fails one call, which the client may retry.
        pool_recycle=1800,
    )


def _make_psycopg_green() -> None:
    # psycopg2 waits on the socket in C; without this one slow query would
    # stall every green thread of the process (HTTP, SIP keepalives, relays).
    global _psycopg_patched
    if _psycopg_patched:
        return
    import eventlet.patcher

    if eventlet.patcher.is_monkey_patched("socket"):
        from psycogreen.eventlet import patch_psycopg

        patch_psycopg()
    _psycopg_patched = True


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # One connection: SQLite's lock waits sleep the whole OS thread, so two
    # green threads writing at once would deadlock the hub. The pool queue
    # makes them take turns instead.
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=60,
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine
