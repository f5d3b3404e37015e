"""The table registry of construction units, its CSV import and its names."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.common.db import make_engine
from services.ocr.tables import metadata
from services.ocr.units import UnitMatch
from services.ocr.units.__main__ import import_file
from services.ocr.units.csvfile import read_units
from services.ocr.units.names import name_key
from services.ocr.units.table import TableRegistry

from .conftest import FIXTURES

JIAHE = "北京嘉禾建筑装饰有限责任公司"
JIAHE_CODE = "91110118923E942H3G"
OTHER_CODE = "9111011262PFRN1154"


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ocr.db'}"


@pytest.fixture
def registry(url: str) -> TableRegistry:
    engine = make_engine(url)
    metadata.create_all(engine)
    return TableRegistry(engine)


def test_names_fold_full_width_forms_and_whitespace() -> None:
    assert name_key(" 北京ＡＢＣ（集团）\u3000有限公司 ") == "北京ABC(集团)有限公司"
    assert name_key("北京东方园林有限公司") != name_key("北京东方园林有限责任公司")


def test_an_imported_unit_is_found_by_its_exact_name(registry) -> None:
    registry.import_units([(JIAHE, JIAHE_CODE)])
    assert registry.lookup(JIAHE) == UnitMatch(JIAHE_CODE, "registry")
    assert registry.lookup(f" {JIAHE} ") == UnitMatch(JIAHE_CODE, "registry")


def test_a_similar_name_is_not_a_match(registry) -> None:
    registry.import_units([(JIAHE, JIAHE_CODE)])
    assert registry.lookup("北京嘉禾建筑装饰有限公司") is None
    assert registry.lookup("北京嘉禾建筑装饰有限责任公") is None


def test_a_confirmed_pair_is_learned_as_such(registry) -> None:
    registry.learn(JIAHE, JIAHE_CODE)
    assert registry.lookup(JIAHE) == UnitMatch(JIAHE_CODE, "confirmed")


def test_learning_never_changes_an_admin_row(registry) -> None:
    registry.import_units([(JIAHE, JIAHE_CODE)])
    registry.learn(JIAHE, OTHER_CODE)
    assert registry.lookup(JIAHE) == UnitMatch(JIAHE_CODE, "registry")


def test_an_import_replaces_what_users_taught(registry) -> None:
    registry.learn(JIAHE, OTHER_CODE)
    registry.import_units([(JIAHE, JIAHE_CODE)])
    assert registry.lookup(JIAHE) == UnitMatch(JIAHE_CODE, "registry")
    assert registry.count() == {"admin": 1, "user": 0}


def test_users_who_disagree_leave_the_unit_unverified(registry) -> None:
    registry.learn(JIAHE, JIAHE_CODE)
    registry.learn(JIAHE, OTHER_CODE)
    assert registry.lookup(JIAHE) is None


def test_an_invalid_code_is_not_learned(registry) -> None:
    registry.learn(JIAHE, JIAHE_CODE[:-1] + "0")
    assert registry.lookup(JIAHE) is None


def test_the_csv_reader_reports_every_bad_row() -> None:
    text = (
        "\ufeffname,credit_code\n"
        f"{JIAHE},{JIAHE_CODE}\n"
        "北京某公司,91110118923E942H30\n"
        ",9111011262PFRN1154\n"
        f"{JIAHE},{OTHER_CODE}\n"
        "只有一列\n"
        "\n"
        f"北京东方园林有限公司,{OTHER_CODE.lower()}\n"
    )
    found = read_units(text)
    assert found.pairs == [(JIAHE, JIAHE_CODE), ("北京东方园林有限公司", OTHER_CODE)]
    assert [line.split(":")[0] for line in found.problems] == [
        "line 3",
        "line 4",
        "line 5",
        "line 6",
    ]
    assert "GB 32100" in found.problems[0]


def test_a_file_with_a_bad_row_imports_nothing(tmp_path, url, registry) -> None:
    csv = tmp_path / "units.csv"
    csv.write_text(f"name,credit_code\n{JIAHE},{JIAHE_CODE}\nX,123\n", encoding="utf-8")
    assert import_file(csv, url) == 1
    assert registry.lookup(JIAHE) is None


def test_the_shared_units_file_imports_whole(url, registry) -> None:
    units = FIXTURES / "units.csv"
    if not units.is_file():
        pytest.skip(f"no {units}")
    assert import_file(units, url) == 0
    assert registry.count()["admin"] == 767
    assert registry.lookup(JIAHE) == UnitMatch(JIAHE_CODE, "registry")


def test_a_registry_url_selects_the_http_adapter(monkeypatch, registry) -> None:
    from services.ocr.dependencies import unit_registry
    from services.ocr.units.http import HttpRegistry

    monkeypatch.delenv("UNIT_REGISTRY_URL", raising=False)
    assert isinstance(unit_registry(registry.engine), TableRegistry)
    monkeypatch.setenv("UNIT_REGISTRY_URL", "http://127.0.0.1:9/units")
    monkeypatch.setenv("UNIT_REGISTRY_TIMEOUT", "0.5")
    chosen = unit_registry(registry.engine)
    assert isinstance(chosen, HttpRegistry) and chosen.timeout == 0.5
