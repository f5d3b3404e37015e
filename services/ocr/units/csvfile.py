"""Reading the admin's CSV of units (`name,credit_code`), every row checked.

The import is all or nothing: one bad row and nothing is written, so the
table never holds half of a file. The report names every bad row at once,
so the admin fixes the file in one pass.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from services.common.codes import credit_code_problem
from services.ocr.units.names import name_key

HEADER = ("name", "credit_code")


@dataclass
class UnitsFile:
    pairs: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_units(text: str) -> UnitsFile:
    """The (name, code) pairs of a CSV text, and a line per bad row."""
    found = UnitsFile()
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = tuple(cell.strip().lower() for cell in next(rows, []))
    if header != HEADER:
        found.problems.append(f"line 1: header must be {','.join(HEADER)}")
        return found
    codes: dict[str, str] = {}
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        problem = _row_problem(row, codes)
        if problem:
            found.problems.append(f"line {line}: {problem}")
            continue
        name, code = row[0].strip(), _code(row[1])
        if codes.setdefault(name_key(name), code) == code:
            found.pairs.append((name, code))
    return found


def _row_problem(row: list[str], codes: dict[str, str]) -> str | None:
    if len(row) != 2:
        return f"expected 2 columns, found {len(row)}"
    name, code = row[0].strip(), _code(row[1])
    if not name_key(name):
        return "name is empty"
    problem = credit_code_problem(code)
    if problem:
        return f"credit code {code!r} {problem}"
    earlier = codes.get(name_key(name))
    if earlier and earlier != code:
        return f"{name} appears earlier with code {earlier}"
    return None


def _code(cell: str) -> str:
    return unicodedata.normalize("NFKC", cell).strip().upper()
