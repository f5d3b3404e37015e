"""Registrations per second and search latency at 100,000 devices.

    python -m services.devices.bench [--devices 100000] [--registrations 2000]

Works in throwaway PostgreSQL databases (dropped at the end) on
BENCH_PG_ADMIN_URL, default postgresql://postgres@127.0.0.1:5432/postgres.
Registrations go through the real command path (validation, code counter,
MAC claim, sealed password, events, read row) from several threads; the
same rows are then inserted by plain SQL into a second database, one
transaction per device, for the raw speed of PostgreSQL beside it. The rest
of the population is bulk-loaded into the read tables only, since search
reads nothing else.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import psycopg2
from sqlalchemy import Engine, create_engine, insert, select

from contracts.devices import DeviceSearch, SipPlatform
from contracts.values import DISTRICTS
from services.common.codes import credit_code_check_char
from services.common.logging import configure_logging
from services.common.requests import Request
from services.devices import codes, tables
from services.devices.commands import DeviceCommands
from services.devices.passwords import PasswordBox, SecretVault
from services.devices.reads import Reader
from services.devices.settings import CodeDigits
from services.devices.store import DeviceEventStore

ADMIN = os.environ.get(
    "BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
WORDS = ["东门", "西门", "塔吊", "基坑", "North", "Gate", "Crane", "Yard", "仓库"]
PLATFORM = SipPlatform(server_id="1" * 20, domain="1" * 10, host="127.0.0.1", port=1)


def main() -> None:
    arguments = _arguments()
    configure_logging("WARNING")
    rng = random.Random(7)
    owners = [_credit_code(n) for n in range(arguments.devices // 100)]
    measured, raw = _database("measured"), _database("raw")
    try:
        engine = create_engine(measured, pool_size=arguments.threads)
        store = DeviceEventStore(engine, "devices")
        store.create_schema()
        tables.metadata.create_all(engine)
        vault = SecretVault(PasswordBox("bench-key-" + "b" * 32))
        commands = DeviceCommands(store, vault, CodeDigits())

        rate = _registrations(commands, owners, rng, arguments)
        raw_rate = _raw_inserts(
            engine, store, create_engine(raw, pool_size=8), arguments
        )
        _bulk_load(
            engine, vault, owners, rng, arguments.devices - arguments.registrations
        )
        reader = Reader(vault, PLATFORM)
        owner_ms = _searches(engine, reader, rng, lambda: _owner(rng, owners))
        regulator_ms = _searches(engine, reader, rng, lambda: _regulator(rng))
        engine.dispose()
    finally:
        _drop(measured)
        _drop(raw)
    print(f"devices in the registry:        {arguments.devices:>10,}")
    print(
        f"registrations/s (command path): {rate:>10,.0f}  ({arguments.threads} threads)"
    )
    print(f"raw PostgreSQL, same rows:      {raw_rate:>10,.0f}  devices/s")
    _report("search, enterprise (q=word)", owner_ms)
    _report("search, regulator (district)", regulator_ms)


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--registrations", type=int, default=2_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--searches", type=int, default=200)
    return parser.parse_args()


def _registrations(commands, owners, rng, arguments) -> float:
    bodies = [_body(rng, n) for n in range(arguments.registrations)]

    def register(n: int) -> None:
        actor = {"role": "enterprise", "credit_code": owners[n % len(owners)]}
        commands.register(Request(actor, f"bench-{n}"), bodies[n])

    started = time.perf_counter()
    with ThreadPoolExecutor(arguments.threads) as pool:
        list(pool.map(register, range(arguments.registrations)))
    return arguments.registrations / (time.perf_counter() - started)


def _raw_inserts(source: Engine, store, target: Engine, arguments) -> float:
    """The rows registration wrote, inserted again by plain SQL."""
    store_copy = DeviceEventStore(target, "devices")
    store_copy.create_schema()
    tables.metadata.create_all(target)
    with source.connect() as connection:
        per_table = {
            table: [row._asdict() for row in connection.execute(select(table))]
            for table in (tables.registry, tables.live_macs, tables.secrets)
        }
        events = [r._asdict() for r in connection.execute(select(store.events))]
    work = list(
        zip(
            events,
            per_table[tables.registry],
            per_table[tables.live_macs],
            per_table[tables.secrets],
            strict=True,
        )
    )

    def insert_one(rows) -> None:
        event, registry_row, mac_row, secret_row = rows
        event = {k: v for k, v in event.items() if k != "position"}
        key = codes.counter_key(registry_row["district"], CodeDigits())
        with target.begin() as connection:
            codes.next_serial(connection, key)
            connection.execute(insert(tables.live_macs).values(mac_row))
            connection.execute(insert(tables.secrets).values(secret_row))
            connection.execute(insert(store_copy.events).values(event))
            connection.execute(insert(tables.registry).values(registry_row))

    started = time.perf_counter()
    with ThreadPoolExecutor(arguments.threads) as pool:
        list(pool.map(insert_one, work))
    elapsed = time.perf_counter() - started
    target.dispose()
    return len(work) / elapsed


def _bulk_load(engine, vault, owners, rng, count: int) -> None:
    now = datetime.now(UTC)
    for start in range(0, count, 5_000):
        rows, secrets = [], []
        for n in range(start, min(count, start + 5_000)):
            device_id, secret_id = str(uuid.uuid4()), str(uuid.uuid4())
            district = rng.choice(list(DISTRICTS))
            name = _name(rng, n)
            allocated = codes.codes_for(district, CodeDigits("99", "9"), n + 1)
            rows.append(
                {
                    "device_id": device_id,
                    "code": allocated.code,
                    "channel_code": allocated.channel_code,
                    "owner": owners[n % len(owners)],
                    "district": district,
                    "name": name,
                    "name_key": name.casefold(),
                    "brand": "dahua",
                    "mac": f"{0x0A0000000000 + 2 * n:012x}",
                    "ip": "127.0.0.1",
                    "unit": "unit",
                    "contact": "contact",
                    "contact_phone": "13800138000",
                    "password_ref": secret_id,
                    "version": 1,
                    "removed": False,
                    "created_at": now - timedelta(seconds=n),
                    "updated_at": now,
                }
            )
            secrets.append(
                {
                    "secret_id": secret_id,
                    "device_id": device_id,
                    "key_id": vault.box.key_id,
                    "ciphertext": vault.box.seal(device_id, "Abc12345"),
                    "created_at": now,
                }
            )
        with engine.begin() as connection:
            connection.execute(insert(tables.registry), rows)
            connection.execute(insert(tables.secrets), secrets)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def _searches(engine, reader, rng, actor_of) -> list[float]:
    timings = []
    with engine.connect() as connection:
        for _ in range(200):
            criteria = DeviceSearch(q=rng.choice(WORDS).lower(), page_size=20)
            actor = actor_of()
            started = time.perf_counter()
            reader.search(connection, actor, criteria)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _report(label: str, timings: list[float]) -> None:
    cuts = statistics.quantiles(timings, n=100)
    print(f"{label + ':':<32}{cuts[49]:>10.1f} ms p50 {cuts[98]:>8.1f} ms p99")


def _owner(rng, owners) -> dict:
    return {"role": "enterprise", "credit_code": rng.choice(owners)}


def _regulator(rng) -> dict:
    return {"role": "regulator", "districts": [rng.choice(list(DISTRICTS))]}


def _body(rng, n: int) -> dict:
    return {
        "name": _name(rng, n),
        "brand": "hikvision",
        "password": "Abc12345",
        "mac": f"{0x020000000000 + 2 * n:012x}",
        "unit": "unit",
        "district": rng.choice(list(DISTRICTS)),
        "contact": "contact",
        "contact_phone": "13800138000",
    }


def _name(rng, n: int) -> str:
    return f"{rng.choice(WORDS)} {rng.choice(WORDS)} {n}"


def _credit_code(n: int) -> str:
    body = f"91110105{n:08d}X"
    return body + credit_code_check_char(body)


def _database(role: str) -> str:
    name = f"hotwork_devices_bench_{role}_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(ADMIN)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return ADMIN.rsplit("/", 1)[0] + f"/{name}"


def _drop(url: str) -> None:
    admin = psycopg2.connect(ADMIN)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(
            f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'
        )
    admin.close()


if __name__ == "__main__":
    main()
