"""The table-backed registration store on SQLite."""

from dataclasses import fields, replace

import pytest
from sqlalchemy import select

from services.common.db import make_engine
from services.signalling.events import Peer
from services.signalling.ports import Registration
from services.signalling.store import (
    SqlRegistrationStore,
    _only_seen,
    metadata,
    registrations,
)

from .conftest import CAMERA_ID, START

PEER = Peer("UDP", "127.0.0.1", 40000)


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'signalling.db'}")
    metadata.create_all(engine)
    return engine


def binding(**changes) -> Registration:
    registration = Registration(
        device_id=CAMERA_ID,
        call_id="c1",
        cseq=2,
        contact="<sip:x@127.0.0.1>",
        peer=PEER,
        registered_at=START,
        expires_at=START + 3600,
        last_seen=START,
    )
    return replace(registration, **changes)


def stored(engine) -> dict:
    with engine.connect() as connection:
        row = connection.execute(select(registrations)).one()
    return row._asdict()


def count(engine) -> int:
    with engine.connect() as connection:
        return len(connection.execute(select(registrations)).all())


def test_a_binding_survives_a_new_store(engine):
    store = SqlRegistrationStore(engine)
    store.put(binding())
    store.flush()
    again = SqlRegistrationStore(engine)
    assert again.load(START + 10) == 1
    assert again.get(CAMERA_ID) == binding()


def test_bindings_are_written_together_on_flush(engine):
    store = SqlRegistrationStore(engine)
    for number in range(50):
        store.put(binding(device_id=f"3402000000132{number:07d}"))
    store.put(binding(device_id="34020000001320000007", call_id="c2"))
    assert count(engine) == 0 and store.pending == 50
    assert store.flush() == 50
    assert count(engine) == 50 and store.pending == 0
    again = SqlRegistrationStore(engine)
    again.load(START)
    assert again.get("34020000001320000007").call_id == "c2"


def test_a_failed_flush_keeps_its_rows(engine, monkeypatch):
    store = SqlRegistrationStore(engine)
    store.put(binding())
    real = store.engine
    monkeypatch.setattr(store, "engine", None)
    with pytest.raises(AttributeError):
        store.flush()
    monkeypatch.setattr(store, "engine", real)
    assert store.flush() == 1
    assert stored(engine)["call_id"] == "c1"


def test_a_deleted_binding_is_not_written_later(engine):
    store = SqlRegistrationStore(engine)
    store.put(binding())
    store.delete(CAMERA_ID)
    store.flush()
    assert count(engine) == 0


def test_a_deletion_is_written_on_flush_and_not_read_back_before(engine):
    store = SqlRegistrationStore(engine)
    store.put(binding())
    store.flush()
    store.delete(CAMERA_ID)
    assert count(engine) == 1
    assert store.get(CAMERA_ID) is None
    store.flush()
    assert count(engine) == 0 and store.pending == 0


def test_a_binding_put_again_after_its_deletion_is_kept(engine):
    store = SqlRegistrationStore(engine)
    store.put(binding())
    store.flush()
    store.delete(CAMERA_ID)
    store.put(binding(call_id="c2"))
    store.flush()
    assert stored(engine)["call_id"] == "c2"


def test_keepalives_are_written_only_on_flush(engine):
    store = SqlRegistrationStore(engine)
    store.put(binding())
    store.flush()
    store.put(binding(last_seen=START + 60))
    assert stored(engine)["last_seen"] == START
    assert store.flush() == 1
    assert stored(engine)["last_seen"] == START + 60
    assert store.flush() == 0


def test_a_new_address_is_written_in_full(engine):
    store = SqlRegistrationStore(engine)
    store.put(binding())
    store.flush()
    store.put(binding(peer=Peer("UDP", "127.0.0.1", 40001), last_seen=START + 1))
    store.flush()
    assert stored(engine)["port"] == 40001
    assert stored(engine)["last_seen"] == START + 1


def test_two_stores_report_a_lapse_once(engine):
    first, second = SqlRegistrationStore(engine), SqlRegistrationStore(engine)
    first.put(binding())
    second.load(START)
    now = START + 200
    lapses = first.sweep(now, 180) + second.sweep(now, 180)
    assert [(lapse.reason, lapse.last_seen) for lapse in lapses] == [
        ("keepalive_missed", START)
    ]
    assert first.get(CAMERA_ID).online is False


def test_silence_is_forgiven_for_one_timeout_after_loading(engine):
    first = SqlRegistrationStore(engine)
    first.put(binding())
    first.flush()
    store = SqlRegistrationStore(engine)
    store.load(START + 200)
    assert store.sweep(START + 201, 180) == []
    assert [lapse.reason for lapse in store.sweep(START + 381, 180)] == [
        "keepalive_missed"
    ]


def test_expired_bindings_are_dropped(engine):
    store = SqlRegistrationStore(engine)
    store.put(binding())
    (lapse,) = store.sweep(START + 3601, 1e9)
    assert lapse.reason == "expired"
    assert store.get(CAMERA_ID) is None


def test_the_core_writes_held_back_bindings_on_its_flush_interval(
    engine, make_core, clock
):
    store = SqlRegistrationStore(engine)
    core = make_core(store=store)
    store.put(binding(registered_at=clock(), expires_at=clock() + 3600))
    assert core.next_deadline() <= clock() + core.config.flush_interval
    core.handle_timers()
    assert count(engine) == 0
    clock.advance(core.config.flush_interval)
    core.handle_timers()
    assert count(engine) == 1 and store.pending == 0


def test_only_last_seen_changes_are_told_apart_by_every_field():
    # _only_seen compares fields one by one: a new field must be added there.
    assert {field.name for field in fields(Registration)} == {
        "device_id",
        "call_id",
        "cseq",
        "contact",
        "peer",
        "registered_at",
        "expires_at",
        "last_seen",
        "online",
    }
    for name, value in [
        ("call_id", "c2"),
        ("cseq", 3),
        ("contact", ""),
        ("peer", Peer("TCP", "127.0.0.1", 40000, 1)),
        ("registered_at", START + 1),
        ("expires_at", START + 1),
        ("online", False),
    ]:
        assert not _only_seen(binding(), binding(**{name: value}))
    assert _only_seen(binding(), binding(last_seen=START + 5))
