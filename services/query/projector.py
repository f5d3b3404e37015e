"""The live projector: one event at a time, idempotent under redelivery.

The version of each stream's state row is the tracking record; it commits in
the same transaction as the rows the event produced, so a redelivered event
finds its version already applied and changes nothing. An event that arrives
ahead of one it follows (a version gap) pulls the missing ones from the
owning service first, so order on the bus does not matter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from services.filing.state import evolve_hot_work, evolve_project
from services.query import tables
from services.query.views import filing_rows

FetchStream = Callable[[str, int], list[dict[str, Any]]]

PROJECT, HOT_WORK = "project-", "hot-work-"

# Built once: constructing statements per event cost more CPU than running
# them. Update parameters are named apart from the columns they set.
_projects, _hot_works, _filings = tables.projects, tables.hot_works, tables.filings
LOCK_PROJECT = (
    select(_projects.c.version, _projects.c.state)
    .where(_projects.c.project_id == bindparam("project_id"))
    .with_for_update()
)
UPDATE_PROJECT = (
    update(_projects)
    .where(_projects.c.project_id == bindparam("which"))
    .values(version=bindparam("new_version"), state=bindparam("new_state"))
)
LOCK_HOT_WORK = (
    select(_hot_works.c.version, _hot_works.c.state)
    .where(_hot_works.c.hot_work_id == bindparam("hot_work_id"))
    .with_for_update()
)
UPDATE_HOT_WORK = (
    update(_hot_works)
    .where(_hot_works.c.hot_work_id == bindparam("which"))
    .values(version=bindparam("new_version"), state=bindparam("new_state"))
)
INSERT_HOT_WORK = insert(_hot_works)
PROJECT_OF = select(_hot_works.c.project_id).where(
    _hot_works.c.hot_work_id == bindparam("hot_work_id")
)
HOT_WORK_STATES = select(_hot_works.c.state).where(
    _hot_works.c.project_id == bindparam("project_id")
)
DELETE_FILINGS = delete(_filings).where(
    _filings.c.project_id == bindparam("project_id")
)
INSERT_FILINGS = insert(_filings)


class Projector:
    def __init__(self, engine: Engine, fetch_stream: FetchStream):
        self.engine = engine
        self.fetch_stream = fetch_stream

    def apply(self, event: dict[str, Any]) -> bool:
        """Apply `event`; False when it was already applied."""
        stream = event["stream_id"]
        with self.engine.begin() as connection:
            if stream.startswith(PROJECT):
                return self._project_event(connection, event)
            if stream.startswith(HOT_WORK):
                return self._hot_work_event(connection, event)
        return False

    def _project_event(self, connection, event) -> bool:
        project_id = event["stream_id"].removeprefix(PROJECT)
        version, state = self._lock_project(connection, project_id)
        pending = self._pending(event, version)
        if not pending:
            return False
        for each in pending:
            state = evolve_project(state, each)
        connection.execute(
            UPDATE_PROJECT,
            {
                "which": project_id,
                "new_version": state["version"],
                "new_state": state,
            },
        )
        self._refresh(connection, project_id, state)
        return True

    def _hot_work_event(self, connection, event) -> bool:
        hot_work_id = event["stream_id"].removeprefix(HOT_WORK)
        project_id = self._project_of(connection, hot_work_id, event)
        _, project = self._lock_project(connection, project_id)
        row = connection.execute(LOCK_HOT_WORK, {"hot_work_id": hot_work_id}).first()
        pending = self._pending(event, row.version if row else 0)
        if not pending:
            return False
        state = row.state if row else None
        for each in pending:
            state = evolve_hot_work(state, each)
        if row:
            connection.execute(
                UPDATE_HOT_WORK,
                {
                    "which": hot_work_id,
                    "new_version": state["version"],
                    "new_state": state,
                },
            )
        else:
            connection.execute(
                INSERT_HOT_WORK,
                {
                    "hot_work_id": hot_work_id,
                    "project_id": project_id,
                    "version": state["version"],
                    "state": state,
                },
            )
        self._refresh(connection, project_id, project)
        return True

    def _project_of(self, connection, hot_work_id, event) -> str:
        known = connection.scalar(PROJECT_OF, {"hot_work_id": hot_work_id})
        if known:
            return known
        if event["stream_version"] == 1:
            return event["payload"]["project_id"]
        first = self.fetch_stream(event["stream_id"], 0)[0]
        return first["payload"]["project_id"]

    def _lock_project(self, connection, project_id):
        # Every change to a filing row goes through its project's row lock, so
        # concurrent workers on one project take turns. A hot work may arrive
        # before its project: a placeholder row holds the lock meanwhile.
        params = {"project_id": project_id}
        row = connection.execute(LOCK_PROJECT, params).first()
        if row is None:
            _insert_ignore(
                connection,
                tables.projects,
                {"project_id": project_id, "version": 0, "state": None},
            )
            row = connection.execute(LOCK_PROJECT, params).one()
        return row.version, row.state

    def _pending(self, event, version: int) -> list[dict[str, Any]]:
        wanted = event["stream_version"]
        if wanted <= version:
            return []
        if wanted == version + 1:
            return [event]
        missed = self.fetch_stream(event["stream_id"], version)
        return [each for each in missed if each["stream_version"] <= wanted]

    def _refresh(self, connection, project_id: str, project) -> None:
        params = {"project_id": project_id}
        states = connection.scalars(HOT_WORK_STATES, params).all()
        connection.execute(DELETE_FILINGS, params)
        rows = filing_rows(project, sorted(states, key=lambda s: s["id"]))
        if rows:
            connection.execute(INSERT_FILINGS, rows)


def _insert_ignore(connection, table, values) -> None:
    dialect = connection.dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    connection.execute(make(table).values(**values).on_conflict_do_nothing())
