"""Searching the filing list, with statuses computed at read time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, not_, or_, select

from contracts.errors import Forbidden
from contracts.query import Completion, HotWorkStatus, SearchCriteria
from contracts.values import SHANGHAI
from services.query import tables

f = tables.filings.c


def window(criteria: SearchCriteria, now: datetime) -> tuple[datetime, datetime]:
    """The searched window as naive UTC; a bare date covers its whole day.

    Without `to`, the window runs to the end of today (or of `from`'s day if
    that is later), so "since Monday" needs one parameter.
    """
    today = now.astimezone(SHANGHAI).date()
    start = _moment(criteria.from_ or today, end_of_day=False)
    end = _moment(criteria.to or today, end_of_day=True)
    return start, max(end, _moment(criteria.from_ or today, end_of_day=True))


def _moment(value: date | datetime, end_of_day: bool) -> datetime:
    if not isinstance(value, datetime):
        day = value + timedelta(days=1) if end_of_day else value
        value = datetime.combine(day, time(0), tzinfo=SHANGHAI)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(UTC).replace(tzinfo=None)


def status_expression(now: datetime):
    return case(
        (or_(f.start_at.is_(None), f.end_at.is_(None)), literal(None)),
        (f.start_at > now, literal(HotWorkStatus.BEFORE.value)),
        (f.end_at < now, literal(HotWorkStatus.AFTER.value)),
        else_=literal(HotWorkStatus.DURING.value),
    )


def visible_to(actor: dict[str, Any], criteria: SearchCriteria) -> list:
    """An enterprise sees its own filings; a regulator, its districts' complete ones."""
    role = actor.get("role")
    if role == "enterprise" and actor.get("credit_code"):
        return [f.owner == actor["credit_code"]]
    if role == "regulator" and actor.get("districts"):
        allowed = set(actor["districts"])
        asked = set(criteria.district or ()) or allowed
        if not asked <= allowed:
            raise Forbidden("not a district of yours", field="district")
        return [f.district.in_(sorted(asked)), not_(f.incomplete)]
    raise Forbidden("no access to filings")


def search(connection, actor, criteria: SearchCriteria, now: datetime) -> dict:
    now_naive = now.astimezone(UTC).replace(tzinfo=None)
    start, end = window(criteria, now)
    status = status_expression(now_naive)
    conditions = visible_to(actor, criteria)
    conditions.append(
        or_(
            and_(
                f.start_at.is_not(None),
                f.start_at < end,
                # A draft without its end yet counts on the day it starts.
                or_(f.end_at >= start, and_(f.end_at.is_(None), f.start_at >= start)),
            ),
            and_(f.start_at.is_(None), f.activity_at >= start, f.activity_at < end),
        )
    )
    if criteria.district and actor.get("role") != "regulator":
        conditions.append(f.district.in_(criteria.district))
    if criteria.status:
        conditions.append(status == criteria.status.value)
    if criteria.completion:
        conditions.append(f.has_report == (criteria.completion == Completion.ENDED))
    if criteria.incomplete is not None:
        conditions.append(f.incomplete == criteria.incomplete)

    total = connection.scalar(
        select(func.count()).select_from(tables.filings).where(*conditions)
    )
    rows = connection.execute(
        select(tables.filings, status.label("status"))
        .where(*conditions)
        .order_by(f.start_at.desc(), f.activity_at.desc(), f.filing_id)
        .limit(criteria.page_size)
        .offset((criteria.page - 1) * criteria.page_size)
    )
    items = [summary(row) for row in rows]
    return {
        "items": items,
        "page": criteria.page,
        "page_size": criteria.page_size,
        "total": total,
    }


def summary(row) -> dict[str, Any]:
    return {
        "id": row.filing_id,
        "project_id": row.project_id,
        "hot_work_id": row.hot_work_id,
        "district": row.district,
        "start_at": _iso(row.start_at),
        "end_at": _iso(row.end_at),
        "status": row.status,
        "completion": (Completion.ENDED if row.has_report else Completion.PENDING),
        "incomplete": row.incomplete,
        "summary": row.summary,
    }


def status_at(start_at: str | None, end_at: str | None, now: datetime) -> str | None:
    if not start_at or not end_at:
        return None
    if now < datetime.fromisoformat(start_at):
        return HotWorkStatus.BEFORE.value
    if now > datetime.fromisoformat(end_at):
        return HotWorkStatus.AFTER.value
    return HotWorkStatus.DURING.value


def _iso(moment: datetime | None) -> str | None:
    """Beijing time with its offset: what users read, still unambiguous."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(SHANGHAI).isoformat()
