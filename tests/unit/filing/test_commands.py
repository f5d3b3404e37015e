"""The filing commands end to end on an SQLite store, without nameko."""

from __future__ import annotations

import uuid

import pytest

from contracts.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolated,
    VersionConflict,
)
from services.filing.commands import FilingCommands
from tests.unit.conftest import (
    OTHER_COMPANY,
    Filer,
    enterprise,
    fire_watch_body,
    hot_work_body,
    photo,
    project_body,
    regulator,
    report_body,
    request_of,
)


@pytest.fixture
def filer(sqlite_store) -> Filer:
    return Filer(sqlite_store)


@pytest.fixture
def commands(filer) -> FilingCommands:
    return filer.commands


def test_a_drafted_project_reads_back_with_what_it_still_misses(commands):
    answer = commands.draft_project(request_of(), project_body())

    project = commands.project(request_of(), answer["id"])

    assert (answer["version"], answer["replayed"]) == (1, False)
    assert project["fields"] == project_body()
    assert project["missing"] == ["permit_photo"]


def test_a_retried_draft_with_its_key_files_once(commands, sqlite_store):
    first = commands.draft_project(request_of(key="k1"), project_body())
    again = commands.draft_project(request_of(key="k1"), project_body())

    assert again == {**first, "replayed": True}
    assert len(sqlite_store.read_all(0, 10)) == 1


def test_a_key_reused_for_another_body_is_refused(commands):
    commands.draft_project(request_of(key="k1"), project_body())

    with pytest.raises(InvalidInput) as refused:
        commands.draft_project(request_of(key="k1"), project_body(scale="1平方米"))

    assert refused.value.field == "Idempotency-Key"


def test_keys_of_different_companies_do_not_collide(commands):
    mine = commands.draft_project(request_of(key="k1"), project_body())
    theirs = commands.draft_project(
        request_of(enterprise(OTHER_COMPANY), key="k1"), project_body()
    )

    assert theirs["id"] != mine["id"] and not theirs["replayed"]


def test_amend_with_the_current_version_applies(commands, filer):
    project_id = filer.project(photo_attached=False)

    answer = commands.amend_project(
        request_of(version=1), project_id, {"scale": "15000平方米"}
    )

    assert answer["version"] == 2
    assert commands.project(request_of(), project_id)["fields"]["scale"] == (
        "15000平方米"
    )


def test_amend_with_a_stale_version_conflicts_and_changes_nothing(commands, filer):
    project_id = filer.project(photo_attached=False)
    commands.amend_project(request_of(version=1), project_id, {"scale": "2平方米"})

    with pytest.raises(VersionConflict) as refused:
        commands.amend_project(request_of(version=1), project_id, {"scale": "3平方米"})

    assert refused.value.field == "If-Match"
    project = commands.project(request_of(), project_id)
    assert (project["version"], project["fields"]["scale"]) == (2, "2平方米")


def test_a_retried_amend_returns_the_first_answer(commands, filer):
    project_id = filer.project(photo_attached=False)
    body = {"scale": "2平方米"}
    first = commands.amend_project(request_of(key="a", version=1), project_id, body)

    again = commands.amend_project(request_of(key="a", version=1), project_id, body)

    assert again == {**first, "replayed": True}
    assert commands.project(request_of(), project_id)["version"] == 2


def test_drafting_a_hot_work_writes_its_stream_and_links_the_project(
    commands, filer, sqlite_store
):
    project_id = filer.project()

    answer = commands.draft_hot_work(request_of(), project_id, hot_work_body())

    hot_work = commands.hot_work(request_of(), answer["id"])
    project = commands.project(request_of(), project_id)
    assert (answer["version"], hot_work["project_id"]) == (1, project_id)
    assert project["hot_works"] == [answer["id"]]
    assert project["version"] == 3
    assert hot_work["missing"] == [
        "photos.certificate",
        "photos.group",
        "photos.permit",
    ]
    types = [e["type"] for e in sqlite_store.read_all(0, 10)]
    assert types[-2:] == ["hot_work.drafted", "project.hot_work_added"]


def test_a_whole_filing_from_draft_to_supervision_report(commands, filer):
    hot_work_id = filer.hot_work(filer.project())

    commands.file_fire_watch(request_of(), hot_work_id, fire_watch_body())
    answer = commands.file_report(request_of(), hot_work_id, report_body())

    hot_work = commands.hot_work(request_of(), hot_work_id)
    assert hot_work["missing"] == []
    assert hot_work["fire_watch"] == fire_watch_body()
    assert hot_work["report"] == report_body()
    assert answer["version"] == hot_work["version"] == 6


def test_fire_watch_on_an_incomplete_filing_is_refused_and_not_stored(commands, filer):
    hot_work_id = filer.hot_work(filer.project(), photos=("group",))

    with pytest.raises(RuleViolated) as refused:
        commands.file_fire_watch(request_of(), hot_work_id, fire_watch_body())

    assert refused.value.field == "hot_work.photos.certificate"
    assert commands.hot_work(request_of(), hot_work_id)["fire_watch"] is None


def test_an_incomplete_hot_work_is_deleted_and_leaves_its_project(commands, filer):
    project_id = filer.project()
    hot_work_id = filer.hot_work(project_id, photos=())

    commands.delete_hot_work(request_of(), hot_work_id)

    with pytest.raises(NotFound):
        commands.hot_work(request_of(), hot_work_id)
    assert commands.project(request_of(), project_id)["hot_works"] == []


def test_a_complete_filing_is_not_deleted(commands, filer):
    hot_work_id = filer.complete()

    with pytest.raises(RuleViolated):
        commands.delete_hot_work(request_of(), hot_work_id)

    assert commands.hot_work(request_of(), hot_work_id)["fire_watch"]


def test_another_company_finds_none_of_our_records(commands, filer):
    project_id = filer.project()
    hot_work_id = filer.hot_work(project_id)
    stranger = request_of(enterprise(OTHER_COMPANY))

    attempts = [
        lambda: commands.project(stranger, project_id),
        lambda: commands.hot_work(stranger, hot_work_id),
        lambda: commands.amend_project(stranger, project_id, {"scale": "1平方米"}),
        lambda: commands.draft_hot_work(stranger, project_id, hot_work_body()),
        lambda: commands.file_fire_watch(stranger, hot_work_id, fire_watch_body()),
        lambda: commands.delete_hot_work(stranger, hot_work_id),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            attempt()

    assert commands.hot_work(request_of(), hot_work_id)["version"] == 4


def test_a_regulator_may_not_file_or_change_anything(commands, filer):
    project_id = filer.project()
    hot_work_id = filer.hot_work(project_id)
    official = request_of(regulator())

    attempts = [
        lambda: commands.draft_project(official, project_body()),
        lambda: commands.amend_project(official, project_id, {"scale": "1平方米"}),
        lambda: commands.attach_permit_photo(official, project_id, photo()),
        lambda: commands.draft_hot_work(official, project_id, hot_work_body()),
        lambda: commands.file_fire_watch(official, hot_work_id, fire_watch_body()),
        lambda: commands.file_report(official, hot_work_id, report_body()),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            attempt()


def test_an_id_that_is_no_uuid_is_not_found(commands):
    with pytest.raises(NotFound):
        commands.project(request_of(), "../etc/passwd")
    with pytest.raises(NotFound):
        commands.hot_work(request_of(), str(uuid.uuid4()))
