"""The event store's contract, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading

import pytest

from contracts.errors import InvalidInput, VersionConflict
from services.common.eventstore import NewEvent, StreamChange
from tests.unit.conftest import metadata


def events(*types: str) -> list[NewEvent]:
    return [NewEvent(kind, {"n": n}) for n, kind in enumerate(types, start=1)]


def test_appended_events_load_in_stream_order_with_their_envelope(store):
    meta = metadata()
    store.append("project-a", 0, events("one", "two"), meta)
    store.append("project-a", 2, events("three"), meta)

    loaded = store.load("project-a")

    assert [e["type"] for e in loaded] == ["one", "two", "three"]
    assert [e["stream_version"] for e in loaded] == [1, 2, 3]
    assert loaded[0]["actor"] == meta.actor
    assert loaded[0]["correlation_id"] == meta.correlation_id
    assert loaded[0]["occurred_at"].endswith("+00:00")
    assert [e["type"] for e in store.load("project-a", after_version=2)] == ["three"]


def test_read_all_returns_every_stream_in_position_order(store):
    store.append("project-a", 0, events("a1"), metadata())
    store.append("project-b", 0, events("b1"), metadata())
    store.append("project-a", 1, events("a2"), metadata())

    everything = store.read_all(0, 10)

    assert [e["type"] for e in everything] == ["a1", "b1", "a2"]
    positions = [e["position"] for e in everything]
    assert positions == sorted(positions)
    assert store.read_all(positions[0], 1)[0]["type"] == "b1"
    assert store.last_position() == positions[-1]


def test_a_stale_writer_gets_a_conflict_and_writes_nothing(store):
    store.append("project-a", 0, events("first"), metadata())

    with pytest.raises(VersionConflict) as caught:
        store.append("project-a", 0, events("stale"), metadata())

    assert caught.value.field == "version"
    assert [e["type"] for e in store.load("project-a")] == ["first"]


def test_a_writer_ahead_of_the_stream_gets_a_conflict(store):
    with pytest.raises(VersionConflict):
        store.append("project-a", 3, events("early"), metadata())
    assert store.load("project-a") == []


def test_a_conflict_on_the_second_stream_leaves_the_first_untouched(store):
    store.append("project-p", 0, events("drafted", "amended"), metadata())
    changes = [
        StreamChange("hot-work-h", 0, tuple(events("hot_work.drafted"))),
        StreamChange("project-p", 1, tuple(events("hot_work_added"))),
    ]

    with pytest.raises(VersionConflict):
        store.append_changes(changes, metadata())

    assert store.load("hot-work-h") == []
    assert len(store.load("project-p")) == 2
    assert len(store.read_all(0, 10)) == 2


def test_changes_to_two_streams_are_written_together(store):
    store.append("project-p", 0, events("drafted"), metadata())
    changes = [
        StreamChange("hot-work-h", 0, tuple(events("hot_work.drafted"))),
        StreamChange("project-p", 1, tuple(events("hot_work_added"))),
    ]

    answer = store.append_changes(changes, metadata(), result={"id": "h"})

    assert (answer.stream_id, answer.version, answer.result) == (
        "hot-work-h",
        1,
        {"id": "h"},
    )
    assert len(store.load("hot-work-h")) == 1
    assert len(store.load("project-p")) == 2


def test_a_retried_command_returns_the_first_answer_and_writes_nothing(store):
    command = ("company:key-1", {"command": "draft", "body": {"a": 1}})
    first = store.append(
        "project-a", 0, events("drafted"), metadata(), command, {"id": "a"}
    )

    earlier = store.previous_answer(*command)
    retried = store.append(
        "project-a", 0, events("drafted"), metadata(), command, {"id": "b"}
    )

    assert not first.replayed
    for answer in (earlier, retried):
        assert answer.replayed
        assert (answer.stream_id, answer.version, answer.result) == (
            "project-a",
            1,
            {"id": "a"},
        )
    assert len(store.read_all(0, 10)) == 1


def test_a_retry_racing_to_a_new_stream_gets_the_first_answer(store):
    command = ("company:key-2", {"command": "draft", "body": {}})
    store.append("project-a", 0, events("drafted"), metadata(), command, {"id": "a"})

    # A retry that did not see the first answer picks another stream id.
    retried = store.append(
        "project-b", 0, events("drafted"), metadata(), command, {"id": "b"}
    )

    assert retried.replayed and retried.result == {"id": "a"}
    assert store.load("project-b") == []


def test_a_reused_key_with_another_body_is_invalid_input(store):
    store.append("project-a", 0, events("drafted"), metadata(), ("k", {"body": 1}), {})

    with pytest.raises(InvalidInput) as asked:
        store.previous_answer("k", {"body": 2})
    with pytest.raises(InvalidInput) as appended:
        store.append("project-b", 0, events("drafted"), metadata(), ("k", {"body": 2}))

    assert asked.value.field == appended.value.field == "Idempotency-Key"
    assert store.load("project-b") == []


def test_an_unknown_key_has_no_previous_answer(store):
    assert store.previous_answer("never-used", {"body": 1}) is None


def test_concurrent_writers_win_one_version_each_and_lose_no_event(store):
    writers, rounds = 6, 5
    won: list[tuple[int, int]] = []
    start = threading.Barrier(writers)

    def write(writer: int) -> None:
        start.wait()
        appended = 0
        while appended < rounds:
            version = len(store.load("project-hot"))
            try:
                store.append(
                    "project-hot",
                    version,
                    [NewEvent("tick", {"writer": writer, "n": appended})],
                    metadata(),
                )
            except VersionConflict:
                continue
            won.append((writer, version + 1))
            appended += 1

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    stored = store.load("project-hot")
    assert [e["stream_version"] for e in stored] == list(range(1, 31))
    assert sorted(version for _, version in won) == list(range(1, 31))
    by_writer = {(e["payload"]["writer"], e["payload"]["n"]) for e in stored}
    assert by_writer == {(w, n) for w in range(writers) for n in range(rounds)}


def test_relay_cursors_start_at_zero_and_remember_what_was_saved(store):
    assert store.read_cursor("bus") == 0
    store.save_cursor("bus", 7)
    store.save_cursor("bus", 9)
    store.save_cursor("other", 1)
    assert (store.read_cursor("bus"), store.read_cursor("other")) == (9, 1)
