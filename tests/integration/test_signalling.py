"""Cameras against the signalling service, services as processes.

A simulated camera (the simulator command, as its own process) registers
with the code and password the registry gave it, keeps alive on the
suite's short interval, and answers device queries.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
import requests

from tests.integration.test_devices import device_body
from tests.support.factories import new_credit_code
from tests.support.processes import ROOT, wait_until

SERVER_ID = "11010000902007000001"
DOMAIN = "1101000090"


class CameraProcess:
    def __init__(self, suite, code: str, password: str):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "services.signalling.simulator",
                "--cameras=1",
                f"--server=127.0.0.1:{suite.sip_port}",
                f"--first-id={code}",
                f"--password={password}",
                f"--server-id={SERVER_ID}",
                f"--domain={DOMAIN}",
                "--keepalive=2",
                "--duration=120",
                "--sockets=1",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def stop(self) -> dict:
        """Stop keepalives at once; the report the simulator printed."""
        self.process.terminate()
        out, _ = self.process.communicate(timeout=10)
        lines = out.decode().strip().splitlines()
        return json.loads(lines[-1]) if lines else {}


@pytest.fixture(scope="module")
def signalling_up(suite):
    def answering():
        with suite.rpc(timeout=5) as rpc:
            return rpc.signalling.registration("11010500001320000001")

    wait_until(answering, 60, interval=0.5, what="the signalling service")
    return suite


@pytest.fixture
def http(signalling_up, company):
    session = requests.Session()
    session.headers.update(company["headers"])
    return session


@pytest.fixture
def camera_device(signalling_up, http):
    body = device_body(password="Cam12345")
    created = http.post(f"{signalling_up.url}/devices", json=body)
    assert created.status_code == 201, created.text
    return created.json()


@pytest.fixture
def cameras():
    started = []
    yield started
    for camera in started:
        if camera.process.poll() is None:
            camera.process.kill()
            camera.process.wait()


def presence(http, suite, device) -> dict:
    return http.get(f"{suite.url}/devices/{device['id']}").json()["presence"]


def registration(suite, code: str) -> dict:
    with suite.rpc(timeout=10) as rpc:
        return rpc.signalling.registration(code)


def wait_for_state(http, suite, device, state: str, timeout: float = 30) -> None:
    wait_until(
        lambda: presence(http, suite, device)["state"] == state,
        timeout,
        interval=0.3,
        what=f"the device {state}",
    )


def test_camera_registers_goes_online_and_answers(
    signalling_up, http, camera_device, cameras
):
    suite, device = signalling_up, camera_device
    cameras.append(CameraProcess(suite, device["code"], "Cam12345"))
    wait_for_state(http, suite, device, "online")

    answer = http.post(f"{suite.url}/devices/{device['id']}/test-connection")
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["result"] == "ok" and result["online"] is True
    assert result["code"] == device["code"]
    assert result["device_info"]["manufacturer"] == "Hotwork"
    assert result["device_info"]["model"] == "SIM-1"
    assert result["device_info"]["firmware"] == "V1.0"
    assert result["last_keepalive_at"].endswith("Z")
    assert result["round_trip_ms"] < 5000

    with suite.rpc(timeout=20) as rpc:
        catalog = rpc.signalling.query_catalog(device["code"], timeout=5)
    assert catalog["result"] == "ok" and catalog["complete"] is True
    assert len(catalog["channels"]) == 4

    # Silence: offline after three missed 2-second keepalives.
    cameras[0].stop()
    wait_for_state(http, suite, device, "offline", timeout=20)
    gone = http.post(f"{suite.url}/devices/{device['id']}/test-connection").json()
    assert gone["online"] is False and gone["result"] in ("no_answer", "ok")


def test_a_wrong_password_gets_403_and_stays_offline(
    signalling_up, http, camera_device, cameras
):
    suite, device = signalling_up, camera_device
    camera = CameraProcess(suite, device["code"], "Wrong123")
    cameras.append(camera)
    time.sleep(3)
    report = camera.stop()
    assert report["refusals"] >= 1 and report["registered"] == 0
    assert presence(http, suite, device)["state"] == "never_seen"
    assert registration(suite, device["code"])["registered"] is False
    logs = suite.logs("signalling")
    assert "authentication_failed" in logs and "Cam12345" not in logs
    assert "Authorization" not in logs


def test_only_the_owner_may_test_a_camera(signalling_up, camera_device, company):
    stranger = signalling_up.headers(role="enterprise", credit_code=new_credit_code())
    path = f"{signalling_up.url}/devices/{camera_device['id']}/test-connection"
    assert requests.post(path, headers=stranger).status_code == 404


def test_an_unregistered_camera_is_said_so(signalling_up, http, camera_device):
    path = f"{signalling_up.url}/devices/{camera_device['id']}/test-connection"
    answer = http.post(path).json()
    assert answer["registered"] is False and answer["result"] == "not_registered"
    assert "has not registered" in answer["message"]


def test_a_restart_of_signalling_keeps_the_camera_online(
    signalling_up, http, camera_device, cameras
):
    suite, device = signalling_up, camera_device
    cameras.append(CameraProcess(suite, device["code"], "Cam12345"))
    wait_for_state(http, suite, device, "online")

    suite.services["signalling"].stop()
    suite.services["signalling"].start()
    wait_until(
        lambda: registration(suite, device["code"])["registered"],
        60,
        interval=0.5,
        what="signalling back with the binding",
    )
    time.sleep(8)  # longer than the 6-second keepalive timeout
    assert presence(http, suite, device)["state"] == "online"
    assert registration(suite, device["code"])["online"] is True
    answer = http.post(f"{suite.url}/devices/{device['id']}/test-connection")
    assert answer.json()["result"] == "ok"
