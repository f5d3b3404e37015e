"""Code allocation from two OS processes against one PostgreSQL database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine

from services.devices import tables

ROOT = Path(__file__).resolve().parents[2]

ALLOCATE = """
import json, sys
from sqlalchemy import create_engine
from services.devices import codes
from services.devices.settings import CodeDigits

url, count = sys.argv[1], int(sys.argv[2])
engine = create_engine(url, pool_size=4)
taken = []
for _ in range(count):
    with engine.begin() as connection:
        taken.append(codes.allocate(connection, "110119", CodeDigits()).code)
print(json.dumps(taken))
"""


def test_two_processes_allocating_at_once_never_share_a_code(database_url):
    engine = create_engine(database_url)
    tables.metadata.create_all(engine)
    engine.dispose()
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", ALLOCATE, database_url, "300"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [json.loads(worker.communicate(timeout=120)[0]) for worker in workers]
    codes = [code for result in results for code in result]
    assert len(codes) == 600 and len(set(codes)) == 600
    serials = sorted(int(code[-6:]) for code in codes)
    assert serials == list(range(serials[0], serials[0] + 600))
