"""Integration fixtures: the services as processes on a fresh database and vhost."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.support import databases
from tests.support.factories import new_credit_code
from tests.support.suite import Suite

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def database_url():
    try:
        url = databases.create_database()
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"PostgreSQL is needed for integration tests: {error}")
    yield url
    databases.drop_database(url)


@pytest.fixture(scope="session")
def amqp_uri():
    uri, vhost = databases.create_vhost()
    yield uri
    databases.delete_vhost(vhost)


@pytest.fixture(scope="session")
def suite(database_url, amqp_uri):
    with tempfile.TemporaryDirectory(prefix="hotwork-suite-") as workdir:
        running = Suite(Path(workdir), database_url, amqp_uri)
        try:
            # Inside the try: a suite that fails to come up is still stopped.
            running.start()
            yield running
        finally:
            running.stop()


@pytest.fixture
def company(suite):
    """A fresh enterprise: its own credit code and auth headers."""
    code = new_credit_code()
    return {
        "credit_code": code,
        "headers": suite.headers(role="enterprise", credit_code=code),
    }
