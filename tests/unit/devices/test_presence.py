"""Online state from the signalling service's reports."""

from contracts.devices import PresenceEvent
from services.devices import presence


def _report(registry, kind, code, at, **extra):
    with registry.engine.begin() as connection:
        presence.record(connection, kind, {"device_id": code, "at": at, **extra})


def test_reports_set_online_and_last_seen(registry, company):
    answer = registry.register(company)
    code = answer["code"]
    _report(registry, PresenceEvent.ONLINE, code, "2026-03-01T08:00:00+08:00")
    device = registry.details(company, answer["id"])
    assert device["presence"] == {
        "online": True,
        "last_seen_at": "2026-03-01T00:00:00Z",
        "state": "online",
    }
    _report(registry, PresenceEvent.OFFLINE, code, "2026-03-01T01:00:00Z")
    device = registry.details(company, answer["id"])
    assert device["presence"]["state"] == "offline"
    assert device["presence"]["last_seen_at"] == "2026-03-01T00:00:00Z"


def test_a_late_or_repeated_report_changes_nothing(registry, company):
    answer = registry.register(company)
    code = answer["code"]
    _report(registry, PresenceEvent.OFFLINE, code, "2026-03-01T02:00:00Z")
    _report(registry, PresenceEvent.ONLINE, code, "2026-03-01T01:00:00Z")
    _report(registry, PresenceEvent.OFFLINE, code, "2026-03-01T02:00:00Z")
    brief = _brief(registry, answer["id"])
    assert (brief["state"], brief["online"]) == ("offline", False)


def test_briefs_carry_no_secret_and_skip_unknown_ids(registry, company):
    first = registry.register(company)
    second = registry.register(company)
    _report(registry, PresenceEvent.ONLINE, second["code"], "2026-03-01T00:00:00Z")
    with registry.engine.connect() as connection:
        found = registry.reader.briefs(
            connection, [second["id"], "not-a-device", first["id"]]
        )
    assert [b["id"] for b in found] == [second["id"], first["id"]]
    assert found[0]["online"] is True and found[1]["state"] == "never_seen"
    assert all("password" not in b and "password_ref" not in b for b in found)


def _brief(registry, device_id):
    with registry.engine.connect() as connection:
        return registry.reader.briefs(connection, [device_id])[0]


def test_a_report_without_an_offset_is_read_as_utc(registry, company):
    answer = registry.register(company)
    _report(registry, PresenceEvent.ONLINE, answer["code"], "2026-03-01T08:00:00")
    assert _brief(registry, answer["id"])["last_seen_at"] == "2026-03-01T08:00:00Z"
