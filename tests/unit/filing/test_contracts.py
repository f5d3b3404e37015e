"""Filing bodies as a client sends them: what is accepted, what names a field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.errors import InvalidInput
from contracts.filing import DraftHotWork, DraftProject, FireWatch
from services.common.validation import parse
from tests.unit.conftest import ID_NUMBER, hot_work_body, project_body


def refused_field(model, body) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        parse(model, body)
    return refused.value


def test_a_credit_code_with_a_wrong_check_character_is_refused():
    error = refused_field(
        DraftProject, project_body(construction_unit_credit_code="91110118923E942H3A")
    )

    assert error.field == "construction_unit_credit_code"
    assert "GB 32100" in error.message


def test_a_credit_code_typed_in_lower_case_is_accepted_in_capitals():
    body = project_body(construction_unit_credit_code="91110118923e942h3g")

    project = parse(DraftProject, body)

    assert project.construction_unit_credit_code == "91110118923E942H3G"


@pytest.mark.parametrize(
    "district, accepted", [("110105", True), ("110302", True), ("310101", False)]
)
def test_only_beijing_district_codes_are_accepted(district, accepted):
    body = project_body(district=district)

    if accepted:
        assert parse(DraftProject, body).district == district
    else:
        assert refused_field(DraftProject, body).field == "district"


def test_a_draft_project_names_its_project_and_permit_type():
    body = project_body(project_type=None)

    assert refused_field(DraftProject, body).field == "project_type"


def test_a_nested_value_out_of_range_is_named_by_its_path():
    body = project_body(coordinates={"latitude": 91, "longitude": 116.4})

    assert refused_field(DraftProject, body).field == "coordinates.latitude"


@pytest.mark.parametrize("mobile", ["12800138000", "1380013800", "138001380000"])
def test_a_mobile_number_must_be_a_mainland_mobile(mobile):
    assert refused_field(DraftHotWork, hot_work_body(worker_mobile=mobile)).field == (
        "worker_mobile"
    )
    watch = {"name": "李四", "mobile": mobile}
    assert refused_field(FireWatch, watch).field == "mobile"


def test_a_hot_work_that_ends_before_it_starts_is_refused_on_end_at():
    body = hot_work_body(start_at="2025-06-02T17:00:00", end_at="2025-06-02T08:00:00")

    error = refused_field(DraftHotWork, body)

    assert error.field == "end_at"
    assert "after start_at" in error.message


def test_a_hot_work_that_ends_when_it_starts_is_refused():
    body = hot_work_body(start_at="2025-06-02T08:00:00", end_at="2025-06-02T08:00:00")

    assert refused_field(DraftHotWork, body).field == "end_at"


def test_an_unknown_field_is_refused_by_name():
    error = refused_field(DraftHotWork, hot_work_body(foreman="王五"))

    assert (error.field, error.message) == ("foreman", "is not a known field")


def test_a_body_that_is_not_an_object_is_refused_as_the_body():
    assert refused_field(DraftHotWork, ["start_at"]).field == "body"


def test_at_least_one_method_when_methods_are_given():
    assert refused_field(DraftHotWork, hot_work_body(methods=[])).field == "methods"


def test_a_certificate_number_must_pass_its_check_digit():
    body = hot_work_body(certificate={"number": ID_NUMBER[:-1] + "1"})

    error = refused_field(DraftHotWork, body)

    assert error.field == "certificate.number"
    assert "GB 11643" in error.message


def test_a_time_without_offset_is_beijing_time_and_is_kept_in_utc():
    hot_work = parse(DraftHotWork, hot_work_body(start_at="2025-06-02T08:00:00"))

    assert hot_work.start_at == datetime(2025, 6, 2, 0, 0, tzinfo=UTC)
    assert hot_work.start_at.utcoffset().total_seconds() == 0
    dumped = hot_work.model_dump(mode="json")
    assert dumped["start_at"] == "2025-06-02T00:00:00Z"


def test_a_time_with_an_offset_keeps_its_instant():
    hot_work = parse(
        DraftHotWork,
        hot_work_body(
            start_at="2025-06-02T08:00:00+00:00", end_at="2025-06-02T09:00:00Z"
        ),
    )

    assert hot_work.start_at == datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
    assert hot_work.end_at == datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


def test_text_is_stripped_and_empty_text_refused():
    assert parse(DraftHotWork, hot_work_body(location="  三层  ")).location == "三层"
    assert refused_field(DraftHotWork, hot_work_body(location="  ")).field == (
        "location"
    )
