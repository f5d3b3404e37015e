"""The default registry: a table an admin fills from CSV and users teach."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from services.common.codes import credit_code_problem
from services.ocr.tables import units
from services.ocr.units import UnitMatch
from services.ocr.units.names import name_key

ADMIN, USER = "admin", "user"
# What the recognised event says about where a code came from.
SOURCE_OF = {ADMIN: "registry", USER: "confirmed"}
_CHUNK = 500


class TableRegistry:
    def __init__(self, engine: Engine):
        self.engine = engine

    def lookup(self, name: str) -> UnitMatch | None:
        query = select(units).where(units.c.name_key == name_key(name))
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None or row.disputed:
            return None
        return UnitMatch(row.credit_code, SOURCE_OF[row.source])

    def learn(self, name: str, credit_code: str) -> None:
        """Add a user-confirmed pair; an admin row is never changed."""
        if credit_code_problem(credit_code) or not name_key(name):
            return
        try:
            with self.engine.begin() as connection:
                self._learn(connection, name, credit_code)
        except IntegrityError:
            # Another replica inserted the same name first; learn against it.
            with self.engine.begin() as connection:
                self._learn(connection, name, credit_code)

    def _learn(self, connection, name: str, credit_code: str) -> None:
        key = name_key(name)
        row = connection.execute(select(units).where(units.c.name_key == key)).first()
        if row is None:
            connection.execute(insert(units).values(_row(name, credit_code, USER)))
        elif row.source == USER and row.credit_code != credit_code:
            connection.execute(
                update(units)
                .where(units.c.name_key == key)
                .values(credit_code=credit_code, disputed=True, updated_at=_now())
            )

    def import_units(self, pairs: Iterable[tuple[str, str]]) -> int:
        """Write admin rows in one transaction, replacing any row of the name."""
        rows = {name_key(name): _row(name, code, ADMIN) for name, code in pairs}
        keys = list(rows)
        with self.engine.begin() as connection:
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                connection.execute(delete(units).where(units.c.name_key.in_(chunk)))
            if rows:
                connection.execute(insert(units), list(rows.values()))
        return len(rows)

    def count(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            sources = connection.execute(select(units.c.source)).scalars().all()
        return {source: sources.count(source) for source in (ADMIN, USER)}


def _row(name: str, credit_code: str, source: str) -> dict:
    return {
        "name_key": name_key(name),
        "name": name.strip(),
        "credit_code": credit_code,
        "source": source,
        "disputed": False,
        "updated_at": _now(),
    }


def _now() -> datetime:
    return datetime.now(UTC)
