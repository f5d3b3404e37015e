"""The camera registry over HTTP and RPC, services as processes."""

from __future__ import annotations

import hashlib
import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from nameko.standalone.events import event_dispatcher

from tests.support.factories import device_body, new_credit_code
from tests.support.processes import ServiceProcess, wait_until


@pytest.fixture(scope="module")
def devices_up(suite):
    headers = suite.headers(role="enterprise", credit_code=new_credit_code())
    wait_until(
        lambda: requests.get(f"{suite.url}/devices", headers=headers).ok,
        60,
        what="the devices service",
    )
    return suite


@pytest.fixture
def http(devices_up, company):
    session = requests.Session()
    session.headers.update(company["headers"])
    return session


def test_register_read_change_and_remove(devices_up, http, company):
    url = devices_up.url
    created = http.post(f"{url}/devices", json=device_body(mac="AA-BB-CC-00-00-02"))
    assert created.status_code == 201, created.text
    device = created.json()
    assert created.headers["ETag"] == '"1"'
    assert device["mac"] == "aa:bb:cc:00:00:02"
    assert device["code"][:6] == "110105" and len(device["code"]) == 20
    assert device["sip"]["server_id"] == "11010000902007000001"
    assert device["password"] == "Abc12345"

    read = http.get(f"{url}/devices/{device['id']}").json()
    assert read["presence"]["state"] == "never_seen"

    stale = {"If-Match": '"1"', "Idempotency-Key": uuid.uuid4().hex}
    changed = http.patch(
        f"{url}/devices/{device['id']}", json={"name": "西门"}, headers=stale
    )
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    retried = http.patch(
        f"{url}/devices/{device['id']}", json={"name": "西门"}, headers=stale
    )
    assert retried.json()["replayed"] is True
    conflict = http.patch(
        f"{url}/devices/{device['id']}",
        json={"name": "北门"},
        headers={"If-Match": '"1"'},
    )
    assert conflict.status_code == 409
    assert conflict.json()["error"]["field"] == "If-Match"

    assert http.delete(f"{url}/devices/{device['id']}").status_code == 204
    assert http.get(f"{url}/devices/{device['id']}").status_code == 404
    again = http.post(f"{url}/devices", json=device_body(mac="aabbcc000002"))
    assert again.status_code == 201, "a removed device's MAC is free again"
    assert again.json()["code"] != device["code"]


@pytest.mark.parametrize("password", ["Abc12", "Abc123456"])
def test_a_bad_password_is_422_naming_password(devices_up, http, password):
    answer = http.post(f"{devices_up.url}/devices", json=device_body(password=password))
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["field"] == "password" and password not in error["message"]


def test_a_duplicate_mac_is_409_naming_mac(devices_up, http):
    body = device_body()
    assert http.post(f"{devices_up.url}/devices", json=body).status_code == 201
    other = requests.post(
        f"{devices_up.url}/devices",
        json={**body, "mac": body["mac"].upper()},
        headers=devices_up.headers(role="enterprise", credit_code=new_credit_code()),
    )
    assert other.status_code == 409
    assert other.json()["error"] == {
        "code": "ALREADY_EXISTS",
        "message": "another camera already has this MAC address",
        "field": "mac",
    }


def test_another_enterprise_reaches_nothing(devices_up, http):
    url = devices_up.url
    device = http.post(f"{url}/devices", json=device_body()).json()
    stranger = devices_up.headers(role="enterprise", credit_code=new_credit_code())
    path = f"{url}/devices/{device['id']}"
    assert requests.get(path, headers=stranger).status_code == 404
    assert requests.patch(path, json={"name": "x"}, headers=stranger).status_code == 404
    assert requests.delete(path, headers=stranger).status_code == 404
    listed = requests.get(f"{url}/devices", headers=stranger).json()
    assert device["id"] not in [item["id"] for item in listed["items"]]


