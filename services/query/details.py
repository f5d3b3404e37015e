"""One filing in full, for whoever may see it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from contracts.errors import NotFound
from contracts.query import Completion
from contracts.values import SHANGHAI
from services.query import tables
from services.query.search import status_at
from services.query.views import missing_parts


def hot_work_details(connection, actor, hot_work_id: str, now: datetime) -> dict:
    hot_work = connection.scalar(
        select(tables.hot_works.c.state).where(
            tables.hot_works.c.hot_work_id == hot_work_id
        )
    )
    project = hot_work and connection.scalar(
        select(tables.projects.c.state).where(
            tables.projects.c.project_id == hot_work["project_id"]
        )
    )
    if not project or hot_work["deleted"] or project["deleted"]:
        raise NotFound("no such hot work", field="id")
    missing = missing_parts(project, hot_work)
    if not may_see(actor, project, incomplete=bool(missing)):
        raise NotFound("no such hot work", field="id")
    fields = hot_work["fields"]
    return {
        "id": hot_work["id"],
        "version": hot_work["version"],
        "project": _project_part(project),
        "hot_work": {**fields, **_local_window(fields), "photos": hot_work["photos"]},
        "fire_watch": hot_work["fire_watch"],
        "supervision_report": hot_work["report"],
        "cameras": hot_work.get("cameras", []),
        "status": status_at(fields.get("start_at"), fields.get("end_at"), now),
        "completion": Completion.ENDED if hot_work["report"] else Completion.PENDING,
        "incomplete": bool(missing),
        "missing": missing,
        "created_at": local(hot_work["created_at"]),
        "updated_at": local(hot_work["updated_at"]),
    }


def permit_photo(connection, actor, project_id: str) -> dict | None:
    """The permit photo of a project the actor may see a filing of."""
    project = connection.scalar(
        select(tables.projects.c.state).where(
            tables.projects.c.project_id == project_id
        )
    )
    if not project or project["deleted"]:
        raise NotFound("no such project", field="id")
    complete = connection.scalar(
        select(tables.filings.c.filing_id)
        .where(tables.filings.c.project_id == project_id)
        .where(tables.filings.c.incomplete.is_(False))
        .limit(1)
    )
    if not may_see(actor, project, incomplete=complete is None):
        raise NotFound("no such project", field="id")
    return project["permit_photo"]


def local(moment: str | None) -> str | None:
    """Stored UTC, shown in Beijing time with its offset."""
    if not moment:
        return None
    return datetime.fromisoformat(moment).astimezone(SHANGHAI).isoformat()


def _local_window(fields: dict) -> dict:
    return {
        name: local(fields[name]) for name in ("start_at", "end_at") if name in fields
    }


def may_see(actor: dict[str, Any], project: dict, incomplete: bool) -> bool:
    if actor.get("role") == "enterprise":
        return project["owner"] == actor.get("credit_code")
    if actor.get("role") == "regulator":
        district = project["fields"].get("district")
        return not incomplete and district in (actor.get("districts") or ())
    return False


def _project_part(project: dict) -> dict:
    return {
        "id": project["id"],
        **project["fields"],
        "permit_photo": project["permit_photo"],
    }
