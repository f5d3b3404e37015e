"""psycopg2 under eventlet: a slow query must not stall other green threads."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.unit.conftest import pg_url

REPO = Path(__file__).resolve().parents[3]

TWO_SLOW_QUERIES = """
import sys, time
{patch}
import eventlet
from sqlalchemy import text
from services.common.db import make_engine

engine = make_engine(sys.argv[1])

def slow_query():
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_sleep(0.5)"))

with engine.connect() as connection:  # connect before timing
    connection.execute(text("SELECT 1"))
pool = eventlet.GreenPool()
started = time.monotonic()
for _ in range(2):
    pool.spawn(slow_query)
pool.waitall()
print(time.monotonic() - started)
"""


def elapsed(database: str, patched: bool) -> float:
    patch = "import eventlet; eventlet.monkey_patch()" if patched else ""
    script = textwrap.dedent(TWO_SLOW_QUERIES.format(patch=patch))
    done = subprocess.run(
        [sys.executable, "-c", script, pg_url(database)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return float(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("patched", [True, False], ids=["patched", "unpatched"])
def test_two_slow_queries_overlap_only_when_eventlet_patched(pg_database, patched):
    seconds = elapsed(pg_database, patched)

    if patched:
        assert seconds < 0.85
    else:
        assert seconds >= 0.95