def test_a_regulator_reads_its_district_without_passwords(devices_up, http):
    url = devices_up.url
    device = http.post(f"{url}/devices", json=device_body(district="110116")).json()
    regulator = devices_up.headers(role="regulator", districts=["110116"])
    read = requests.get(f"{url}/devices/{device['id']}", headers=regulator).json()
    assert read["code"] == device["code"] and read["password"] is None
    elsewhere = devices_up.headers(role="regulator", districts=["110101"])
    path = f"{url}/devices/{device['id']}"
    assert requests.get(path, headers=elsewhere).status_code == 404


def test_search_pages_by_any_part_of_the_name(devices_up, http):
    url = devices_up.url
    tag = uuid.uuid4().hex[:8]
    for n in range(5):
        http.post(f"{url}/devices", json=device_body(name=f"Crane {tag.upper()} {n}"))
    http.post(f"{url}/devices", json=device_body(name="unrelated"))
    first = http.get(f"{url}/devices", params={"q": tag, "page_size": 2}).json()
    last = http.get(f"{url}/devices", params={"q": tag, "page": 3, "page_size": 2})
    assert first["total"] == 5 and len(first["items"]) == 2
    assert len(last.json()["items"]) == 1
    bad = http.get(f"{url}/devices", params={"page_size": 1000})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "page_size"


def test_rpcs_for_signalling_linking_and_the_map(devices_up, http, company):
    device = http.post(f"{devices_up.url}/devices", json=device_body()).json()
    with devices_up.rpc() as rpc:
        credentials = rpc.devices.sip_credentials(device["code"])
        actor = {"role": "enterprise", "credit_code": company["credit_code"]}
        brief = rpc.devices.get_device(actor, device["id"])
        briefs = rpc.devices.devices_by_ids([device["id"], str(uuid.uuid4())])
    realm = "1101000090"
    digest = f"{device['code']}:{realm}:Abc12345".encode()
    assert credentials == {
        "device_id": device["code"],
        "realm": realm,
        "ha1": hashlib.md5(digest).hexdigest(),
    }
    assert brief["code"] == device["code"] and "password" not in brief
    assert [b["id"] for b in briefs] == [device["id"]]
    with devices_up.rpc() as rpc:
        events = rpc.devices.read_stream(f"device-{device['id']}")
    assert events[0]["type"] == "device.registered"
    assert events[0]["payload"]["code"] == device["code"]
    assert "Abc12345" not in json.dumps(events)


def test_signalling_reports_show_in_details(devices_up, http):
    device = http.post(f"{devices_up.url}/devices", json=device_body()).json()
    dispatch = event_dispatcher(uri=devices_up.amqp_uri)
    at = "2026-03-01T08:00:00+08:00"
    path = f"{devices_up.url}/devices/{device['id']}"

    def presence():
        return http.get(path).json()["presence"]

    # The event exchange exists once the devices service declared its handler,
    # but a message sent before the queue was bound would be lost: retry.
    def online():
        dispatch("signalling", "device.online", {"device_id": device["code"], "at": at})
        return presence()["state"] == "online"

    wait_until(online, 20, interval=0.5, what="the online report")
    assert presence()["last_seen_at"] == "2026-03-01T00:00:00Z"


def test_two_device_processes_never_hand_out_one_code(devices_up):
    """A second replica shares the RPC queue; concurrent adds split across both."""
    first = devices_up.services["devices"]
    second = ServiceProcess(
        "devices-replica", first.target, first.env, devices_up.workdir, first.config
    )
    second.start()
    try:
        _wait_for_replica(devices_up, second)
        companies = [new_credit_code() for _ in range(2)]

        def register(n: int) -> str:
            headers = devices_up.headers(
                role="enterprise", credit_code=companies[n % 2]
            )
            answer = requests.post(
                f"{devices_up.url}/devices",
                json=device_body(district="110117"),
                headers=headers,
                timeout=60,
            )
            assert answer.status_code == 201, answer.text
            return answer.json()["code"]

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(register, range(60)))
    finally:
        second.stop()
    assert len(set(codes)) == 60
    assert "device_registered" in second.log_path.read_text(), "replica idle"


def _wait_for_replica(suite, replica: ServiceProcess) -> None:
    def ready():
        assert replica.alive, replica.log_path.read_text()[-2000:]
        return "devices" in replica.log_path.read_text()

    wait_until(ready, 60, what="the second devices process")
