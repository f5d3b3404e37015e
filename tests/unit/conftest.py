"""Fixtures shared by the unit suites of the core runtime.

Store-level tests run against SQLite (a file per test) and PostgreSQL (a
throwaway database per session on 127.0.0.1:5432, a schema per test). The
PostgreSQL cases skip with a message when no server answers there.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterator

import psycopg2
import pytest
from sqlalchemy import Engine

from services.common.db import make_engine
from services.common.eventstore import EventStore, Metadata
from services.common.requests import Request
from services.filing.commands import FilingCommands

PG_SERVER = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
BACKENDS = ["sqlite", "postgresql"]

COMPANY = "91110118923E942H3G"
OTHER_COMPANY = "9111011262PFRN1154"
CHAOYANG, MIYUN = "110105", "110118"
ID_NUMBER = "11010519491231002X"


# PostgreSQL


def _admin_connection():
    connection = psycopg2.connect(dbname="postgres", connect_timeout=3, **PG_SERVER)
    connection.autocommit = True
    return connection


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """The name of a database made for this session and dropped after it."""
    try:
        admin = _admin_connection()
    except psycopg2.OperationalError as error:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is unreachable: {error}")
    name = f"hotwork_unit_{secrets.token_hex(6)}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    yield name
    admin = _admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def pg_url(database: str, schema: str | None = None) -> str:
    url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{database}"
    return f"{url}?options=-csearch_path%3D{schema}" if schema else url


# Engines, one per name and test, on the backend the test is parametrised with


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


def new_engine(folder, database: str | None, name: str) -> Engine:
    """An engine on an empty database: a file in `folder`, or a schema."""
    if database is None:
        return make_engine(f"sqlite:///{folder / name}.db")
    schema = f"t_{secrets.token_hex(6)}_{name}"
    with psycopg2.connect(dbname=database, **PG_SERVER) as setup:
        setup.cursor().execute(f'CREATE SCHEMA "{schema}"')
    setup.close()
    return make_engine(pg_url(database, schema), pool_size=8)


@pytest.fixture
def make_db(request, backend, tmp_path) -> Iterator[Callable[[str], Engine]]:
    """Engines on fresh, empty databases of `backend`, one per name."""
    engines: list[Engine] = []
    database = request.getfixturevalue("pg_database") if backend != "sqlite" else None

    def make(name: str = "main") -> Engine:
        engines.append(new_engine(tmp_path, database, name))
        return engines[-1]

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture
def store(make_db) -> EventStore:
    store = EventStore(make_db("store"), "filing")
    store.create_schema()
    return store


@pytest.fixture
def sqlite_store(tmp_path) -> EventStore:
    store = EventStore(make_engine(f"sqlite:///{tmp_path}/filing.db"), "filing")
    store.create_schema()
    yield store
    store.engine.dispose()


# Actors, metadata and requests


def enterprise(credit_code: str = COMPANY) -> dict:
    return {"role": "enterprise", "credit_code": credit_code, "subject": "u1"}


def regulator(*districts: str) -> dict:
    return {"role": "regulator", "districts": list(districts or [CHAOYANG])}


def metadata(actor: dict | None = None) -> Metadata:
    return Metadata(actor=actor or enterprise(), correlation_id=uuid.uuid4().hex)


def request_of(actor: dict | None = None, key=None, version=None) -> Request:
    return Request(actor or enterprise(), uuid.uuid4().hex, key, version)


# Bodies, each a valid complete part; overrides replace or (None) drop fields


def _with(body: dict, overrides: dict) -> dict:
    body = {**body, **overrides}
    return {name: value for name, value in body.items() if value is not None}


def project_body(**overrides) -> dict:
    return _with(
        {
            "project_type": "renovation",
            "permit_type": "construction_permit",
            "permit_number": "110105202506020101",
            "construction_unit": "北京城建示范有限公司",
            "construction_unit_credit_code": COMPANY,
            "industry_authority": "朝阳区住房和城乡建设委员会",
            "project_name": "望京综合楼内装修工程",
            "contractor": "北京示范建筑工程有限公司",
            "district": CHAOYANG,
            "address": "朝阳区望京街10号",
            "coordinates": {"latitude": 39.99, "longitude": 116.47, "system": "GCJ-02"},
            "scale": "12000平方米",
            "issuing_authority": "朝阳区住房和城乡建设委员会",
        },
        overrides,
    )


def hot_work_body(**overrides) -> dict:
    return _with(
        {
            "location": "三层东侧管井",
            "worker_name": "张三",
            "worker_mobile": "13800138000",
            "start_at": "2025-06-02T08:00:00",
            "end_at": "2025-06-02T17:00:00",
            "methods": ["electric_welding"],
            "certificate": {
                "number": "110113197912039878",
                "name": "张三",
                "sex": "男",
                "category": "焊接与热切割作业",
                "operation": "熔化焊接与热切割作业",
                "valid_from": "2022-03-03",
                "valid_to": "2028-03-02",
                "issuer": "北京市应急管理局",
            },
        },
        overrides,
    )


def photo(seed: str = "photo") -> dict:
    digest = uuid.uuid5(uuid.NAMESPACE_URL, seed).hex * 2
    return {"sha256": digest, "content_type": "image/jpeg", "size": 1024}


def fire_watch_body(**overrides) -> dict:
    return _with({"name": "李四", "mobile": "13900139000"}, overrides)


def report_body(**overrides) -> dict:
    return _with(
        {
            "description": "作业结束，现场已清理，无遗留火种。",
            "site_photo": photo("site")["sha256"],
            "after_work_photo": photo("after")["sha256"],
            "signed_permit_photo": photo("signed")["sha256"],
        },
        overrides,
    )


# Whole filings through the command handlers


class Filer:
    """Files projects and hot works step by step for one company."""

    def __init__(self, store: EventStore, credit_code: str = COMPANY):
        self.commands = FilingCommands(store)
        self.actor = enterprise(credit_code)

    def request(self, **options) -> Request:
        return request_of(self.actor, **options)

    def project(self, photo_attached: bool = True, **fields) -> str:
        answer = self.commands.draft_project(self.request(), project_body(**fields))
        if photo_attached:
            self.commands.attach_permit_photo(
                self.request(), answer["id"], photo("permit-" + answer["id"])
            )
        return answer["id"]

    def hot_work(
        self, project_id: str, photos: tuple = ("certificate", "group", "permit"), **f
    ) -> str:
        body = hot_work_body(**f)
        answer = self.commands.draft_hot_work(self.request(), project_id, body)
        for kind in photos:
            self.commands.attach_hot_work_photo(
                self.request(), answer["id"], kind, photo(kind + answer["id"])
            )
        return answer["id"]

    def fire_watch(self, hot_work_id: str) -> None:
        self.commands.file_fire_watch(self.request(), hot_work_id, fire_watch_body())

    def report(self, hot_work_id: str) -> None:
        self.commands.file_report(self.request(), hot_work_id, report_body())

    def complete(self, report: bool = False, project=None, **hot_work) -> str:
        """A complete filing (fire watch filed); the hot work's id."""
        hot_work_id = self.hot_work(project or self.project(), **hot_work)
        self.fire_watch(hot_work_id)
        if report:
            self.report(hot_work_id)
        return hot_work_id
