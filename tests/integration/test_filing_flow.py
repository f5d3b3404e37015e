"""A user's filing, end to end over HTTP against the services as processes."""

from datetime import datetime, timedelta

import pytest
import requests
from sqlalchemy import create_engine, text

from contracts.values import SHANGHAI
from tests.support import factories
from tests.support.client import FilingClient
from tests.support.processes import wait_until


@pytest.fixture
def client(suite, company):
    return FilingClient(suite.url, company["headers"])


@pytest.fixture
def event_count(database_url):
    engine = create_engine(database_url)

    def count() -> int:
        # Users' events only: readings of other tests' photos land whenever
        # the recognition service gets to them.
        query = "SELECT count(*) FROM filing_events WHERE actor->>'role' <> 'system'"
        with engine.connect() as connection:
            return connection.scalar(text(query))

    yield count
    engine.dispose()


def visible(client: FilingClient, hot_work_id: str, until=None, **params) -> dict:
    """The search item of a filing once the query model shows it complete."""
    until = until or (lambda item: not item["incomplete"])

    def found():
        items = client.search(**params)["items"]
        item = next((item for item in items if item["id"] == hot_work_id), None)
        return item if item and until(item) else None

    return wait_until(found, timeout=15, what=f"{hot_work_id} in search")


def test_complete_filing_is_before_and_pending(suite, client):
    filed = client.file_complete(permit_photo=factories.permit_photo())

    item = visible(client, filed["hot_work_id"])
    assert item["status"] == "before"
    assert item["completion"] == "pending"
    assert item["incomplete"] is False
    assert item["district"] == "110105"


def test_window_around_now_is_during(client):
    filed = client.file_complete(start_in=timedelta(hours=-1), hours=2)

    assert visible(client, filed["hot_work_id"])["status"] == "during"


def test_supervision_report_ends_the_work(client):
    filed = client.file_complete(start_in=timedelta(hours=-3), hours=2)
    client.file_report(filed["hot_work_id"])

    # It ended an hour ago: search since yesterday, in case today just began.
    since = {"from": (datetime.now(SHANGHAI) - timedelta(days=1)).date().isoformat()}
    item = visible(
        client,
        filed["hot_work_id"],
        until=lambda i: i["completion"] == "ended",
        **since,
    )
    assert item["status"] == "after"
    ended = client.search(completion="ended", **since)["items"]
    ended_ids = [i["id"] for i in ended]
    assert filed["hot_work_id"] in ended_ids
    details = client.call("GET", f"/hot-works/{filed['hot_work_id']}").json()
    assert details["supervision_report"]["description"].startswith("动火结束")


def test_others_cannot_see_or_change_it(suite, client):
    filed = client.file_complete()
    visible(client, filed["hot_work_id"])
    stranger = FilingClient(
        suite.url,
        suite.headers(role="enterprise", credit_code=factories.new_credit_code()),
    )
    hot_work = f"/hot-works/{filed['hot_work_id']}"

    stranger.call("GET", hot_work, 404)
    stranger.call("GET", f"/projects/{filed['project_id']}", 404)
    stranger.call("PATCH", hot_work, 404, json={"location": "别处"})
    stranger.call("GET", f"{hot_work}/photos/group", 404)
    assert filed["hot_work_id"] not in [i["id"] for i in stranger.search()["items"]]


def test_regulators_see_only_their_districts(suite, client):
    filed = client.file_complete()
    visible(client, filed["hot_work_id"])
    own = FilingClient(suite.url, suite.headers(role="regulator", districts=["110105"]))
    other = FilingClient(
        suite.url, suite.headers(role="regulator", districts=["110118"])
    )

    assert visible(own, filed["hot_work_id"])["status"] == "before"
    own.call("GET", f"/hot-works/{filed['hot_work_id']}/photos/permit", 200)
    own.call("GET", f"/projects/{filed['project_id']}/permit-photo", 200)
    other.call("GET", f"/projects/{filed['project_id']}/permit-photo", 404)
    other.call("GET", f"/hot-works/{filed['hot_work_id']}", 404)
    assert filed["hot_work_id"] not in [i["id"] for i in other.search()["items"]]
    other.call("GET", "/hot-works", 403, params={"district": "110105"})
    own.call("PATCH", f"/hot-works/{filed['hot_work_id']}", 403, json={})


BAD_PROJECTS = [
    ({"project_type": 5}, "project_type"),
    ({"project_type": None}, "project_type"),
    (
        {"construction_unit_credit_code": "91110118923E942H3X"},
        "construction_unit_credit_code",
    ),
    ({"district": "120101"}, "district"),
    ({"coordinates": {"latitude": 95, "longitude": 116}}, "coordinates.latitude"),
    ({"surprise": "field"}, "surprise"),
]


@pytest.mark.parametrize(("change", "field"), BAD_PROJECTS)
def test_bad_project_is_refused_and_files_nothing(client, event_count, change, field):
    before = event_count()

    response = client.call(
        "POST", "/projects", 422, json=factories.project_body(**change)
    )

    assert response.json()["error"]["field"] == field
    assert response.json()["error"]["message"]
    assert event_count() == before


