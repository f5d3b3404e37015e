"""The rules of filing: given current state and a command, which events.

Plain functions over plain state; the framework and the store stay outside.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from contracts.errors import (
    AlreadyExists,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolated,
)
from contracts.filing import (
    WELDING_CATEGORY,
    AmendHotWork,
    AmendProject,
    AmendSupervisionReport,
    Certificate,
    DraftHotWork,
    DraftProject,
    EventType,
    FireWatch,
    HotWorkPhotoKind,
    PhotoRef,
    ProjectFields,
    SupervisionReport,
)
from contracts.ocr import DocumentRecognised, DocumentUnreadable
from contracts.values import SHANGHAI
from services.common.eventstore import NewEvent
from services.filing.state import (
    State,
    evolve_hot_work,
    hot_work_missing,
    needs_certificate,
    project_missing,
)

Events = list[NewEvent]


def owner_of(actor: dict[str, Any]) -> str:
    """Only enterprise users file; they file for their own company."""
    if actor.get("role") != "enterprise" or not actor.get("credit_code"):
        raise Forbidden("only an enterprise user can file")
    return actor["credit_code"]


def check_owner(state: State | None, actor: dict[str, Any], what: str) -> State:
    # Another company's record answers as absent: its existence is not theirs
    # to learn.
    if state is None or state["deleted"] or state["owner"] != owner_of(actor):
        raise NotFound(f"no such {what}", field="id")
    return state


def _fields(command) -> dict[str, Any]:
    return command.model_dump(mode="json", exclude_none=True)


# Projects


def draft_project(project_id: str, owner: str, command: DraftProject) -> Events:
    payload = {"project_id": project_id, "owner": owner, "fields": _fields(command)}
    return [NewEvent(EventType.PROJECT_DRAFTED, payload)]


def amend_project(project: State, command: AmendProject) -> Events:
    return [NewEvent(EventType.PROJECT_AMENDED, {"fields": _changes(command)})]


def _changes(command) -> dict[str, Any]:
    fields = _fields(command)
    if not fields:
        raise InvalidInput("names nothing to change", field="body")
    return fields


def attach_permit_photo(project: State, photo: PhotoRef) -> Events:
    payload = {"photo": photo.model_dump(mode="json")}
    return [NewEvent(EventType.PERMIT_PHOTO_ATTACHED, payload)]


def delete_project(project: State) -> Events:
    if project["hot_works"]:
        raise RuleViolated(
            "delete its hot works first; a project with hot works stays",
            field="hot_works",
        )
    return [NewEvent(EventType.PROJECT_DELETED, {})]


# Hot works


def draft_hot_work(
    hot_work_id: str, project: State, command: DraftHotWork
) -> tuple[Events, Events]:
    """Events for the new hot-work stream and for its project's stream."""
    payload = {
        "hot_work_id": hot_work_id,
        "project_id": project["id"],
        "owner": project["owner"],
        "fields": _fields(command),
    }
    link = {"hot_work_id": hot_work_id}
    return (
        [NewEvent(EventType.HOT_WORK_DRAFTED, payload)],
        [NewEvent(EventType.PROJECT_HOT_WORK_ADDED, link)],
    )


def amend_hot_work(hot_work: State, command: AmendHotWork) -> Events:
    fields = _changes(command)
    start = fields.get("start_at", hot_work["fields"].get("start_at"))
    end = fields.get("end_at", hot_work["fields"].get("end_at"))
    if start and end and _instant(end) <= _instant(start):
        raise RuleViolated("end_at must be after start_at", field="end_at")
    events = [NewEvent(EventType.HOT_WORK_AMENDED, {"fields": fields})]
    return _still_complete(hot_work, events)


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _still_complete(hot_work: State, events: Events) -> Events:
    """A filed hot work must stay complete and its certificate fitting.

    Otherwise an amendment could hide a finished filing from its regulator
    (incomplete filings are not shown to them) without deleting it.
    """
    if not hot_work["fire_watch"]:
        return events
    after = hot_work
    for version, event in enumerate(events, start=hot_work["version"] + 1):
        envelope = {
            "type": event.type,
            "payload": event.payload,
            "stream_version": version,
            "occurred_at": hot_work["updated_at"],
        }
        after = evolve_hot_work(after, envelope)
    missing = hot_work_missing(after)
    if missing:
        raise RuleViolated(
            "the filing is complete; this change would leave it missing "
            + ", ".join(missing),
            field=f"hot_work.{missing[0]}",
        )
    check_certificate(after)
    return events


