"""The rules of filing, on plain state: no store, no framework."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.errors import AlreadyExists, Forbidden, NotFound, RuleViolated
from contracts.filing import (
    AmendHotWork,
    AmendProject,
    AmendSupervisionReport,
    DraftHotWork,
    DraftProject,
    FireWatch,
    HotWorkPhotoKind,
    PhotoRef,
    SupervisionReport,
)
from services.common.validation import parse
from services.filing import domain
from services.filing.state import (
    evolve_hot_work,
    evolve_project,
    hot_work_missing,
    project_missing,
)
from tests.unit.conftest import (
    COMPANY,
    OTHER_COMPANY,
    enterprise,
    fire_watch_body,
    hot_work_body,
    photo,
    project_body,
    regulator,
    report_body,
)

ALL_PHOTOS = ("certificate", "group", "permit")


def applied(state, new_events, evolve):
    """`state` after `new_events`, numbered on from its version."""
    version = state["version"] if state else 0
    for offset, event in enumerate(new_events, start=1):
        envelope = {
            "type": event.type,
            "payload": event.payload,
            "stream_version": version + offset,
            "occurred_at": datetime.now(UTC).isoformat(),
        }
        state = evolve(state, envelope)
    return state


def project_state(permit_photo: bool = True, **fields):
    command = parse(DraftProject, project_body(**fields))
    project = applied(
        None, domain.draft_project("p1", COMPANY, command), evolve_project
    )
    if permit_photo:
        attach = domain.attach_permit_photo(project, parse(PhotoRef, photo()))
        project = applied(project, attach, evolve_project)
    return project


def hot_work_state(project=None, photos=ALL_PHOTOS, **fields):
    command = parse(DraftHotWork, hot_work_body(**fields))
    own, _ = domain.draft_hot_work("h1", project or project_state(), command)
    hot_work = applied(None, own, evolve_hot_work)
    for kind in photos:
        ref = parse(PhotoRef, photo(kind))
        events = domain.attach_hot_work_photo(hot_work, HotWorkPhotoKind(kind), ref)
        hot_work = applied(hot_work, events, evolve_hot_work)
    return hot_work


def with_fire_watch(hot_work, project=None):
    watch = parse(FireWatch, fire_watch_body())
    events = domain.file_fire_watch(project or project_state(), hot_work, watch)
    return applied(hot_work, events, evolve_hot_work)


def with_report(hot_work, now=None):
    report = parse(SupervisionReport, report_body())
    events = domain.file_report(hot_work, report, now or datetime.now(UTC))
    return applied(hot_work, events, evolve_hot_work)


# Completeness


def test_a_project_with_every_field_and_its_permit_photo_is_complete():
    assert project_missing(project_state()) == []


def test_project_missing_names_absent_fields_in_form_order():
    project = project_state(permit_photo=False, scale=None, address=None)

    assert project_missing(project) == ["address", "scale", "permit_photo"]


def test_a_project_without_permit_needs_no_issuer_and_no_permit_photo():
    project = project_state(
        permit_photo=False, permit_type="none", issuing_authority=None
    )

    assert project_missing(project) == []


def test_a_permitted_project_needs_its_issuer():
    assert project_missing(project_state(issuing_authority=None)) == [
        "issuing_authority"
    ]


def test_a_hot_work_with_every_field_and_photo_is_complete():
    assert hot_work_missing(hot_work_state()) == []


def test_hot_work_missing_names_absent_fields_and_photos():
    hot_work = hot_work_state(photos=("group",), worker_mobile=None, methods=None)

    assert hot_work_missing(hot_work) == [
        "worker_mobile",
        "methods",
        "photos.permit",
    ]


@pytest.mark.parametrize("method", ["electric_welding", "gas_welding", "cutting"])
def test_welding_and_cutting_need_the_certificate_photo(method):
    hot_work = hot_work_state(photos=("group", "permit"), methods=["grinding", method])

    assert hot_work_missing(hot_work) == ["photos.certificate"]


@pytest.mark.parametrize("method", ["grinding", "grinding_wheel", "blowtorch"])
def test_other_methods_need_no_certificate_photo(method):
    hot_work = hot_work_state(photos=("group", "permit"), methods=[method])

    assert hot_work_missing(hot_work) == []


# Fire watch and supervision report


def test_fire_watch_completes_a_complete_filing():
    hot_work = with_fire_watch(hot_work_state())

    assert hot_work["fire_watch"] == fire_watch_body()


def test_fire_watch_is_refused_naming_the_first_missing_project_field():
    project = project_state(permit_photo=False, contractor=None)
    hot_work = hot_work_state(project, photos=("group",))

    with pytest.raises(RuleViolated) as refused:
        with_fire_watch(hot_work, project)

    assert refused.value.field == "project.contractor"
    for part in ("project.permit_photo", "hot_work.photos.certificate"):
        assert part in refused.value.message


def test_fire_watch_is_refused_naming_the_first_missing_hot_work_part():
    hot_work = hot_work_state(photos=("certificate", "permit"), location=None)

    with pytest.raises(RuleViolated) as refused:
        with_fire_watch(hot_work)

    assert refused.value.field == "hot_work.location"
    assert "hot_work.photos.group" in refused.value.message


def test_a_supervision_report_needs_the_fire_watch_first():
    with pytest.raises(RuleViolated) as refused:
        with_report(hot_work_state())

    assert refused.value.field == "fire_watch"


def test_a_supervision_report_is_filed_once_only():
    hot_work = with_report(with_fire_watch(hot_work_state()))

    assert hot_work["report"] == report_body()
    with pytest.raises(AlreadyExists) as refused:
        with_report(hot_work)
    assert refused.value.field == "supervision_report"


def test_amending_a_report_keeps_the_fields_it_does_not_name():
    hot_work = with_report(with_fire_watch(hot_work_state()))
    change = parse(AmendSupervisionReport, {"description": "补充：已复查。"})

    hot_work = applied(hot_work, domain.amend_report(hot_work, change), evolve_hot_work)

    assert hot_work["report"] == {**report_body(), "description": "补充：已复查。"}


def test_a_withdrawn_report_can_be_filed_again():
    hot_work = with_report(with_fire_watch(hot_work_state()))

    hot_work = applied(hot_work, domain.withdraw_report(hot_work), evolve_hot_work)

    assert hot_work["report"] is None
    assert with_report(hot_work)["report"] == report_body()


def test_without_a_report_there_is_nothing_to_amend_or_withdraw():
    hot_work = with_fire_watch(hot_work_state())
    change = parse(AmendSupervisionReport, {"description": "x"})

    with pytest.raises(NotFound):
        domain.amend_report(hot_work, change)
    with pytest.raises(NotFound):
        domain.withdraw_report(hot_work)


# Amending and deleting


def test_amending_a_project_changes_only_the_fields_given():
    project = project_state()
    change = parse(AmendProject, {"scale": "15000平方米"})

    project = applied(project, domain.amend_project(project, change), evolve_project)

    assert project["fields"] == {**project_body(), "scale": "15000平方米"}
    assert project["version"] == 3


def test_amending_a_hot_work_to_end_before_its_start_is_refused():
    hot_work = hot_work_state()
    change = parse(AmendHotWork, {"end_at": "2025-06-02T07:00:00"})

    with pytest.raises(RuleViolated) as refused:
        domain.amend_hot_work(hot_work, change)

    assert refused.value.field == "end_at"


def test_amending_a_hot_work_window_forward_is_accepted():
    hot_work = hot_work_state()
    change = parse(AmendHotWork, {"end_at": "2025-06-02T18:30:00"})

    hot_work = applied(
        hot_work, domain.amend_hot_work(hot_work, change), evolve_hot_work
    )

    assert hot_work["fields"]["end_at"] == "2025-06-02T10:30:00Z"


def test_an_incomplete_hot_work_is_deleted_and_unlinked_from_its_project():
    project = project_state()
    command = parse(DraftHotWork, hot_work_body())
    own, link = domain.draft_hot_work("h1", project, command)
    project = applied(project, link, evolve_project)
    hot_work = applied(None, own, evolve_hot_work)

    gone, unlink = domain.delete_hot_work(hot_work)

    assert applied(hot_work, gone, evolve_hot_work)["deleted"]
    assert applied(project, unlink, evolve_project)["hot_works"] == []


def test_a_complete_filing_cannot_be_deleted():
    with pytest.raises(RuleViolated):
        domain.delete_hot_work(with_fire_watch(hot_work_state()))


def test_a_project_with_hot_works_cannot_be_deleted():
    project = project_state()
    _, link = domain.draft_hot_work("h1", project, parse(DraftHotWork, {}))
    project = applied(project, link, evolve_project)

    with pytest.raises(RuleViolated) as refused:
        domain.delete_project(project)

    assert refused.value.field == "hot_works"


# Who may file


def test_only_an_enterprise_user_files_and_for_its_own_company():
    assert domain.owner_of(enterprise()) == COMPANY
    for actor in (regulator(), {"role": "enterprise"}, {}):
        with pytest.raises(Forbidden):
            domain.owner_of(actor)


def test_another_companys_record_answers_as_absent():
    project = project_state()

    assert domain.check_owner(project, enterprise(), "project") is project
    with pytest.raises(NotFound):
        domain.check_owner(project, enterprise(OTHER_COMPANY), "project")
    deleted = {**project, "deleted": True}
    with pytest.raises(NotFound):
        domain.check_owner(deleted, enterprise(), "project")


def test_no_supervision_report_before_the_work_starts():
    hot_work = with_fire_watch(hot_work_state())
    before_start = datetime(2025, 6, 1, tzinfo=UTC)

    with pytest.raises(RuleViolated) as refused:
        with_report(hot_work, now=before_start)

    assert refused.value.field == "supervision_report"


def test_a_filed_hot_work_cannot_be_amended_into_an_incomplete_one():
    hot_work = with_fire_watch(hot_work_state(methods=["grinding"], certificate=None))
    welding = parse(AmendHotWork, {"methods": ["electric_welding"]})

    with pytest.raises(RuleViolated) as refused:
        domain.amend_hot_work(hot_work, welding)

    assert refused.value.field.startswith("hot_work.")
