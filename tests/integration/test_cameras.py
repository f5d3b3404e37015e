"""Linking cameras to a hot work, and the regulator's map (guide 4.3)."""

import pytest
import requests

from tests.support.client import FilingClient
from tests.support.factories import device_body, new_credit_code
from tests.support.processes import wait_until


@pytest.fixture
def client(suite, company):
    return FilingClient(suite.url, company["headers"])


def register_camera(client: FilingClient, **overrides) -> dict:
    return client.call("POST", "/devices", 201, json=device_body(**overrides)).json()


def test_link_cameras_and_see_them_on_the_map(suite, client):
    filed = client.file_complete()
    gate, yard = register_camera(client), register_camera(client, name="Yard")
    cameras = f"/hot-works/{filed['hot_work_id']}/cameras"

    client.call("POST", cameras, 201, json={"device_id": gate["id"]})
    client.call("POST", cameras, 201, json={"device_id": yard["id"]})
    again = client.call("POST", cameras, 409, json={"device_id": gate["id"]})
    client.call("DELETE", f"{cameras}/{yard['id']}", 204)

    assert again.json()["error"]["field"] == "device_id"
    regulator = FilingClient(
        suite.url, suite.headers(role="regulator", districts=["110105"])
    )

    def on_map():
        points = regulator.call("GET", "/map/points").json()["points"]
        found = [p for p in points if p["hot_work_id"] == filed["hot_work_id"]]
        return found and len(found[0]["cameras"]) == 1 and found[0]

    point = wait_until(on_map, timeout=15, what="the point on the map")
    assert [c["code"] for c in point["cameras"]] == [gate["code"]]
    assert point["cameras"][0]["state"] == "never_seen"
    assert point["cameras"][0]["online"] is False
    assert point["status"] == "before"
    assert point["coordinates"]["latitude"] == pytest.approx(39.92)
    details = client.call("GET", f"/hot-works/{filed['hot_work_id']}").json()
    assert [c["device_id"] for c in details["cameras"]] == [gate["id"]]


def test_only_own_cameras_on_own_hot_works(suite, client):
    filed = client.file_complete()
    stranger = FilingClient(
        suite.url,
        suite.headers(role="enterprise", credit_code=new_credit_code()),
    )
    theirs = register_camera(stranger)
    mine = register_camera(client)
    cameras = f"/hot-works/{filed['hot_work_id']}/cameras"

    foreign_camera = client.call("POST", cameras, 404, json={"device_id": theirs["id"]})
    foreign_work = stranger.call("POST", cameras, 404, json={"device_id": mine["id"]})
    no_body = client.call("POST", cameras, 422, json={})

    assert foreign_camera.json()["error"]["field"] == "device_id"
    assert foreign_work.json()["error"]["field"] == "id"
    assert no_body.json()["error"]["field"] == "device_id"


def test_map_is_for_the_regulators_districts(suite):
    other = requests.get(
        f"{suite.url}/map/points",
        params={"district": "110105"},
        headers=suite.headers(role="regulator", districts=["110118"]),
        timeout=10,
    )
    assert other.status_code == 403
