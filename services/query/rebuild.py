"""Replaying the filing store into fresh tables, and checking the live model.

The replay folds every event in memory with the same functions the live
projector uses, then writes all rows at once: that is what makes it fast, and
what makes its result comparable row for row with the live tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, delete, insert, select

from services.filing.state import evolve_hot_work, evolve_project
from services.query import tables
from services.query.projector import HOT_WORK, PROJECT
from services.query.views import filing_rows

ReadEvents = Callable[[int, int], list[dict[str, Any]]]


@dataclass
class Replay:
    projects: dict[str, Any] = field(default_factory=dict)
    hot_works: dict[str, Any] = field(default_factory=dict)
    last_position: int = 0
    events: int = 0

    def apply(self, event: dict[str, Any]) -> None:
        stream = event["stream_id"]
        if stream.startswith(PROJECT):
            key = stream.removeprefix(PROJECT)
            self.projects[key] = evolve_project(self.projects.get(key), event)
        elif stream.startswith(HOT_WORK):
            key = stream.removeprefix(HOT_WORK)
            self.hot_works[key] = evolve_hot_work(self.hot_works.get(key), event)
        self.last_position = event["position"]
        self.events += 1

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        by_project: dict[str, list] = {}
        for state in self.hot_works.values():
            by_project.setdefault(state["project_id"], []).append(state)
        filings = []
        for project_id, project in self.projects.items():
            works = sorted(by_project.get(project_id, []), key=lambda s: s["id"])
            filings += filing_rows(project, works)
        return {
            "query_projects": [
                {"project_id": k, "version": s["version"], "state": s}
                for k, s in self.projects.items()
            ],
            "query_hot_works": [
                {
                    "hot_work_id": k,
                    "project_id": s["project_id"],
                    "version": s["version"],
                    "state": s,
                }
                for k, s in self.hot_works.items()
            ],
            "query_filings": filings,
        }


def replay(read_events: ReadEvents, batch: int = 5000) -> Replay:
    result = Replay()
    while True:
        events = read_events(result.last_position, batch)
        for event in events:
            result.apply(event)
        if len(events) < batch:
            return result


def write(engine: Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Replace the model's rows with `rows`, in one transaction."""
    with engine.begin() as connection:
        for table in reversed(tables.ALL):
            connection.execute(delete(table))
        for table in tables.ALL:
            if rows[table.name]:
                connection.execute(insert(table), rows[table.name])


KEYS = {
    "query_projects": "project_id",
    "query_hot_works": "hot_work_id",
    "query_filings": "filing_id",
}


def live_rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as connection:
        return {
            table.name: [
                dict(row._mapping)
                for row in connection.execute(
                    select(table).order_by(table.c[KEYS[table.name]])
                )
                # Placeholders wait for a project event that has not come.
                if not (table is tables.projects and row.state is None)
            ]
            for table in tables.ALL
        }


def differences(live, rebuilt) -> list[str]:
    """Rows that differ between two models, named by table and key."""
    found = []
    for name, key in KEYS.items():
        left = {row[key]: row for row in live[name]}
        right = {row[key]: row for row in rebuilt[name]}
        for missing in sorted(right.keys() - left.keys()):
            found.append(f"{name} {missing}: missing from the live model")
        for extra in sorted(left.keys() - right.keys()):
            found.append(f"{name} {extra}: not in the store")
        for both in sorted(left.keys() & right.keys()):
            if left[both] != right[both]:
                found.append(f"{name} {both}: differs")
    return found
