"""The outbox relay: in order, at least once, never past an open hole."""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, text

from services.common.eventstore import EventStore, NewEvent, StreamChange
from services.common.outbox import OutboxRelay
from tests.unit.conftest import metadata, new_engine


class Bus:
    """A publish function that records what it was given, or fails on demand."""

    def __init__(self):
        self.published: list[dict] = []
        self.failing = False

    def __call__(self, events) -> None:
        if self.failing:
            raise ConnectionError("broker did not confirm")
        self.published.extend(events)

    def positions(self) -> list[int]:
        return [event["position"] for event in self.published]


def append(store: EventStore, stream: str, *types: str) -> None:
    version = len(store.load(stream))
    store.append(stream, version, [NewEvent(t, {}) for t in types], metadata())


@contextmanager
def open_append(store: EventStore, stream: str):
    """An append whose transaction stays open until the block ends.

    It does what the store does: a transaction id first, then the insert that
    draws a position. Call `commit` to keep it; otherwise it rolls back.
    """
    with store.engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(text("SELECT pg_current_xact_id()"))
        change = StreamChange(stream, 0, (NewEvent("held", {}),))
        rows = EventStore._rows(change, metadata(), datetime.now(UTC))
        connection.execute(insert(store.events), rows)
        try:
            yield transaction
        finally:
            if transaction.is_active:
                transaction.rollback()


@pytest.fixture
def bus() -> Bus:
    return Bus()


@pytest.fixture
def pg_store(pg_database, tmp_path):
    """A store on PostgreSQL only: concurrent writers leave holes there."""
    store = EventStore(new_engine(tmp_path, pg_database, "store"), "filing")
    store.create_schema()
    yield store
    store.engine.dispose()


def test_relay_publishes_in_position_order_and_saves_its_cursor(store, bus):
    append(store, "project-a", "a1", "a2")
    append(store, "project-b", "b1")
    relay = OutboxRelay(store, bus, name="bus")

    assert relay.publish_ready() == 3
    assert [e["type"] for e in bus.published] == ["a1", "a2", "b1"]
    assert store.read_cursor("bus") == bus.positions()[-1]
    assert relay.publish_ready() == 0

    append(store, "project-a", "a3")
    assert relay.publish_ready() == 1
    assert [e["type"] for e in bus.published] == ["a1", "a2", "b1", "a3"]


def test_relay_publishes_in_batches_of_its_size(store, bus):
    append(store, "project-a", *[f"e{n}" for n in range(5)])
    relay = OutboxRelay(store, bus, name="bus", batch=2)

    assert [relay.publish_ready() for _ in range(4)] == [2, 2, 1, 0]
    assert [e["type"] for e in bus.published] == [f"e{n}" for n in range(5)]


def test_a_failed_publish_keeps_the_cursor_and_the_next_call_retries(store, bus):
    append(store, "project-a", "a1")
    relay = OutboxRelay(store, bus, name="bus")
    relay.publish_ready()
    append(store, "project-a", "a2", "a3")
    cursor = store.read_cursor("bus")

    bus.failing = True
    with pytest.raises(ConnectionError):
        relay.publish_ready()
    assert store.read_cursor("bus") == cursor

    bus.failing = False
    assert relay.publish_ready() == 2
    assert [e["type"] for e in bus.published] == ["a1", "a2", "a3"]


def test_relays_with_different_names_keep_their_own_cursors(store, bus):
    append(store, "project-a", "a1")
    OutboxRelay(store, bus, name="bus").publish_ready()
    other = Bus()

    assert OutboxRelay(store, other, name="audit").publish_ready() == 1
    assert [e["type"] for e in other.published] == ["a1"]


def test_a_later_commit_waits_for_the_open_position_before_it(pg_store, bus):
    store = pg_store
    append(store, "project-first", "first")
    relay = OutboxRelay(store, bus, name="bus")
    relay.publish_ready()

    with open_append(store, "project-slow") as slow:
        append(store, "project-fast", "fast")
        for _ in range(3):
            assert relay.publish_ready() == 0
        slow.commit()

    assert relay.publish_ready() == 2
    assert [e["type"] for e in bus.published] == ["first", "held", "fast"]
    assert bus.positions() == sorted(bus.positions())
    assert store.read_cursor("bus") == bus.positions()[-1]


def test_a_rolled_back_position_is_skipped_only_once_it_is_final(pg_store, bus):
    store = pg_store
    append(store, "project-first", "first")
    relay = OutboxRelay(store, bus, name="bus")
    relay.publish_ready()

    with open_append(store, "project-doomed") as doomed:
        append(store, "project-fast", "fast")
        for _ in range(3):
            assert relay.publish_ready() == 0
        doomed.rollback()

    deadline = time.monotonic() + 15
    while not relay.publish_ready() and time.monotonic() < deadline:
        time.sleep(0.05)  # another session's transaction may still be open

    assert [e["type"] for e in bus.published] == ["first", "fast"]
    hole = bus.positions()[0] + 1
    assert bus.positions()[1] == hole + 1
    assert store.read_all(hole - 1, 1)[0]["type"] == "fast"


def test_a_hole_is_not_final_while_its_writer_is_open(pg_store, bus):
    store = pg_store
    relay = OutboxRelay(store, bus, name="bus")

    with open_append(store, "project-slow"):
        append(store, "project-fast", "fast")
        for _ in range(5):
            time.sleep(0.02)
            assert relay.publish_ready() == 0

    assert bus.published == []