BAD_HOT_WORKS = [
    ({"worker_mobile": "1380013800"}, "worker_mobile"),
    ({"worker_mobile": "23800138000"}, "worker_mobile"),
    ({"start_at": "2026-12-04T10:00:00", "end_at": "2026-12-04T09:00:00"}, "end_at"),
    ({"methods": []}, "methods"),
    ({"methods": ["welding-ish"]}, "methods.0"),
    ({"start_at": "yesterday"}, "start_at"),
]


@pytest.mark.parametrize(("change", "field"), BAD_HOT_WORKS)
def test_bad_hot_work_is_refused(client, event_count, change, field):
    project_id = client.draft_project()
    before = event_count()

    response = client.call(
        "POST",
        f"/projects/{project_id}/hot-works",
        422,
        json=factories.hot_work_body(**change),
    )

    error = response.json()["error"]
    assert error["field"] == field
    assert event_count() == before


def test_not_json_and_not_photos_are_refused(client, event_count):
    project_id = client.draft_project()
    before = event_count()
    photo_path = f"/projects/{project_id}/permit-photo"

    not_json = client.call("POST", "/projects", 422, data=b"{not json")
    text_photo = client.call("PUT", photo_path, 422, data=b"just some text, not a JPEG")
    empty = client.call("PUT", photo_path, 422, data=b"")
    huge = client.call("PUT", photo_path, 413, data=b"\xff" * (10 * 1024 * 1024 + 1))
    no_token = requests.post(client.url + "/projects", json=factories.project_body())

    assert not_json.json()["error"]["field"] == "body"
    assert text_photo.json()["error"]["field"] == "permit_photo"
    assert empty.json()["error"]["field"] == "permit_photo"
    assert huge.json()["error"]["field"] == "permit_photo"
    assert no_token.status_code == 401
    assert event_count() == before


def test_fire_watch_needs_the_other_parts(client):
    project_id = client.draft_project()
    hot_work_id = client.call(
        "POST", f"/projects/{project_id}/hot-works", 201, json=factories.hot_work_body()
    ).json()["id"]

    response = client.call(
        "PUT",
        f"/hot-works/{hot_work_id}/fire-watch",
        422,
        json=factories.fire_watch_body(),
    )

    assert response.json()["error"]["field"] == "project.permit_photo"


def test_welding_needs_a_certificate_photo(client):
    project_id = client.draft_project()
    client.put_photo(f"/projects/{project_id}/permit-photo", factories.small_photo())
    body = factories.hot_work_body(
        methods=["electric_welding"], certificate=factories.certificate_body()
    )
    hot_work_id = client.call(
        "POST", f"/projects/{project_id}/hot-works", 201, json=body
    ).json()["id"]
    for kind in ("group", "permit"):
        client.put_photo(
            f"/hot-works/{hot_work_id}/photos/{kind}", factories.small_photo()
        )

    refused = client.call(
        "PUT",
        f"/hot-works/{hot_work_id}/fire-watch",
        422,
        json=factories.fire_watch_body(),
    )
    client.put_photo(
        f"/hot-works/{hot_work_id}/photos/certificate", factories.small_photo()
    )
    client.call(
        "PUT",
        f"/hot-works/{hot_work_id}/fire-watch",
        200,
        json=factories.fire_watch_body(),
    )

    assert refused.json()["error"]["field"] == "hot_work.photos.certificate"


def test_concurrent_edits_of_one_draft_conflict(client):
    project_id = client.draft_project()
    version = client.call("GET", f"/projects/{project_id}").headers["ETag"]

    first = client.call(
        "PATCH",
        f"/projects/{project_id}",
        (200, 409),
        json={"scale": "100平方米"},
        headers={"If-Match": version},
    )
    second = client.call(
        "PATCH",
        f"/projects/{project_id}",
        (200, 409),
        json={"scale": "200平方米"},
        headers={"If-Match": version},
    )

    assert sorted([first.status_code, second.status_code]) == [200, 409]
    assert second.json()["error"]["code"] == "VERSION_CONFLICT"
    project = client.call("GET", f"/projects/{project_id}").json()
    assert project["fields"]["scale"] == "100平方米"
    assert project["version"] == 2


def test_retried_command_files_once(client, event_count):
    headers = {"Idempotency-Key": "retry-me-1"}
    body = factories.project_body()
    before = event_count()

    first = client.call("POST", "/projects", 201, json=body, headers=headers)
    again = client.call("POST", "/projects", 201, json=body, headers=headers)
    other = client.call(
        "POST",
        "/projects",
        422,
        json=factories.project_body(scale="1平方米"),
        headers=headers,
    )

    assert first.json()["id"] == again.json()["id"]
    assert again.json()["replayed"] is True
    assert other.json()["error"]["field"] == "Idempotency-Key"
    assert event_count() == before + 1


def test_incomplete_filing_can_be_resumed_and_deleted(client):
    project_id = client.draft_project(scale=None)
    wait_until(
        lambda: (
            project_id in [i["id"] for i in client.search(incomplete="true")["items"]]
        ),
        timeout=15,
        what="the draft among incomplete filings",
    )

    client.call("PATCH", f"/projects/{project_id}", 200, json={"scale": "50平方米"})
    client.call("DELETE", f"/projects/{project_id}", 204)

    client.call("GET", f"/projects/{project_id}", 404)
    wait_until(
        lambda: project_id not in [i["id"] for i in client.search()["items"]],
        timeout=15,
        what="deleted draft gone from search",
    )
