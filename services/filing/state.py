"""The state of a project and of a hot work, folded from their events.

State is plain JSON-able dicts so that the query service can keep the same
reading of filing's events in its views; this module is that shared reading
and imports no framework.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from contracts.filing import CERTIFIED_METHODS, EventType, HotWorkPhotoKind, PermitType

State = dict[str, Any]

PROJECT_REQUIRED = (
    "project_type",
    "permit_type",
    "construction_unit",
    "construction_unit_credit_code",
    "industry_authority",
    "project_name",
    "contractor",
    "district",
    "address",
    "coordinates",
    "scale",
    "issuing_authority",
)
HOT_WORK_REQUIRED = (
    "location",
    "worker_name",
    "worker_mobile",
    "start_at",
    "end_at",
    "methods",
)


def new_project(event: dict[str, Any]) -> State:
    return {
        "id": event["payload"]["project_id"],
        "owner": event["payload"]["owner"],
        "version": 0,
        "fields": {},
        "permit_photo": None,
        "typed": [],
        "recognised": None,
        "hot_works": [],
        "deleted": False,
        "created_at": event["occurred_at"],
        "updated_at": event["occurred_at"],
    }


def new_hot_work(event: dict[str, Any]) -> State:
    payload = event["payload"]
    return {
        "id": payload["hot_work_id"],
        "project_id": payload["project_id"],
        "owner": payload["owner"],
        "version": 0,
        "fields": {},
        "photos": {},
        "typed": [],
        "recognised": None,
        "fire_watch": None,
        "report": None,
        "cameras": [],
        "deleted": False,
        "created_at": event["occurred_at"],
        "updated_at": event["occurred_at"],
    }


def evolve_project(state: State | None, event: dict[str, Any]) -> State:
    kind, payload = event["type"], event["payload"]
    if state is None:
        state = new_project(event)
    state = {**state, "version": event["stream_version"]}
    state["updated_at"] = event["occurred_at"]
    if kind in (EventType.PROJECT_DRAFTED, EventType.PROJECT_AMENDED):
        state["fields"] = {**state["fields"], **payload["fields"]}
        state = _typed(state, list(payload["fields"]))
    elif kind == EventType.PERMIT_RECOGNISED:
        state["fields"] = {**state["fields"], **payload["filled"]}
        state["recognised"] = _provenance(payload)
    elif kind == EventType.PERMIT_UNREADABLE:
        state["recognised"] = _unreadable(payload)
    elif kind == EventType.PERMIT_PHOTO_ATTACHED:
        state["permit_photo"] = payload["photo"]
    elif kind == EventType.PROJECT_HOT_WORK_ADDED:
        state["hot_works"] = [*state["hot_works"], payload["hot_work_id"]]
    elif kind == EventType.PROJECT_HOT_WORK_REMOVED:
        gone = payload["hot_work_id"]
        state["hot_works"] = [h for h in state["hot_works"] if h != gone]
    elif kind == EventType.PROJECT_DELETED:
        state["deleted"] = True
    return state


def evolve_hot_work(state: State | None, event: dict[str, Any]) -> State:
    kind, payload = event["type"], event["payload"]
    if state is None:
        state = new_hot_work(event)
    state = {**state, "version": event["stream_version"]}
    state["updated_at"] = event["occurred_at"]
    if kind in (EventType.HOT_WORK_DRAFTED, EventType.HOT_WORK_AMENDED):
        state["fields"] = _merge_hot_work(state["fields"], payload["fields"])
        state = _typed(state, _field_names(payload["fields"]))
    elif kind == EventType.CERTIFICATE_RECOGNISED:
        certificate = {**state["fields"].get("certificate", {}), **payload["filled"]}
        state["fields"] = {**state["fields"], "certificate": certificate}
        state["recognised"] = _provenance(payload)
    elif kind == EventType.CERTIFICATE_UNREADABLE:
        state["recognised"] = _unreadable(payload)
    elif kind == EventType.HOT_WORK_PHOTO_ATTACHED:
        state["photos"] = {**state["photos"], payload["kind"]: payload["photo"]}
    elif kind == EventType.FIRE_WATCH_FILED:
        state["fire_watch"] = payload["fire_watch"]
    elif kind in (EventType.REPORT_FILED, EventType.REPORT_AMENDED):
        state["report"] = payload["report"]
    elif kind == EventType.REPORT_WITHDRAWN:
        state["report"] = None
    elif kind == EventType.CAMERA_LINKED:
        state["cameras"] = [*state.get("cameras", []), payload["camera"]]
    elif kind == EventType.CAMERA_UNLINKED:
        gone = payload["device_id"]
        cameras = state.get("cameras", [])
        state["cameras"] = [c for c in cameras if c["device_id"] != gone]
    elif kind == EventType.HOT_WORK_DELETED:
        state["deleted"] = True
    return state


def _typed(state: State, names: list[str]) -> State:
    """Fields the user typed: recognition never overwrites them."""
    typed = sorted({*state.get("typed", []), *names})
    recognised = state.get("recognised")
    if recognised and recognised.get("fields"):
        # A typed value replaces what recognition had put there.
        kept = [name for name in recognised["fields"] if name not in names]
        recognised = {**recognised, "fields": kept}
    return {**state, "typed": typed, "recognised": recognised}


def _provenance(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "photo_sha256": payload["photo_sha256"],
        "fields": sorted(payload["filled"]),
        "suggestions": payload["suggestions"],
        "unit": payload.get("unit"),
        "reason": None,
    }


def _unreadable(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "photo_sha256": payload["photo_sha256"],
        "fields": [],
        "suggestions": {},
        "unit": None,
        "reason": payload["reason"],
    }


def _merge_hot_work(fields: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    merged = {**fields, **change}
    if "certificate" in change:
        merged["certificate"] = {
            **fields.get("certificate", {}),
            **change["certificate"],
        }
    return merged


def _field_names(fields: dict[str, Any]) -> list[str]:
    """Top-level names, and `certificate.<name>` for the certificate's parts."""
    names = [name for name in fields if name != "certificate"]
    names += [f"certificate.{name}" for name in fields.get("certificate", {})]
    return names


