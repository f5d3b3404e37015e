"""The camera simulator against the real transport, and SIPp if installed."""

import shutil
import subprocess
import time

import eventlet
import pytest

from services.signalling.camera import device_ids
from services.signalling.config import SipConfig
from services.signalling.core import SipCore
from services.signalling.digest import HmacNonceSource
from services.signalling.events import CatalogSynced, RegistrationReplaced
from services.signalling.ports import InMemoryCredentials, InMemoryRegistrationStore
from services.signalling.simulator import Fleet, FleetSettings
from services.signalling.transport import SipTransport, TransportSettings

from .conftest import CAMERA_PASSWORD, DOMAIN, PLATFORM_ID

CAMERAS = 6


@pytest.fixture
def live_server():
    credentials = InMemoryCredentials()
    for device_id in device_ids(CAMERAS):
        credentials.add_password(device_id, CAMERA_PASSWORD)
    config = SipConfig(
        platform_id=PLATFORM_ID,
        domain=DOMAIN,
        keepalive_interval=0.3,
        catalog_quiet_timeout=0.5,
        sweep_interval=0.1,
    )
    nonces = HmacNonceSource(b"test-secret", time.time)
    core = SipCore(config, credentials, InMemoryRegistrationStore(), nonces)
    events = []
    transport = SipTransport(core, TransportSettings("127.0.0.1", 0), events.append)
    transport.start()
    transport.events = events
    yield transport
    transport.stop()


def test_fleet_registers_keeps_alive_and_syncs_catalogs(live_server):
    settings = FleetSettings(
        cameras=CAMERAS,
        server=live_server.address,
        keepalive=0.3,
        sockets=2,
        reboots=1,
        nat_moves=2,
        channels=5,
        page_size=2,
    )
    fleet = Fleet(settings)
    fleet.start()
    try:
        fleet.register_all()
        fleet.run(1.5)
    finally:
        fleet.stop()
    core = live_server.core
    assert fleet.report()["registered"] == CAMERAS
    assert all(core.is_online(device_id) for device_id in fleet.cameras)
    synced = [e for e in live_server.events if isinstance(e, CatalogSynced)]
    assert {e.device_id for e in synced if e.complete} == set(fleet.cameras)
    assert all(len(core.channels(device_id)) == 5 for device_id in fleet.cameras)
    assert any(isinstance(e, RegistrationReplaced) for e in live_server.events)


def test_silent_camera_goes_offline(live_server):
    settings = FleetSettings(
        cameras=2, server=live_server.address, keepalive=0.3, sockets=1, silent=1
    )
    fleet = Fleet(settings)
    fleet.start()
    try:
        fleet.register_all()
        fleet.run(1.5)
    finally:
        fleet.stop()
    silent, talking = list(fleet.cameras)
    assert not live_server.core.is_online(silent)
    assert live_server.core.is_online(talking)


SIPP_SCENARIO = """<?xml version="1.0" encoding="UTF-8"?>
<scenario name="gb28181 register">
  <send retrans="500"><![CDATA[
REGISTER sip:34020000002000000001@3402000000 SIP/2.0
Via: SIP/2.0/UDP [local_ip]:[local_port];rport;branch=[branch]
From: <sip:34020000001320000001@3402000000>;tag=[call_number]
To: <sip:34020000001320000001@3402000000>
Call-ID: [call_id]
CSeq: 1 REGISTER
Contact: <sip:34020000001320000001@[local_ip]:[local_port]>
Max-Forwards: 70
Expires: 3600
Content-Length: 0

]]></send>
  <recv response="401" auth="true"/>
  <send retrans="500"><![CDATA[
REGISTER sip:34020000002000000001@3402000000 SIP/2.0
Via: SIP/2.0/UDP [local_ip]:[local_port];rport;branch=[branch]
From: <sip:34020000001320000001@3402000000>;tag=[call_number]
To: <sip:34020000001320000001@3402000000>
Call-ID: [call_id]
CSeq: 2 REGISTER
Contact: <sip:34020000001320000001@[local_ip]:[local_port]>
[authentication username=34020000001320000001 password=12345678]
Max-Forwards: 70
Expires: 3600
Content-Length: 0

]]></send>
  <recv response="200"/>
</scenario>
"""


def test_sipp_registers_with_digest(tmp_path):
    sipp = shutil.which("sipp")
    if sipp is None:
        pytest.skip("sipp is not installed (Debian package sip-tester)")
    scenario = tmp_path / "register.xml"
    scenario.write_text(SIPP_SCENARIO)
    credentials = InMemoryCredentials()
    credentials.add_password("34020000001320000001", CAMERA_PASSWORD)
    config = SipConfig(platform_id=PLATFORM_ID, domain=DOMAIN)
    core = SipCore(
        config,
        credentials,
        InMemoryRegistrationStore(),
        HmacNonceSource(b"k", time.time),
    )
    transport = SipTransport(core, TransportSettings("127.0.0.1", 0))
    host, port = transport.start()
    try:
        command = [sipp, f"{host}:{port}", "-sf", str(scenario), "-m", "1"]
        command += ["-i", "127.0.0.1", "-p", "0", "-timeout", "10", "-nostdin"]
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
        )
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline:
            eventlet.sleep(0.05)
        if process.poll() is None:
            process.kill()
        assert process.returncode == 0, process.stderr.read()[-2000:]
        assert core.is_online("34020000001320000001")
    finally:
        transport.stop()
