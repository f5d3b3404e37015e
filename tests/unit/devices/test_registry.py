"""Adding, reading, changing and removing cameras, and who may do which."""

import threading

import pytest
from sqlalchemy import select

from contracts.devices import DeviceSearch
from contracts.errors import (
    AlreadyExists,
    Forbidden,
    InvalidInput,
    NotFound,
    VersionConflict,
)
from services.devices import tables
from tests.unit.devices.conftest import PLATFORM, Registry, device_body


def test_a_registered_device_reads_back_with_codes_and_sip_settings(registry, company):
    answer = registry.register(company, mac="AA-BB-CC-DD-EE-F0", name="北门")
    device = registry.details(company, answer["id"])
    assert device["mac"] == "aa:bb:cc:dd:ee:f0"
    assert device["ip"] == "127.0.0.1"
    assert device["code"] == answer["code"]
    assert device["owner"] == company["credit_code"]
    assert device["password"] == "Abc12345"
    assert device["sip"] == PLATFORM.model_dump()
    assert device["presence"] == {
        "online": False,
        "last_seen_at": None,
        "state": "never_seen",
    }
    assert device["version"] == 1


def test_only_an_enterprise_registers(registry):
    regulator = {"role": "regulator", "districts": ["110105"]}
    with pytest.raises(Forbidden):
        registry.register(regulator)


def test_another_company_finds_nothing(registry, company, other_company):
    answer = registry.register(company)
    with pytest.raises(NotFound):
        registry.details(other_company, answer["id"])
    request = registry.request(other_company)
    with pytest.raises(NotFound):
        registry.commands.change(request, answer["id"], {"name": "mine now"})
    with pytest.raises(NotFound):
        registry.commands.remove(request, answer["id"])
    page = registry.search(other_company, DeviceSearch())
    assert page["total"] == 0


def test_a_regulator_reads_its_districts_without_passwords(registry, company):
    inside = registry.register(company, district="110105")
    outside = registry.register(company, district="110108")
    regulator = {"role": "regulator", "districts": ["110105"]}
    device = registry.details(regulator, inside["id"])
    assert device["password"] is None
    with pytest.raises(NotFound):
        registry.details(regulator, outside["id"])
    page = registry.search(regulator, DeviceSearch())
    assert [item["id"] for item in page["items"]] == [inside["id"]]
    assert page["items"][0]["password"] is None


def test_a_mac_is_unique_among_live_devices_and_free_after_removal(
    registry, company, other_company
):
    first = registry.register(company, mac="aabb.ccdd.ee02")
    with pytest.raises(AlreadyExists) as refused:
        registry.register(other_company, mac="AA:BB:CC:DD:EE:02")
    assert refused.value.field == "mac"
    registry.commands.remove(registry.request(company), first["id"])
    again = registry.register(other_company, mac="aabbccddee02")
    assert registry.details(other_company, again["id"])["mac"] == "aa:bb:cc:dd:ee:02"


def test_changing_the_mac_moves_its_claim(registry, company):
    first = registry.register(company, mac="aa:bb:cc:dd:ee:04")
    second = registry.register(company, mac="aa:bb:cc:dd:ee:06")
    request = registry.request(company)
    with pytest.raises(AlreadyExists):
        registry.commands.change(request, second["id"], {"mac": "aabbccddee04"})
    registry.commands.change(request, first["id"], {"mac": "aa:bb:cc:dd:ee:08"})
    registry.commands.change(request, second["id"], {"mac": "aa:bb:cc:dd:ee:04"})
    with registry.engine.connect() as connection:
        claims = dict(connection.execute(select(tables.live_macs)).all())
    assert claims == {
        "aa:bb:cc:dd:ee:08": first["id"],
        "aa:bb:cc:dd:ee:04": second["id"],
    }


def test_a_change_needs_the_current_version(registry, company):
    answer = registry.register(company)
    stale = registry.request(company, version=1)
    registry.commands.change(stale, answer["id"], {"name": "南门"})
    with pytest.raises(VersionConflict) as refused:
        registry.commands.change(stale, answer["id"], {"name": "西门"})
    assert refused.value.field == "If-Match"
    device = registry.details(company, answer["id"])
    assert (device["name"], device["version"]) == ("南门", 2)


def test_an_empty_or_unchanged_change_writes_nothing(registry, company):
    answer = registry.register(company, name="东门")
    request = registry.request(company)
    with pytest.raises(InvalidInput) as refused:
        registry.commands.change(request, answer["id"], {})
    assert refused.value.field == "body"
    same = registry.commands.change(request, answer["id"], {"name": "东门"})
    assert same["version"] == 1


def test_a_retried_registration_with_its_key_files_once(registry, company):
    body = device_body()
    first = registry.commands.register(registry.request(company, key="k1"), body)
    again = registry.commands.register(registry.request(company, key="k1"), body)
    assert again == {**first, "replayed": True}
    assert registry.search(company, DeviceSearch())["total"] == 1
    other = {**body, "password": "Other123"}
    with pytest.raises(InvalidInput) as refused:
        registry.commands.register(registry.request(company, key="k1"), other)
    assert refused.value.field == "Idempotency-Key"


def test_removal_hides_the_device_and_erases_its_password(registry, company):
    answer = registry.register(company)
    registry.commands.remove(registry.request(company), answer["id"])
    with pytest.raises(NotFound):
        registry.details(company, answer["id"])
    with registry.engine.connect() as connection:
        rows = connection.execute(select(tables.secrets)).all()
    assert rows == []


def test_the_unit_area_change_keeps_the_code(registry, company):
    answer = registry.register(company, district="110105")
    registry.commands.change(
        registry.request(company), answer["id"], {"district": "110108"}
    )
    device = registry.details(company, answer["id"])
    assert (device["district"], device["code"]) == ("110108", answer["code"])


def test_concurrent_registrations_of_one_mac_on_postgresql_admit_one(
    postgres_engine, company, other_company
):
    registry = Registry(postgres_engine)
    outcomes: list[str] = []
    start = threading.Barrier(6)

    def try_register(actor):
        start.wait()
        try:
            registry.register(actor, mac="aa:bb:cc:dd:ee:10")
            outcomes.append("registered")
        except AlreadyExists:
            outcomes.append("taken")

    threads = [
        threading.Thread(target=try_register, args=([company, other_company][i % 2],))
        for i in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["registered"] + ["taken"] * 5
