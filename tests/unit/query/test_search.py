"""Searching the filing list that the projector made from real events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.errors import Forbidden
from contracts.query import SearchCriteria
from contracts.values import SHANGHAI
from services.common.eventstore import EventStore
from services.common.validation import parse
from services.query import search, tables
from services.query.projector import Projector
from tests.unit.conftest import (
    BACKENDS,
    CHAOYANG,
    MIYUN,
    OTHER_COMPANY,
    Filer,
    enterprise,
    new_engine,
    regulator,
)

NOON = datetime(2025, 6, 2, 12, 0, tzinfo=SHANGHAI)


def window(start: str, end: str) -> dict:
    return {"start_at": f"2025-06-{start}:00", "end_at": f"2025-06-{end}:00"}


@pytest.fixture(scope="module", params=BACKENDS)
def filings(request, tmp_path_factory):
    """Six filings on 1 and 2 June 2025 (Beijing time), projected; ids by name.

    mine_ended   Chaoyang, complete, reported, 08:00-17:00 on the 2nd
    mine_later   Chaoyang, complete, 13:00-15:00 on the 2nd
    mine_dawn    Chaoyang, incomplete, 06:00-07:00 on the 2nd (the 1st in UTC)
    mine_miyun   Miyun, complete, 09:00-10:00 on the 2nd
    theirs       another company, Chaoyang, complete, 10:00-11:00 on the 2nd
    mine_before  Chaoyang, complete, 09:00-10:00 on the 1st
    """
    database = None
    if request.param == "postgresql":
        database = request.getfixturevalue("pg_database")
    folder = tmp_path_factory.mktemp("search")
    store = EventStore(new_engine(folder, database, "store"), "filing")
    store.create_schema()
    model = new_engine(folder, database, "query")
    tables.metadata.create_all(model)

    mine, other = Filer(store), Filer(store, OTHER_COMPANY)
    chaoyang = mine.project()
    ids = {
        "mine_ended": mine.complete(True, chaoyang, **window("02T08", "02T17")),
        "mine_later": mine.complete(False, chaoyang, **window("02T13", "02T15")),
        "mine_dawn": mine.hot_work(chaoyang, (), **window("02T06", "02T07")),
        "mine_miyun": mine.complete(
            project=mine.project(district=MIYUN), **window("02T09", "02T10")
        ),
        "theirs": other.complete(**window("02T10", "02T11")),
        "mine_before": mine.complete(False, chaoyang, **window("01T09", "01T10")),
    }
    projector = Projector(model, store.load)
    for event in store.read_all(0, 1000):
        projector.apply(event)
    yield model, store, {value: name for name, value in ids.items()}
    model.dispose()
    store.engine.dispose()


def found(filings, actor, now=NOON, **criteria) -> list[str]:
    return [
        names_of(filings)[i["id"]]
        for i in run(filings, actor, now, **criteria)["items"]
    ]


def names_of(filings) -> dict:
    return filings[2]


def run(filings, actor, now=NOON, **criteria) -> dict:
    model = filings[0]
    asked = parse(SearchCriteria, {"page_size": 50, **criteria})
    with model.connect() as connection:
        return search.search(connection, actor, asked, now)


def test_an_enterprise_sees_its_own_filings_of_today_latest_first(filings):
    assert found(filings, enterprise()) == [
        "mine_later",
        "mine_miyun",
        "mine_ended",
        "mine_dawn",
    ]


def test_another_enterprise_sees_only_its_own(filings):
    assert found(filings, enterprise(OTHER_COMPANY)) == ["theirs"]


def test_today_is_the_beijing_day_of_now(filings):
    early_on_the_2nd = datetime(2025, 6, 1, 17, 0, tzinfo=UTC)  # 01:00 in Beijing
    late_on_the_1st = datetime(2025, 6, 1, 15, 0, tzinfo=UTC)  # 23:00 in Beijing

    assert "mine_dawn" in found(filings, enterprise(), early_on_the_2nd)
    assert "mine_before" not in found(filings, enterprise(), early_on_the_2nd)
    assert found(filings, enterprise(), late_on_the_1st) == ["mine_before"]


def test_a_date_range_covers_whole_beijing_days(filings):
    names = found(filings, enterprise(), **{"from": "2025-06-01", "to": "2025-06-02"})

    assert sorted(names) == sorted(
        ["mine_ended", "mine_later", "mine_dawn", "mine_miyun", "mine_before"]
    )
    assert found(filings, enterprise(), **{"from": "2025-06-03"}) == []


@pytest.mark.parametrize(
    "status, names",
    [
        ("before", ["mine_later"]),
        ("during", ["mine_ended"]),
        ("after", ["mine_miyun", "mine_dawn"]),
    ],
)
def test_status_comes_from_the_clock_at_search_time(filings, status, names):
    assert found(filings, enterprise(), status=status) == names
    items = run(filings, enterprise(), status=status)["items"]
    assert {item["status"] for item in items} == {status}


def test_the_same_filing_changes_status_as_time_passes(filings):
    def status_at(hour: int) -> str:
        now = datetime(2025, 6, 2, hour, 0, tzinfo=SHANGHAI)
        items = run(filings, enterprise(), now)["items"]
        return next(
            i["status"] for i in items if names_of(filings)[i["id"]] == "mine_later"
        )

    assert [status_at(h) for h in (12, 13, 14, 15, 16)] == [
        "before",
        "during",
        "during",
        "during",
        "after",
    ]


def test_completion_is_ended_only_with_a_supervision_report(filings):
    assert found(filings, enterprise(), completion="ended") == ["mine_ended"]
    assert found(filings, enterprise(), completion="pending") == [
        "mine_later",
        "mine_miyun",
        "mine_dawn",
    ]
    items = run(filings, enterprise())["items"]
    by_name = {names_of(filings)[i["id"]]: i["completion"] for i in items}
    assert by_name["mine_ended"] == "ended" and by_name["mine_later"] == "pending"


def test_the_incomplete_filter_finds_filings_still_missing_parts(filings):
    assert found(filings, enterprise(), incomplete=True) == ["mine_dawn"]
    assert "mine_dawn" not in found(filings, enterprise(), incomplete=False)


def test_an_enterprise_may_narrow_by_district(filings):
    assert found(filings, enterprise(), district=[MIYUN]) == ["mine_miyun"]


def test_a_regulator_sees_complete_filings_of_its_districts_only(filings):
    assert found(filings, regulator(CHAOYANG)) == [
        "mine_later",
        "theirs",
        "mine_ended",
    ]
    assert found(filings, regulator(CHAOYANG, MIYUN), district=[MIYUN]) == [
        "mine_miyun"
    ]


def test_a_regulator_asking_for_another_district_is_forbidden(filings):
    with pytest.raises(Forbidden) as refused:
        run(filings, regulator(CHAOYANG), district=[MIYUN])

    assert refused.value.field == "district"


@pytest.mark.parametrize(
    "actor",
    [{}, {"role": "regulator", "districts": []}, {"role": "enterprise"}],
    ids=["nobody", "regulator-without-district", "enterprise-without-code"],
)
def test_anyone_else_gets_no_access(filings, actor):
    with pytest.raises(Forbidden):
        run(filings, actor)


def test_pages_split_the_list_and_keep_the_total(filings):
    pages = [run(filings, enterprise(), page=n, page_size=3) for n in (1, 2, 3)]

    assert [page["total"] for page in pages] == [4, 4, 4]
    assert [len(page["items"]) for page in pages] == [3, 1, 0]
    ids = [item["id"] for page in pages for item in page["items"]]
    assert [names_of(filings)[i] for i in ids] == found(filings, enterprise())


def test_items_carry_times_in_beijing_time_and_the_summary(filings):
    items = run(filings, enterprise(), status="before")["items"]

    assert items[0]["start_at"] == "2025-06-02T13:00:00+08:00"
    assert items[0]["end_at"] == "2025-06-02T15:00:00+08:00"
    assert items[0]["summary"]["location"] == "三层东侧管井"
    assert items[0]["incomplete"] is False


def test_a_project_without_hot_work_is_listed_today_as_incomplete(
    filer, model, project_all
):
    project_id = filer.project(photo_attached=False)
    project_all()
    criteria = parse(SearchCriteria, {})
    now = datetime.now(UTC)

    with model.connect() as connection:
        mine = search.search(connection, enterprise(), criteria, now)
        official = search.search(connection, regulator(CHAOYANG), criteria, now)

    assert [item["id"] for item in mine["items"]] == [project_id]
    assert mine["items"][0]["status"] is None
    assert mine["items"][0]["incomplete"] is True
    assert official["total"] == 0


def test_a_hot_work_drafted_with_only_its_start_is_listed_that_day(
    filer, model, project_all
):
    project_id = filer.project()
    hot_work_id = filer.hot_work(project_id, (), end_at=None)
    project_all()
    criteria = parse(SearchCriteria, {})

    with model.connect() as connection:
        mine = search.search(connection, enterprise(), criteria, NOON)

    assert [item["id"] for item in mine["items"]] == [hot_work_id]
    assert mine["items"][0]["incomplete"] is True
    next_day = datetime(2025, 6, 3, 12, 0, tzinfo=SHANGHAI)
    with model.connect() as connection:
        later = search.search(connection, enterprise(), criteria, next_day)
    assert later["total"] == 0
