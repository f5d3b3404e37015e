"""`make run` from a clean state: the embedded suite starts and files over HTTP."""

import os
import signal
import subprocess
from pathlib import Path

import pytest
import requests

from tests.support import factories
from tests.support.client import FilingClient
from tests.support.processes import ROOT, free_port, http_up, wait_until

pytestmark = pytest.mark.smoke


@pytest.fixture
def embedded(tmp_path: Path):
    port = free_port()
    env = {
        **os.environ,
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite:///{tmp_path}/{{service}}.db",
        "BLOB_DIR": str(tmp_path / "blobs"),
    }
    log = open(tmp_path / "run.log", "wb")  # noqa: SIM115 - the child writes it
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api/v1"
    try:
        wait_until(lambda: http_up(url), timeout=90, what="the embedded suite")
        wait_until(lambda: answering(url), timeout=60, what="filing and query")
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def answering(url: str) -> bool:
    """Filing and query answer RPCs: they are up behind the gateway."""
    minted = requests.post(
        f"{url}/dev/tokens",
        json={"role": "enterprise", "credit_code": "91110118923E942H3G"},
        timeout=5,
    ).json()["token"]
    headers = {"Authorization": f"Bearer {minted}"}
    nobody = f"{url}/projects/00000000-0000-0000-0000-000000000000"
    filing = requests.get(nobody, headers=headers, timeout=5)
    query = requests.get(f"{url}/hot-works", headers=headers, timeout=5)
    return filing.status_code == 404 and query.status_code == 200


def test_make_run_files_and_finds_a_hot_work(embedded):
    minted = requests.post(
        f"{embedded}/dev/tokens",
        json={"role": "enterprise", "credit_code": "91110118923E942H3G"},
        timeout=5,
    )
    client = FilingClient(
        embedded, {"Authorization": f"Bearer {minted.json()['token']}"}
    )

    filed = client.file_complete(permit_photo=factories.permit_photo())

    def listed():
        items = client.search()["items"]
        return [
            i for i in items if i["id"] == filed["hot_work_id"] and not i["incomplete"]
        ]

    item = wait_until(listed, timeout=20, what="the filing in search")[0]
    assert item["status"] == "before"
    assert item["completion"] == "pending"
    openapi = requests.get(f"{embedded}/openapi.json", timeout=5).json()
    assert "/hot-works" in openapi["paths"]
