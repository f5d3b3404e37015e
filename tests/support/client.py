"""A thin HTTP client that files the three parts the way the mobile app does."""

from __future__ import annotations

from datetime import timedelta

import requests

from tests.support import factories


class FilingClient:
    def __init__(
        self, url: str, headers: dict, session: requests.Session | None = None
    ):
        self.url = url
        self.headers = headers
        self.http = session or requests.Session()

    def call(self, method: str, path: str, expect: int | tuple = (200, 201, 204), **kw):
        headers = {**self.headers, **kw.pop("headers", {})}
        response = self.http.request(method, self.url + path, headers=headers, **kw)
        expected = expect if isinstance(expect, tuple) else (expect,)
        assert response.status_code in expected, (
            f"{method} {path}: {response.status_code} {response.text[:500]}"
        )
        return response

    def draft_project(self, **overrides) -> str:
        body = factories.project_body(**overrides)
        return self.call("POST", "/projects", 201, json=body).json()["id"]

    def put_photo(self, path: str, data: bytes, content_type="image/jpeg"):
        return self.call(
            "PUT", path, 200, data=data, headers={"Content-Type": content_type}
        )

    def file_complete(
        self,
        start_in: timedelta = timedelta(hours=1),
        hours: float = 4,
        permit_photo: bytes | None = None,
        project: dict | None = None,
        hot_work: dict | None = None,
    ) -> dict:
        """Project, permit photo, hot work, its photos and the fire watch."""
        project_id = self.draft_project(**(project or {}))
        photo = permit_photo or factories.small_photo()
        self.put_photo(f"/projects/{project_id}/permit-photo", photo)
        body = factories.hot_work_body(start_in, hours, **(hot_work or {}))
        hot_work_id = self.call(
            "POST", f"/projects/{project_id}/hot-works", 201, json=body
        ).json()["id"]
        kinds = ["group", "permit"]
        if set(body["methods"]) & {"electric_welding", "gas_welding", "cutting"}:
            kinds.insert(0, "certificate")
        for kind in kinds:
            self.put_photo(f"/hot-works/{hot_work_id}/photos/{kind}", photo)
        self.call(
            "PUT",
            f"/hot-works/{hot_work_id}/fire-watch",
            200,
            json=factories.fire_watch_body(),
        )
        return {"project_id": project_id, "hot_work_id": hot_work_id}

    def file_report(self, hot_work_id: str) -> requests.Response:
        photo = factories.small_photo()
        files = {
            kind: (f"{kind}.jpg", photo, "image/jpeg")
            for kind in ("site", "after_work", "signed_permit")
        }
        return self.call(
            "POST",
            f"/hot-works/{hot_work_id}/supervision-report",
            201,
            data={"description": "动火结束，现场已清理，无遗留火种"},
            files=files,
        )

    def search(self, **params) -> dict:
        return self.call("GET", "/hot-works", 200, params=params).json()
