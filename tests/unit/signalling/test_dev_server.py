"""The shared fixtures sent over UDP to the dev server, as a process."""

import socket
import sqlite3
import subprocess
import sys
import time

import pytest

from services.signalling.parser import parse_datagram

from .conftest import REPO, fixture_bytes


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_udp_port()
    log = tmp_path_factory.mktemp("dev-server") / "server.log"
    command = [
        sys.executable, "-m", "services.signalling", "--fixtures",
        f"--address=127.0.0.1:{port}", "--no-catalog-query",
    ]  # fmt: skip
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command, cwd=REPO, stdout=output, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 20
    while b"sip_listening" not in log.read_bytes():
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    yield ("127.0.0.1", port), log
    process.terminate()
    process.wait(10)


def exchange(address, name: str):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.settimeout(3)
        client.bind(("127.0.0.1", 0))
        client.sendto(fixture_bytes(name), address)
        return parse_datagram(client.recvfrom(65536)[0])


@pytest.mark.parametrize(
    "name", ["register-digest-qop-auth.sip", "register-digest-no-qop.sip"]
)
def test_authenticated_registers_get_200_with_date(server, name):
    response = exchange(server[0], name)
    assert response.status == 200
    assert response.header("Expires") and response.header("Date")
    assert response.header("Contact")


def test_a_wrong_password_gets_403(server):
    assert exchange(server[0], "register-wrong-password.sip").status == 403


def test_behind_nat_the_answer_names_the_real_source(server):
    response = exchange(server[0], "register-behind-nat.sip")
    via = response.top_via
    # A first REGISTER: the challenge goes back to where the packet came from.
    assert response.status == 401
    assert via.params["received"] == "127.0.0.1" and via.params["rport"].isdigit()


@pytest.mark.parametrize(
    "name",
    [
        "catalog-gb2312-no-declared-encoding.sip",
        "catalog-page-1-of-2.sip",
        "catalog-page-2-of-2.sip",
        "catalog-page-2-of-2.sip",
    ],
)
def test_catalog_pages_get_200(server, name):
    assert exchange(server[0], name).status == 200


def test_logs_hold_no_secrets(server):
    text = server[1].read_text()
    assert "12345678" not in text and "Authorization" not in text


def test_a_binding_is_in_the_table_after_a_terminate(tmp_path):
    port, log = free_udp_port(), tmp_path / "server.log"
    database = tmp_path / "signalling.db"
    command = [
        sys.executable, "-m", "services.signalling", "--fixtures",
        f"--address=127.0.0.1:{port}", "--no-catalog-query",
        f"--database=sqlite:///{database}",
    ]  # fmt: skip
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command, cwd=REPO, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 20
        while b"sip_listening" not in log.read_bytes():
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        address = ("127.0.0.1", port)
        assert exchange(address, "register-digest-qop-auth.sip").status == 200
    finally:
        process.terminate()
        assert process.wait(10) == 0
    assert b"sip_activity" in log.read_bytes()
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "select device_id from signalling_registrations"
        ).fetchall()
    assert ("34020000001320000001",) in rows
