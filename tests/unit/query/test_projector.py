"""The live projector: same rows whatever the order and however often."""

from __future__ import annotations

import queue
import random
import threading
from datetime import datetime

from sqlalchemy import delete, update

from services.query import rebuild, tables
from services.query.projector import Projector


def by_id(rows: dict) -> dict:
    return {row["filing_id"]: row for row in rows["query_filings"]}


def replayed(store) -> dict:
    return rebuild.replay(store.read_all).rows()


def test_store_events_become_one_row_per_filing(store, filer, project_all):
    complete = filer.complete(report=True)
    started = filer.hot_work(filer.project(), photos=("group",))
    bare = filer.project(photo_attached=False)

    rows = by_id(project_all())

    assert set(rows) == {complete, started, bare}
    row = rows[complete]
    assert (row["incomplete"], row["has_report"], row["district"]) == (
        False,
        True,
        "110105",
    )
    assert (row["start_at"], row["end_at"]) == (
        datetime(2025, 6, 2, 0, 0),
        datetime(2025, 6, 2, 9, 0),
    )
    assert row["summary"]["fire_watch"] == {"name": "李四", "mobile": "13900139000"}
    assert rows[started]["incomplete"] is True
    assert rows[started]["summary"]["missing"] == [
        "hot_work.photos.certificate",
        "hot_work.photos.permit",
        "fire_watch",
    ]
    assert rows[bare]["hot_work_id"] is None
    assert rows[bare]["summary"]["missing"] == [
        "project.permit_photo",
        "hot_work",
        "fire_watch",
    ]


def test_a_deleted_hot_work_leaves_its_project_as_a_bare_filing(filer, project_all):
    project_id = filer.project()
    hot_work_id = filer.hot_work(project_id, photos=())
    filer.commands.delete_hot_work(filer.request(), hot_work_id)

    rows = by_id(project_all())

    assert list(rows) == [project_id]
    assert rows[project_id]["hot_work_id"] is None


def test_a_redelivered_event_changes_nothing(store, filer, projector, project_all):
    filer.complete(report=True)
    filer.hot_work(filer.project(), photos=())
    before = project_all()

    again = [projector.apply(event) for event in store.read_all(0, 100)]

    assert not any(again)
    assert rebuild.live_rows(projector.engine) == before


def test_a_later_version_first_pulls_the_missed_ones(store, filer, model):
    hot_work_id = filer.complete(report=True)
    fetched = []

    def fetch(stream_id, after_version):
        fetched.append((stream_id, after_version))
        return store.load(stream_id, after_version)

    projector = Projector(model, fetch)
    events = store.read_all(0, 100)
    latest = max(
        (e for e in events if e["stream_id"].startswith("hot-work-")),
        key=lambda e: e["stream_version"],
    )
    applied = [projector.apply(latest)]
    applied += [projector.apply(event) for event in events]

    assert applied[0] is True
    assert (f"hot-work-{hot_work_id}", 0) in fetched
    assert rebuild.differences(rebuild.live_rows(model), replayed(store)) == []
    hot_work_events = [e for e in events if e["stream_id"] == latest["stream_id"]]
    assert applied[1:].count(True) == len(events) - len(hot_work_events)


def test_events_in_reverse_order_end_in_the_same_rows(store, filer, projector):
    filer.complete(report=True)
    filer.complete()

    for event in reversed(store.read_all(0, 100)):
        projector.apply(event)

    live = rebuild.live_rows(projector.engine)
    assert len(live["query_filings"]) == 2
    assert rebuild.differences(live, replayed(store)) == []


def test_a_hot_work_before_its_project_waits_for_the_project(store, filer, projector):
    filer.complete()
    events = store.read_all(0, 100)
    hot_work = [e for e in events if e["stream_id"].startswith("hot-work-")]

    for event in hot_work:
        projector.apply(event)
    assert rebuild.live_rows(projector.engine)["query_filings"] == []

    for event in events:
        projector.apply(event)
    assert (
        rebuild.differences(rebuild.live_rows(projector.engine), replayed(store)) == []
    )


def test_concurrent_workers_on_one_project_end_like_serial_ones(store, filer, model):
    project_id = filer.project()
    for report in (True, False, False):
        filer.complete(project=project_id, report=report)
    filer.hot_work(project_id, photos=("permit",))
    events = store.read_all(0, 1000) * 2
    random.Random(7).shuffle(events)
    deliveries: queue.Queue = queue.Queue()
    for event in events:
        deliveries.put(event)
    failures = []

    def worker():
        projector = Projector(model, store.load)
        while True:
            try:
                event = deliveries.get_nowait()
            except queue.Empty:
                return
            try:
                projector.apply(event)
            except Exception as error:  # a failed delivery would be requeued
                failures.append(error)
                deliveries.put(event)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    live = rebuild.live_rows(model)
    assert len(live["query_filings"]) == 4
    assert rebuild.differences(live, replayed(store)) == []


def test_a_rebuilt_model_equals_the_live_one(store, filer, project_all, make_model):
    filer.complete(report=True)
    filer.complete(project=filer.project(district="110118"))
    filer.project(photo_attached=False)
    live = project_all()
    fresh = make_model("rebuilt")

    replay = rebuild.replay(store.read_all, batch=5)
    rebuild.write(fresh, replay.rows())

    assert replay.events == len(store.read_all(0, 1000))
    assert replay.last_position == store.last_position()
    assert rebuild.differences(live, replay.rows()) == []
    assert rebuild.differences(live, rebuild.live_rows(fresh)) == []
    assert rebuild.live_rows(fresh) == live


def test_writing_a_replay_replaces_stale_rows(store, filer, model, project_all):
    filer.complete()
    live = project_all()
    with model.begin() as connection:
        connection.execute(update(tables.filings).values(district="110118"))
        connection.execute(delete(tables.hot_works))

    rebuild.write(model, replayed(store))

    assert rebuild.live_rows(model) == live


def test_differences_name_a_tampered_and_a_missing_row(filer, model, project_all):
    tampered = filer.complete()
    lost = filer.complete()
    live = project_all()
    with model.begin() as connection:
        connection.execute(
            update(tables.filings)
            .where(tables.filings.c.filing_id == tampered)
            .values(has_report=True)
        )
        connection.execute(
            delete(tables.hot_works).where(tables.hot_works.c.hot_work_id == lost)
        )

    found = rebuild.differences(rebuild.live_rows(model), live)

    assert found == [
        f"query_hot_works {lost}: missing from the live model",
        f"query_filings {tampered}: differs",
    ]
    assert rebuild.differences(live, rebuild.live_rows(model)) == [
        f"query_hot_works {lost}: not in the store",
        f"query_filings {tampered}: differs",
    ]
