"""Fixtures for the registry: SQLite stores, commands, readers, bodies."""

from __future__ import annotations

import itertools
import os
import uuid

import psycopg2
import pytest
from sqlalchemy import create_engine

from contracts.devices import SipPlatform
from services.common.db import make_engine
from services.common.requests import Request
from services.devices import tables
from services.devices.commands import DeviceCommands
from services.devices.passwords import PasswordBox, SecretVault
from services.devices.reads import Reader
from services.devices.settings import CodeDigits
from services.devices.store import DeviceEventStore
from tests.support.factories import new_credit_code

KEY = "unit-test-key-" + "k" * 32
PLATFORM = SipPlatform(
    server_id="11010000902007000001", domain="1101000090", host="127.0.0.1", port=5060
)
PG_ADMIN = os.environ.get(
    "TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
_macs = itertools.count(0x020000000001)


def new_mac() -> str:
    """A fresh locally administered unicast MAC, as bare hex."""
    return f"{next(_macs):012x}"


def device_body(**overrides) -> dict:
    body = {
        "name": "东门塔吊 Camera",
        "brand": "hikvision",
        "password": "Abc12345",
        "mac": new_mac(),
        "unit": "北京某建设有限公司",
        "district": "110105",
        "contact": "张三",
        "contact_phone": "13800138000",
    }
    return {**body, **overrides}


class Registry:
    """Commands and reads over one engine, as the service wires them."""

    def __init__(self, engine, digits: CodeDigits | None = None):
        self.engine = engine
        self.store = DeviceEventStore(engine, "devices")
        self.store.create_schema()
        tables.metadata.create_all(engine)
        self.vault = SecretVault(PasswordBox(KEY))
        self.commands = DeviceCommands(self.store, self.vault, digits or CodeDigits())
        self.reader = Reader(self.vault, PLATFORM)

    def request(self, actor, key=None, version=None) -> Request:
        return Request(actor, "corr-" + uuid.uuid4().hex[:8], key, version)

    def register(self, actor, **overrides) -> dict:
        return self.commands.register(self.request(actor), device_body(**overrides))

    def details(self, actor, device_id) -> dict:
        with self.engine.connect() as connection:
            return self.reader.details(connection, actor, device_id)

    def search(self, actor, criteria) -> dict:
        with self.engine.connect() as connection:
            return self.reader.search(connection, actor, criteria)


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/devices.db")
    yield engine
    engine.dispose()


@pytest.fixture
def registry(engine) -> Registry:
    return Registry(engine)


@pytest.fixture
def company() -> dict:
    return {"role": "enterprise", "credit_code": new_credit_code()}


@pytest.fixture
def other_company() -> dict:
    return {"role": "enterprise", "credit_code": new_credit_code()}


@pytest.fixture
def postgres_url():
    """A throwaway PostgreSQL database, dropped afterwards."""
    name = f"hotwork_devices_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect(PG_ADMIN)
    except psycopg2.OperationalError as error:
        pytest.skip(f"PostgreSQL is not reachable: {error}")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def postgres_engine(postgres_url):
    engine = create_engine(postgres_url, pool_size=8)
    yield engine
    engine.dispose()
