"""GB/T 28181 codes: their format, and that no two devices share one."""

import re
import threading

import pytest
from sqlalchemy import create_engine

from contracts.errors import AlreadyExists, RuleViolated
from services.devices import codes, tables
from services.devices.settings import CodeDigits


def test_code_layout_is_centre_industry_type_network_serial():
    allocated = codes.codes_for("110105", CodeDigits("05", "7"), 42)
    assert allocated.code == "11010500" + "05" + "132" + "7" + "000042"
    assert allocated.channel_code == "11010500" + "05" + "131" + "7" + "000042"
    assert len(allocated.code) == len(allocated.channel_code) == 20


def test_configured_digits_must_have_their_width():
    with pytest.raises(RuntimeError):
        CodeDigits("0", "0")
    with pytest.raises(RuntimeError):
        CodeDigits("00", "10")


def test_registered_devices_get_distinct_codes_per_district(registry, company):
    seen = set()
    for district in ("110105", "110105", "110108", "110105"):
        answer = registry.register(company, district=district)
        assert re.fullmatch(rf"{district}0000132\d{{7}}", answer["code"])
        assert (
            answer["channel_code"] == answer["code"][:10] + "131" + answer["code"][13:]
        )
        seen.add(answer["code"])
    assert len(seen) == 4
    assert registry.register(company)["code"].endswith("0000004")


def test_a_removed_devices_code_is_never_given_again(registry, company):
    first = registry.register(company)
    registry.commands.remove(registry.request(company), first["id"])
    second = registry.register(company)
    assert second["code"] != first["code"]


def test_a_refused_registration_gives_its_serial_back(registry, company):
    mac = "aa:bb:cc:00:00:01"
    first = registry.register(company, mac=mac)
    with pytest.raises(AlreadyExists):
        registry.register(company, mac=mac)
    third = registry.register(company)
    assert int(third["code"][-6:]) == int(first["code"][-6:]) + 1


def test_threads_on_sqlite_never_share_a_serial(engine):
    tables.metadata.create_all(engine)
    taken: list[int] = []

    def allocate_many():
        for _ in range(50):
            with engine.begin() as connection:
                taken.append(codes.next_serial(connection, "11010500000"))

    workers = [threading.Thread(target=allocate_many) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(taken) == list(range(1, 201))


def test_two_engines_on_postgresql_never_share_a_serial(postgres_url):
    # Two engines stand for two replicas: separate pools, one database.
    engines = [create_engine(postgres_url, pool_size=4) for _ in range(2)]
    tables.metadata.create_all(engines[0])
    taken: list[int] = []
    lock = threading.Lock()

    def allocate_many(engine):
        for _ in range(60):
            with engine.begin() as connection:
                serial = codes.next_serial(connection, "11010500000")
            with lock:
                taken.append(serial)

    workers = [
        threading.Thread(target=allocate_many, args=(engines[i % 2],)) for i in range(6)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    for engine in engines:
        engine.dispose()
    assert sorted(taken) == list(range(1, 361))


def test_the_serial_space_ends_with_a_clear_refusal(registry, company):
    with registry.engine.begin() as connection:
        connection.execute(
            tables.code_counters.insert().values(
                prefix="11010500000", last_serial=codes.LAST_SERIAL
            )
        )
    with pytest.raises(RuleViolated) as refused:
        registry.register(company)
    assert refused.value.field == "district"
