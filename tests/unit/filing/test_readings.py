"""Photos read by OCR fill drafts; certificates must fit the work."""

from __future__ import annotations

import pytest

from contracts.errors import RuleViolated
from contracts.ocr import DocumentRecognised, DocumentUnreadable
from tests.unit.conftest import Filer, fire_watch_body, hot_work_body

VERIFIED_CODE = "91110118923E942H3G"


def reading(subject, sha256, document="permit", unit=None, **fields):
    values = {
        name: {"value": value, "confidence": 0.97, "suggestion": False}
        for name, value in fields.items()
    }
    return DocumentRecognised.model_validate(
        {
            "subject": subject,
            "photo_sha256": sha256,
            "document": document,
            "fields": values,
            "unit": unit,
        }
    )


@pytest.fixture
def filer(sqlite_store) -> Filer:
    return Filer(sqlite_store)


def permit_of(filer, project_id):
    project = filer.commands.project(filer.request(), project_id)
    subject = {"kind": "project", "id": project_id, "photo": "permit"}
    return project, subject, project["permit_photo"]["sha256"]


def test_a_permit_fills_only_what_the_user_left_empty(filer):
    project_id = filer.project(project_name=None, address=None, scale="typed")
    _, subject, sha = permit_of(filer, project_id)
    unit = {
        "name": "北京嘉禾建筑装饰有限责任公司",
        "verified": True,
        "credit_code": VERIFIED_CODE,
    }

    written = filer.commands.apply_reading(
        reading(
            subject,
            sha,
            unit=unit,
            project_name="读出的工程",
            address="读出的地址",
            scale="12644平方米",
            construction_unit="北京嘉禾建筑装饰有限责任公司",
        ),
        "c1",
    )

    project = filer.commands.project(filer.request(), project_id)
    assert written == 1
    assert project["fields"]["project_name"] == "读出的工程"
    assert project["fields"]["address"] == "读出的地址"
    assert project["fields"]["scale"] == "typed"
    assert "project_name" in project["recognised"]["fields"]
    assert "scale" not in project["recognised"]["fields"]


def test_a_verified_unit_brings_its_credit_code(filer):
    project_id = filer.project(
        construction_unit=None, construction_unit_credit_code=None
    )
    _, subject, sha = permit_of(filer, project_id)
    unit = {"name": "某建设单位", "verified": True, "credit_code": VERIFIED_CODE}

    filer.commands.apply_reading(
        reading(subject, sha, unit=unit, construction_unit="某建设单位"), "c1"
    )

    fields = filer.commands.project(filer.request(), project_id)["fields"]
    assert fields["construction_unit_credit_code"] == VERIFIED_CODE


def test_low_confidence_readings_are_suggestions_not_fills(filer):
    project_id = filer.project(project_name=None)
    _, subject, sha = permit_of(filer, project_id)
    shaky = reading(subject, sha, project_name="模糊")
    shaky = shaky.model_copy(
        update={
            "fields": {
                "project_name": shaky.fields["project_name"].model_copy(
                    update={"suggestion": True, "confidence": 0.4}
                )
            }
        }
    )

    filer.commands.apply_reading(shaky, "c1")

    project = filer.commands.project(filer.request(), project_id)
    assert "project_name" not in project["fields"]
    assert project["recognised"]["suggestions"]["project_name"]["value"] == "模糊"
    assert "project.project_name" in [f"project.{m}" for m in project["missing"]]


def test_a_reading_of_a_replaced_photo_or_twice_changes_nothing(filer):
    project_id = filer.project(project_name=None)
    _, subject, sha = permit_of(filer, project_id)
    first = reading(subject, sha, project_name="一")

    assert filer.commands.apply_reading(first, "c1") == 1
    assert filer.commands.apply_reading(first, "c1") == 0
    stale = reading(subject, "f" * 64, project_name="二")
    assert filer.commands.apply_reading(stale, "c1") == 0


def test_other_permit_types_are_typed_by_hand(filer):
    project_id = filer.project(permit_type="other_permit", project_name=None)
    _, subject, sha = permit_of(filer, project_id)

    assert (
        filer.commands.apply_reading(reading(subject, sha, project_name="x"), "c") == 0
    )


def test_an_unreadable_photo_is_recorded_with_its_reason(filer):
    project_id = filer.project()
    _, subject, sha = permit_of(filer, project_id)
    failure = DocumentUnreadable.model_validate(
        {"subject": subject, "photo_sha256": sha, "reason": "too blurred"}
    )

    filer.commands.apply_reading(failure, "c1")

    project = filer.commands.project(filer.request(), project_id)
    assert project["recognised"]["reason"] == "too blurred"


def test_a_certificate_fills_the_hot_work(filer):
    body = hot_work_body(certificate=None)
    hot_work_id = filer.hot_work(filer.project(), **{k: v for k, v in body.items()})
    hot_work = filer.commands.hot_work(filer.request(), hot_work_id)
    subject = {"kind": "hot_work", "id": hot_work_id, "photo": "certificate"}
    sha = hot_work["photos"]["certificate"]["sha256"]

    filer.commands.apply_reading(
        reading(
            subject,
            sha,
            document="certificate",
            certificate_number="110113197912039878",
            name="张三",
            sex="男",
            category="焊接与热切割作业",
            valid_from="2022-03-03",
            valid_to="2028-03-02",
        ),
        "c1",
    )
    filer.fire_watch(hot_work_id)

    hot_work = filer.commands.hot_work(filer.request(), hot_work_id)
    assert hot_work["fields"]["certificate"]["number"] == "110113197912039878"
    assert hot_work["fire_watch"]["name"] == fire_watch_body()["name"]


@pytest.mark.parametrize(
    ("certificate", "field"),
    [
        ({"category": "高处作业"}, "hot_work.certificate.category"),
        ({"name": "别人"}, "hot_work.certificate.name"),
        ({"valid_to": "2025-06-01"}, "hot_work.certificate.valid_to"),
        ({"valid_from": "2025-06-03"}, "hot_work.certificate.valid_from"),
    ],
)
def test_a_certificate_that_does_not_fit_stops_the_filing(filer, certificate, field):
    base = hot_work_body()["certificate"]
    hot_work_id = filer.hot_work(filer.project(), certificate={**base, **certificate})

    with pytest.raises(RuleViolated) as refused:
        filer.fire_watch(hot_work_id)

    assert refused.value.field == field
