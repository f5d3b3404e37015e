"""What a regulator's list shows, derived from project and hot-work state.

One row per filing: a hot work with its project, or a project that has no hot
work yet (an incomplete filing the company may resume or delete). The same
functions serve the live projector and the rebuild, so both agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.filing.state import State, hot_work_missing, project_missing


def filing_rows(project: State | None, hot_works: list[State]) -> list[dict]:
    if project is None or project["deleted"]:
        return []
    live = [h for h in hot_works if not h["deleted"]]
    if not live:
        return [_row(project, None)]
    return [_row(project, hot_work) for hot_work in live]


def missing_parts(project: State, hot_work: State | None) -> list[str]:
    missing = [f"project.{name}" for name in project_missing(project)]
    if hot_work is None:
        return [*missing, "hot_work", "fire_watch"]
    missing += [f"hot_work.{name}" for name in hot_work_missing(hot_work)]
    if not hot_work["fire_watch"]:
        missing.append("fire_watch")
    return missing


def _row(project: State, hot_work: State | None) -> dict[str, Any]:
    fields = project["fields"]
    work = hot_work["fields"] if hot_work else {}
    missing = missing_parts(project, hot_work)
    latest = hot_work or project
    return {
        "filing_id": hot_work["id"] if hot_work else project["id"],
        "project_id": project["id"],
        "hot_work_id": hot_work["id"] if hot_work else None,
        "owner": project["owner"],
        "district": fields.get("district"),
        "start_at": utc_naive(work.get("start_at")),
        "end_at": utc_naive(work.get("end_at")),
        "activity_at": utc_naive(latest["updated_at"]),
        "incomplete": bool(missing),
        "has_report": bool(hot_work and hot_work["report"]),
        "summary": {
            "project_name": fields.get("project_name"),
            "address": fields.get("address"),
            "coordinates": fields.get("coordinates"),
            "contractor": fields.get("contractor"),
            "location": work.get("location"),
            "worker_name": work.get("worker_name"),
            "methods": work.get("methods"),
            "fire_watch": hot_work["fire_watch"] if hot_work else None,
            "cameras": hot_work.get("cameras", []) if hot_work else [],
            "missing": missing,
        },
    }


def utc_naive(value: str | None) -> datetime | None:
    """Datetimes are kept as naive UTC so both databases compare them alike."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