def fold(events: Iterable[dict[str, Any]], evolve) -> State | None:
    state = None
    for event in events:
        state = evolve(state, event)
    return state


def project_missing(project: State) -> list[str]:
    fields = project["fields"]
    without_permit = fields.get("permit_type") == PermitType.NONE
    missing = [
        name
        for name in PROJECT_REQUIRED
        if fields.get(name) in (None, "", [])
        and not (without_permit and name == "issuing_authority")
    ]
    if not without_permit and not project["permit_photo"]:
        missing.append("permit_photo")
    return missing


def needs_certificate(fields: dict[str, Any]) -> bool:
    return bool(set(fields.get("methods") or ()) & CERTIFIED_METHODS)


CERTIFICATE_REQUIRED = ("number", "name", "category", "valid_from", "valid_to")


def hot_work_missing(hot_work: State) -> list[str]:
    fields = hot_work["fields"]
    missing = [name for name in HOT_WORK_REQUIRED if not fields.get(name)]
    if "other" in (fields.get("methods") or ()) and not fields.get("other_method"):
        missing.append("other_method")
    if needs_certificate(fields):
        certificate = fields.get("certificate") or {}
        missing += [
            f"certificate.{name}"
            for name in CERTIFICATE_REQUIRED
            if not certificate.get(name)
        ]
    photos = [HotWorkPhotoKind.GROUP, HotWorkPhotoKind.PERMIT]
    if needs_certificate(fields):
        photos.insert(0, HotWorkPhotoKind.CERTIFICATE)
    missing += [f"photos.{kind}" for kind in photos if kind not in hot_work["photos"]]
    return missing
