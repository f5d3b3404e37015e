from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.ocr.engine import RapidTextEngine, shared_engine
from services.ocr.recogniser import Recogniser
from tests.support.factories import FIXTURES

DOCUMENTS = FIXTURES / "documents"


def document_photos() -> list[Path]:
    return sorted(DOCUMENTS.glob("*.jpg")) if DOCUMENTS.is_dir() else []


def label_of(photo: Path) -> dict:
    return json.loads(photo.with_suffix(".json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def engine() -> RapidTextEngine:
    """Loaded once: the models take seconds to load and are read-only."""
    return shared_engine()


@pytest.fixture(scope="session")
def recogniser(engine: RapidTextEngine) -> Recogniser:
    return Recogniser(engine)


@pytest.fixture(scope="session")
def photos() -> list[Path]:
    found = document_photos()
    if not found:
        pytest.skip(f"no document fixtures under {DOCUMENTS}")
    return found
