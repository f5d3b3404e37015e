"""Document recognition across the suite: photo attached → event on the bus.

Each recognition costs a second or two of CPU, so only two photos are read
here; the recogniser's accuracy is measured by the unit suite and the bench.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest
import requests
from kombu import Connection, Exchange, Queue

from tests.support.client import FilingClient
from tests.support.factories import FIXTURES, permit_photo
from tests.support.processes import ROOT, child_env, wait_until

pytestmark = pytest.mark.integration

DOCUMENTS = FIXTURES / "documents"
PERMIT_LABEL = "permit-11-000.json"
CERTIFICATE = "certificate-11-000"
# Readings queue behind the photos earlier tests attached, one at a time.
EVENT_TIMEOUT = 180


def _label(name: str) -> dict:
    return json.loads((DOCUMENTS / name).read_text(encoding="utf-8"))["fields"]


@pytest.fixture(scope="module")
def ocr(suite):
    """The suite once the recognition service answers, with units imported."""

    def answering():
        with suite.rpc(timeout=5) as rpc:
            return rpc.ocr.preview("0" * 64)["document"] == "unknown"

    wait_until(answering, 60, interval=0.5, what="the ocr service")
    imported = subprocess.run(
        [sys.executable, "-m", "services.ocr.units", "import", FIXTURES / "units.csv"],
        cwd=ROOT,
        env=child_env(DATABASE_URL=suite.database_url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert imported.returncode == 0, imported.stderr
    return suite


@pytest.fixture
def ocr_events(ocr):
    """A queue on the `ocr.events` exchange, bound before anything is sent."""
    exchange = Exchange("ocr.events", type="topic", durable=True)
    queue = Queue(
        f"test-ocr-{uuid.uuid4().hex[:8]}",
        exchange,
        routing_key="document.#",
        auto_delete=True,
    )
    with Connection(ocr.amqp_uri) as connection:
        events = connection.SimpleQueue(queue)
        try:
            yield lambda subject_id: _event_about(events, subject_id)
        finally:
            events.close()


def _event_about(events, subject_id: str) -> tuple[str, dict]:
    def about():
        message = events.get(timeout=1)
        message.ack()
        body = message.payload
        if body["subject"]["id"] == subject_id:
            return message.delivery_info["routing_key"], body
        return None

    return wait_until(about, EVENT_TIMEOUT, interval=0, what="a document event")


def test_a_permit_photo_fills_the_project_and_verifies_its_unit(
    ocr, ocr_events, company
) -> None:
    client = FilingClient(ocr.url, company["headers"])
    project_id = client.draft_project()
    client.put_photo(f"/projects/{project_id}/permit-photo", permit_photo())

    event_type, event = ocr_events(project_id)

    label = _label(PERMIT_LABEL)
    assert event_type == "document.recognised"
    assert event["subject"] == {"kind": "project", "id": project_id, "photo": "permit"}
    assert event["document"] == "permit"
    for name in ("number", "construction_unit", "project_name", "issue_date"):
        assert event["fields"][name]["value"] == label[name], name
    assert event["unit"] == {
        "name": label["construction_unit"],
        "verified": True,
        "credit_code": label["construction_unit_credit_code"],
        "source": "registry",
    }


def test_a_text_file_is_refused_at_the_gateway(ocr, company) -> None:
    client = FilingClient(ocr.url, company["headers"])
    project_id = client.draft_project()
    text = "这不是照片".encode()
    for path in (f"/projects/{project_id}/permit-photo", "/recognitions"):
        method = "PUT" if path.endswith("photo") else "POST"
        answer = client.call(method, path, 422, data=text)
        assert answer.json()["error"]["code"] == "INVALID_INPUT"


def test_a_certificate_photo_is_read_at_once(ocr, company) -> None:
    photo = (DOCUMENTS / f"{CERTIFICATE}.jpg").read_bytes()
    answer = requests.post(
        f"{ocr.url}/recognitions",
        data=photo,
        headers={**company["headers"], "Content-Type": "image/jpeg"},
        timeout=180,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    label = _label(f"{CERTIFICATE}.json")
    assert body["document"] == "certificate" and body["unit"] is None
    assert body["photo"]["sha256"] == body["photo_sha256"]
    for name in ("certificate_number", "name", "category", "valid_to"):
        assert body["fields"][name]["value"] == label[name], name


def test_only_an_enterprise_may_ask(ocr) -> None:
    headers = ocr.headers(role="regulator", districts=["110105"])
    answer = requests.post(f"{ocr.url}/recognitions", data=b"x", headers=headers)
    assert answer.status_code == 403