def attach_hot_work_photo(
    hot_work: State, kind: HotWorkPhotoKind, photo: PhotoRef
) -> Events:
    payload = {"kind": kind.value, "photo": photo.model_dump(mode="json")}
    return _still_complete(
        hot_work, [NewEvent(EventType.HOT_WORK_PHOTO_ATTACHED, payload)]
    )


def file_fire_watch(project: State, hot_work: State, command: FireWatch) -> Events:
    missing = [f"project.{name}" for name in project_missing(project)]
    missing += [f"hot_work.{name}" for name in hot_work_missing(hot_work)]
    if missing:
        raise RuleViolated(
            "the filing is not complete; still missing: " + ", ".join(missing),
            field=missing[0],
        )
    check_certificate(hot_work)
    payload = {"fire_watch": command.model_dump(mode="json")}
    return [NewEvent(EventType.FIRE_WATCH_FILED, payload)]


def check_certificate(hot_work: State) -> None:
    """Welding, gas welding and cutting need a fitting, valid certificate."""
    fields = hot_work["fields"]
    if not needs_certificate(fields):
        return
    certificate = fields["certificate"]
    if certificate["category"] != WELDING_CATEGORY:
        raise RuleViolated(
            f"the certificate's category must be {WELDING_CATEGORY} for welding "
            "or cutting",
            field="hot_work.certificate.category",
        )
    if certificate["name"] != fields["worker_name"]:
        raise RuleViolated(
            "the certificate's holder must be the named worker",
            field="hot_work.certificate.name",
        )
    first_day, last_day = _local_day(fields["start_at"]), _local_day(fields["end_at"])
    if date.fromisoformat(certificate["valid_from"]) > first_day:
        raise RuleViolated(
            f"the certificate is not valid yet on {first_day}",
            field="hot_work.certificate.valid_from",
        )
    if date.fromisoformat(certificate["valid_to"]) < last_day:
        raise RuleViolated(
            "the certificate must be valid over the whole hot-work window; it "
            f"expires {certificate['valid_to']}, the work ends {last_day}",
            field="hot_work.certificate.valid_to",
        )


def _local_day(moment: str) -> date:
    return datetime.fromisoformat(moment).astimezone(SHANGHAI).date()


def delete_hot_work(hot_work: State) -> tuple[Events, Events]:
    if hot_work["fire_watch"]:
        raise RuleViolated(
            "a complete filing cannot be deleted, only an incomplete one",
            field="id",
        )
    link = {"hot_work_id": hot_work["id"]}
    return (
        [NewEvent(EventType.HOT_WORK_DELETED, {})],
        [NewEvent(EventType.PROJECT_HOT_WORK_REMOVED, link)],
    )


# Cameras (guide 4.3)


def link_camera(hot_work: State, camera: dict[str, Any]) -> Events:
    linked = {c["device_id"] for c in hot_work.get("cameras", [])}
    if camera["device_id"] in linked:
        raise AlreadyExists("this camera is linked already", field="device_id")
    return [NewEvent(EventType.CAMERA_LINKED, {"camera": camera})]


def unlink_camera(hot_work: State, device_id: str) -> Events:
    linked = {c["device_id"] for c in hot_work.get("cameras", [])}
    if device_id not in linked:
        raise NotFound("this camera is not linked to the hot work", field="device_id")
    return [NewEvent(EventType.CAMERA_UNLINKED, {"device_id": device_id})]


# Recognition results (guide 2.1 (3) and 2.2.1 (2))

PERMIT_TO_PROJECT = {
    "number": "permit_number",
    "construction_unit": "construction_unit",
    "project_name": "project_name",
    "address": "address",
    "scale": "scale",
    "contractor": "contractor",
    "issuing_authority": "issuing_authority",
    "district_code": "district",
}
CERTIFICATE_TO_HOT_WORK = {
    "certificate_number": "number",
    "name": "name",
    "sex": "sex",
    "category": "category",
    "operation": "operation",
    "first_issued": "first_issued",
    "valid_from": "valid_from",
    "valid_to": "valid_to",
    "issuer": "issuer",
}


def apply_permit_reading(project: State, reading: DocumentRecognised) -> Events:
    """Fill the empty project fields from a construction permit's photo.

    Only for the construction-permit type (other papers are typed by hand),
    only from the photo now attached, and never over what the user typed.
    """
    if not _current(project.get("permit_photo"), reading.photo_sha256, project):
        return []
    if project["fields"].get("permit_type") != "construction_permit":
        return []
    if reading.document != "permit":
        return _unreadable_permit(reading, "the photo is not a construction permit")
    filled, suggestions = _split(
        reading, PERMIT_TO_PROJECT, project["typed"], "", ProjectFields
    )
    unit = reading.unit
    if (
        unit
        and unit.verified
        and unit.credit_code
        and "construction_unit_credit_code" not in project["typed"]
        and unit.name
        == filled.get("construction_unit", project["fields"].get("construction_unit"))
    ):
        filled["construction_unit_credit_code"] = unit.credit_code
    payload = {
        "photo_sha256": reading.photo_sha256,
        "filled": filled,
        "suggestions": suggestions,
        "unit": unit.model_dump(mode="json") if unit else None,
    }
    return [NewEvent(EventType.PERMIT_RECOGNISED, payload)]


