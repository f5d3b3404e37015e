"""Map points: where hot work happens, its status, and its cameras' state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contracts.query import SearchCriteria
from services.query.search import search

Briefs = Callable[[list[str]], list[dict[str, Any]]]

MAX_POINTS = 200


def map_points(connection, actor, criteria: SearchCriteria, now, briefs: Briefs):
    """Complete filings with coordinates, each with its cameras' online state."""
    criteria = criteria.model_copy(
        update={"incomplete": False, "page_size": MAX_POINTS}
    )
    page = search(connection, actor, criteria, now)
    linked = [
        camera["device_id"]
        for item in page["items"]
        for camera in item["summary"].get("cameras", [])
    ]
    states = {brief["id"]: brief for brief in briefs(linked)} if linked else {}
    points = [
        _point(item, states)
        for item in page["items"]
        if item["summary"].get("coordinates")
    ]
    return {
        "points": points,
        "total": page["total"],
        "truncated": page["total"] > MAX_POINTS,
    }


def _point(item: dict, states: dict[str, dict]) -> dict[str, Any]:
    summary = item["summary"]
    return {
        "hot_work_id": item["hot_work_id"],
        "project_name": summary["project_name"],
        "address": summary["address"],
        "location": summary["location"],
        "coordinates": summary["coordinates"],
        "district": item["district"],
        "status": item["status"],
        "completion": item["completion"],
        "start_at": item["start_at"],
        "end_at": item["end_at"],
        "cameras": [_camera(c, states.get(c["device_id"])) for c in summary["cameras"]],
    }


def _camera(linked: dict, brief: dict | None) -> dict[str, Any]:
    if brief is None:
        # Removed from the registry since it was linked.
        return {**linked, "state": "removed", "online": False, "last_seen_at": None}
    return {
        **linked,
        "name": brief["name"],
        "state": brief["state"],
        "online": brief["online"],
        "last_seen_at": brief["last_seen_at"],
    }


def with_presence(cameras: list[dict], briefs: Briefs) -> list[dict]:
    if not cameras:
        return []
    states = {b["id"]: b for b in briefs([c["device_id"] for c in cameras])}
    return [_camera(c, states.get(c["device_id"])) for c in cameras]
