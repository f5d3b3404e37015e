"""Routes of the filing part: projects, hot works, reports, search."""

from werkzeug.wrappers import Response

from contracts.errors import InvalidInput, NotFound
from contracts.filing import HotWorkPhotoKind, ReportPhotoKind
from services.common.validation import parse
from services.gateway import auth, openapi
from services.gateway.http import (
    JSON_CAP,
    Endpoints,
    api,
    photo_kind,
    settings,
)
from services.gateway.responses import json_response
from services.gateway.uploads import read_capped, store_photo


class FilingRoutes(Endpoints):
    # Service documents

    @api("GET", "/openapi.json")
    def openapi_document(self, request):
        return json_response(openapi.document())

    @api("GET", "/health")
    def health(self, request):
        return json_response({"status": "ok"})

    @api("POST", "/dev/tokens")
    def mint_token(self, request):
        if not settings().dev_tokens:
            raise NotFound("no such endpoint")
        wanted = parse(auth.TokenRequest, self._body(request))
        token = auth.mint(wanted, settings().token_key)
        return json_response({"token": token, "token_type": "Bearer"}, 201)

    # Projects

    @api("POST", "/projects")
    def draft_project(self, request):
        actor, body = self._actor(request), self._body(request)
        key = self._idempotency_key(request)
        answer = self.filing.draft_project(actor, body, key=key)
        return self._with_etag(answer, 201)

    @api("GET", "/projects/<string:project_id>")
    def get_project(self, request, project_id):
        project = self.filing.get_project(self._actor(request), project_id)
        return self._with_etag(project)

    @api("PATCH", "/projects/<string:project_id>")
    def amend_project(self, request, project_id):
        actor, body = self._actor(request), self._body(request)
        answer = self.filing.amend_project(
            actor, project_id, body, **self._write_options(request)
        )
        return self._with_etag(answer)

    @api("DELETE", "/projects/<string:project_id>")
    def delete_project(self, request, project_id):
        actor = self._actor(request)
        self.filing.delete_project(actor, project_id, **self._write_options(request))
        return Response(status=204)

    @api("PUT", "/projects/<string:project_id>/permit-photo")
    def attach_permit_photo(self, request, project_id):
        actor = self._actor(request)
        photo = self._photo(request, "permit_photo")
        answer = self.filing.attach_permit_photo(
            actor, project_id, photo, **self._write_options(request)
        )
        return self._with_etag({**answer, "photo": photo})

    @api("GET", "/projects/<string:project_id>/permit-photo")
    def permit_photo(self, request, project_id):
        actor = self._actor(request)
        if actor["role"] == "enterprise":
            photo = self.filing.get_project(actor, project_id)["permit_photo"]
        else:
            photo = self.query.permit_photo(actor, project_id)
        return self._image(photo)

    # Hot works

    @api("POST", "/projects/<string:project_id>/hot-works")
    def draft_hot_work(self, request, project_id):
        actor, body = self._actor(request), self._body(request)
        key = self._idempotency_key(request)
        answer = self.filing.draft_hot_work(actor, project_id, body, key=key)
        return self._with_etag(answer, 201)

    @api("GET", "/hot-works")
    def search(self, request):
        page = self.query.search(self._actor(request), _criteria(request))
        return json_response(page)

    @api("GET", "/hot-works/<string:hot_work_id>")
    def hot_work_details(self, request, hot_work_id):
        details = self.query.hot_work_details(self._actor(request), hot_work_id)
        return self._with_etag(details)

    @api("PATCH", "/hot-works/<string:hot_work_id>")
    def amend_hot_work(self, request, hot_work_id):
        actor, body = self._actor(request), self._body(request)
        answer = self.filing.amend_hot_work(
            actor, hot_work_id, body, **self._write_options(request)
        )
        return self._with_etag(answer)

    @api("DELETE", "/hot-works/<string:hot_work_id>")
    def delete_hot_work(self, request, hot_work_id):
        actor = self._actor(request)
        self.filing.delete_hot_work(actor, hot_work_id, **self._write_options(request))
        return Response(status=204)

    @api("PUT", "/hot-works/<string:hot_work_id>/photos/<string:kind>")
    def attach_hot_work_photo(self, request, hot_work_id, kind):
        actor = self._actor(request)
        kind = photo_kind(HotWorkPhotoKind, kind)
        photo = self._photo(request, f"photos.{kind}")
        answer = self.filing.attach_hot_work_photo(
            actor, hot_work_id, kind, photo, **self._write_options(request)
        )
        return self._with_etag({**answer, "photo": photo})

    @api("GET", "/hot-works/<string:hot_work_id>/photos/<string:kind>")
    def hot_work_photo(self, request, hot_work_id, kind):
        kind = photo_kind(HotWorkPhotoKind, kind)
        details = self._visible_hot_work(request, hot_work_id)
        return self._image(details["photos"].get(kind))

    @api("PUT", "/hot-works/<string:hot_work_id>/fire-watch")
    def file_fire_watch(self, request, hot_work_id):
        actor, body = self._actor(request), self._body(request)
        answer = self.filing.file_fire_watch(
            actor, hot_work_id, body, **self._write_options(request)
        )
        return self._with_etag(answer)

    # Cameras and the map (guide 4.3)

    @api("POST", "/hot-works/<string:hot_work_id>/cameras")
    def link_camera(self, request, hot_work_id):
        actor, body = self._actor(request), self._body(request)
        answer = self.filing.link_camera(
            actor, hot_work_id, body, **self._write_options(request)
        )
        return self._with_etag(answer, 201)

    @api("DELETE", "/hot-works/<string:hot_work_id>/cameras/<string:device_id>")
    def unlink_camera(self, request, hot_work_id, device_id):
        actor = self._actor(request)
        self.filing.unlink_camera(
            actor, hot_work_id, device_id, **self._write_options(request)
        )
        return Response(status=204)

    @api("GET", "/map/points")
    def map_points(self, request):
        criteria = _criteria(request)
        return json_response(self.query.map_points(self._actor(request), criteria))

    # Supervision reports (multipart: description and three photos)

    @api("POST", "/hot-works/<string:hot_work_id>/supervision-report")
    def file_report(self, request, hot_work_id):
        actor = self._actor(request)
        body = self._report_form(request, require_all=True)
        key = self._idempotency_key(request)
        answer = self.filing.file_supervision_report(actor, hot_work_id, body, key=key)
        return self._with_etag(answer, 201)

    @api("PUT", "/hot-works/<string:hot_work_id>/supervision-report")
    def amend_report(self, request, hot_work_id):
        actor = self._actor(request)
        body = self._report_form(request, require_all=False)
        answer = self.filing.amend_supervision_report(
            actor, hot_work_id, body, **self._write_options(request)
        )
        return self._with_etag(answer)

    @api("DELETE", "/hot-works/<string:hot_work_id>/supervision-report")
    def withdraw_report(self, request, hot_work_id):
        actor = self._actor(request)
        self.filing.withdraw_supervision_report(
            actor, hot_work_id, **self._write_options(request)
        )
        return Response(status=204)

    @api(
        "GET",
        "/hot-works/<string:hot_work_id>/supervision-report/photos/<string:kind>",
    )
    def report_photo(self, request, hot_work_id, kind):
        kind = photo_kind(ReportPhotoKind, kind)
        report = self._visible_hot_work(request, hot_work_id)["report"]
        return self._image(report and report.get(f"{kind}_photo"))

    def _visible_hot_work(self, request, hot_work_id) -> dict:
        """Photo hashes of a hot work the caller may see (owner or regulator)."""
        actor = self._actor(request)
        if actor["role"] == "enterprise":
            return self.filing.get_hot_work(actor, hot_work_id)
        details = self.query.hot_work_details(actor, hot_work_id)
        return {
            "photos": details["hot_work"]["photos"],
            "report": details["supervision_report"],
        }

    def _report_form(self, request, require_all: bool) -> dict:
        cap = settings().photo_cap
        request.max_content_length = 3 * cap + JSON_CAP
        request.max_form_memory_size = JSON_CAP
        if request.mimetype != "multipart/form-data":
            raise InvalidInput("must be multipart/form-data", field="body")
        known_files = {kind.value for kind in ReportPhotoKind}
        for name in request.form:
            if name != "description":
                raise InvalidInput("is not a known field", field=name)
        for name in request.files:
            if name not in known_files:
                raise InvalidInput("is not a known photo", field=name)
        body = {}
        description = request.form.get("description")
        if description is not None:
            body["description"] = description
        for kind in ReportPhotoKind:
            upload = request.files.get(kind.value)
            field = f"{kind.value}_photo"
            if upload is None:
                if require_all:
                    raise InvalidInput("is required (multipart file)", field=field)
                continue
            data = read_capped(upload.stream, None, cap, field)
            body[field] = store_photo(self.blobs, data, field, settings().max_pixels)[
                "sha256"
            ]
        return body


def _criteria(request) -> dict:
    """Query parameters as search criteria; `district` may repeat or be a list."""
    criteria = dict(request.args.items())
    if "district" in request.args:
        districts = request.args.getlist("district")
        criteria["district"] = [d for raw in districts for d in raw.split(",")]
    return criteria