def apply_certificate_reading(hot_work: State, reading: DocumentRecognised) -> Events:
    """Fill the certificate's empty parts from its photo."""
    photo = hot_work["photos"].get(HotWorkPhotoKind.CERTIFICATE)
    if not _current(photo, reading.photo_sha256, hot_work):
        return []
    if reading.document != "certificate":
        return _unreadable_certificate(
            reading, "the photo is not a special operation certificate"
        )
    filled, suggestions = _split(
        reading, CERTIFICATE_TO_HOT_WORK, hot_work["typed"], "certificate.", Certificate
    )
    payload = {
        "photo_sha256": reading.photo_sha256,
        "filled": filled,
        "suggestions": suggestions,
    }
    return [NewEvent(EventType.CERTIFICATE_RECOGNISED, payload)]


def apply_unreadable(state: State, failure: DocumentUnreadable) -> Events:
    if failure.subject.photo == "permit":
        photo = state.get("permit_photo")
        if not _current(photo, failure.photo_sha256, state):
            return []
        return _unreadable_permit(failure, failure.reason)
    photo = state["photos"].get(HotWorkPhotoKind.CERTIFICATE)
    if not _current(photo, failure.photo_sha256, state):
        return []
    return _unreadable_certificate(failure, failure.reason)


def _current(photo: dict | None, sha256: str, state: State) -> bool:
    """The reading is of the photo attached now, and not applied already."""
    recognised = state.get("recognised") or {}
    return (
        photo is not None
        and photo["sha256"] == sha256
        and recognised.get("photo_sha256") != sha256
    )


def _split(reading, mapping, typed, prefix, model) -> tuple[dict, dict]:
    """Confident, valid readings of untyped fields fill; the rest suggest."""
    filled, suggestions = {}, {}
    for source, target in mapping.items():
        found = reading.fields.get(source)
        if found is None or f"{prefix}{target}" in typed:
            continue
        if found.suggestion or not _valid(model, target, found.value):
            suggestions[target] = {
                "value": found.value,
                "confidence": found.confidence,
            }
        else:
            filled[target] = found.value
    return filled, suggestions


def _valid(model, name: str, value: str) -> bool:
    try:
        model.model_validate({name: value})
    except ValidationError:
        return False
    return True


def _unreadable_permit(reading, reason: str) -> Events:
    payload = {"photo_sha256": reading.photo_sha256, "reason": reason}
    return [NewEvent(EventType.PERMIT_UNREADABLE, payload)]


def _unreadable_certificate(reading, reason: str) -> Events:
    payload = {"photo_sha256": reading.photo_sha256, "reason": reason}
    return [NewEvent(EventType.CERTIFICATE_UNREADABLE, payload)]


# Supervision reports


def file_report(hot_work: State, report: SupervisionReport, now: datetime) -> Events:
    """The report tells how the work ended, so the work must have begun."""
    if not hot_work["fire_watch"]:
        raise RuleViolated(
            "file the fire watch before the supervision report", field="fire_watch"
        )
    if now < _instant(hot_work["fields"]["start_at"]):
        raise RuleViolated(
            "the supervision report comes after the work has started",
            field="supervision_report",
        )
    if hot_work["report"]:
        raise AlreadyExists(
            "a supervision report exists; amend or withdraw it",
            field="supervision_report",
        )
    payload = {"report": report.model_dump(mode="json")}
    return [NewEvent(EventType.REPORT_FILED, payload)]


def amend_report(hot_work: State, change: AmendSupervisionReport) -> Events:
    current = _current_report(hot_work)
    report = {**current, **_changes(change)}
    SupervisionReport.model_validate(report)
    return [NewEvent(EventType.REPORT_AMENDED, {"report": report})]


def withdraw_report(hot_work: State) -> Events:
    _current_report(hot_work)
    return [NewEvent(EventType.REPORT_WITHDRAWN, {})]


def _current_report(hot_work: State) -> dict[str, Any]:
    if not hot_work["report"]:
        raise NotFound("no supervision report to change", field="supervision_report")
    return hot_work["report"]
