"""The rules of filing: given current state and a command, which events.

Plain functions over plain state; the framework and the store stay outside.
"""

from __future__ import annotations

from typing import Any

from contracts.errors import AlreadyExists, Forbidden, NotFound, RuleViolated
from contracts.filing import (
    AmendHotWork,
    AmendProject,
    AmendSupervisionReport,
    DraftHotWork,
    DraftProject,
    EventType,
    FireWatch,
    HotWorkPhotoKind,
    PhotoRef,
    SupervisionReport,
)
from services.common.eventstore import NewEvent
from services.filing.state import State, hot_work_missing, project_missing

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
    return [NewEvent(EventType.PROJECT_AMENDED, {"fields": _fields(command)})]


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
    fields = _fields(command)
    start = fields.get("start_at", hot_work["fields"].get("start_at"))
    end = fields.get("end_at", hot_work["fields"].get("end_at"))
    if start and end and end <= start:
        raise RuleViolated("end_at must be after start_at", field="end_at")
    return [NewEvent(EventType.HOT_WORK_AMENDED, {"fields": fields})]


def attach_hot_work_photo(
    hot_work: State, kind: HotWorkPhotoKind, photo: PhotoRef
) -> Events:
    payload = {"kind": kind.value, "photo": photo.model_dump(mode="json")}
    return [NewEvent(EventType.HOT_WORK_PHOTO_ATTACHED, payload)]


def file_fire_watch(project: State, hot_work: State, command: FireWatch) -> Events:
    missing = [f"project.{name}" for name in project_missing(project)]
    missing += [f"hot_work.{name}" for name in hot_work_missing(hot_work)]
    if missing:
        raise RuleViolated(
            "the filing is not complete; still missing: " + ", ".join(missing),
            field=missing[0],
        )
    payload = {"fire_watch": command.model_dump(mode="json")}
    return [NewEvent(EventType.FIRE_WATCH_FILED, payload)]


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


# Supervision reports


def file_report(hot_work: State, report: SupervisionReport) -> Events:
    if not hot_work["fire_watch"]:
        raise RuleViolated(
            "file the fire watch before the supervision report", field="fire_watch"
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
    report = {**current, **change.model_dump(mode="json", exclude_none=True)}
    SupervisionReport.model_validate(report)
    return [NewEvent(EventType.REPORT_AMENDED, {"report": report})]


def withdraw_report(hot_work: State) -> Events:
    _current_report(hot_work)
    return [NewEvent(EventType.REPORT_WITHDRAWN, {})]


def _current_report(hot_work: State) -> dict[str, Any]:
    if not hot_work["report"]:
        raise NotFound("no supervision report to change", field="supervision_report")
    return hot_work["report"]
