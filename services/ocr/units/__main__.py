"""Admin command: python -m services.ocr.units import FILE.

Imports a CSV of `name,credit_code` into the recognition service's database
(DATABASE_URL, as the service reads it). Exits 1 and writes nothing when any
row is bad, after listing every bad row. Rows of the file replace rows of
the same name, whoever wrote them.

A known shortcoming: an import only adds and replaces, so a unit dropped from
the admin's file stays in the table until it is deleted by hand.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.common.config import database_url
from services.common.db import make_engine
from services.ocr.tables import metadata
from services.ocr.units.csvfile import read_units
from services.ocr.units.table import TableRegistry


def import_file(path: Path, url: str) -> int:
    found = read_units(path.read_text(encoding="utf-8"))
    for problem in found.problems:
        print(f"{path}: {problem}", file=sys.stderr)
    if found.problems:
        print(f"nothing imported: {len(found.problems)} bad rows", file=sys.stderr)
        return 1
    engine = make_engine(url, pool_size=1)
    metadata.create_all(engine)
    registry = TableRegistry(engine)
    written = registry.import_units(found.pairs)
    print(f"imported {written} units; registry now {registry.count()}")
    engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.ocr.units")
    commands = parser.add_subparsers(dest="command", required=True)
    importing = commands.add_parser("import", help="import units from a CSV file")
    importing.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    return import_file(args.file, database_url("ocr"))


if __name__ == "__main__":
    raise SystemExit(main())
