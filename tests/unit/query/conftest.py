from __future__ import annotations

import pytest

from services.query import rebuild, tables
from services.query.projector import Projector
from tests.unit.conftest import Filer


@pytest.fixture
def make_model(make_db):
    """Fresh query databases with their tables, one per name."""

    def make(name: str = "query"):
        engine = make_db(name)
        tables.metadata.create_all(engine)
        return engine

    return make


@pytest.fixture
def model(make_model):
    return make_model()


@pytest.fixture
def projector(model, store) -> Projector:
    return Projector(model, store.load)


@pytest.fixture
def filer(store) -> Filer:
    return Filer(store)


@pytest.fixture
def project_all(store, projector):
    """Apply every event in the store, in store order; the live rows."""

    def apply() -> dict:
        for event in store.read_all(0, 10_000):
            projector.apply(event)
        return rebuild.live_rows(projector.engine)

    return apply
