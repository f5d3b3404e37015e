"""What every HTTP endpoint of the gateway shares: errors, bodies, photos."""

from __future__ import annotations

import functools
import json
import secrets

import eventlet
from nameko.web.handlers import http
from structlog.contextvars import get_contextvars
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from contracts.errors import DomainError, InvalidInput, NotFound
from services.common.config import flag, setting
from services.gateway import auth
from services.gateway.responses import error_response, failure, json_response
from services.gateway.uploads import read_capped, store_photo

PREFIX = "/api/v1"
JSON_CAP = 256 * 1024


def api(method: str, path: str, slow: bool = False):
    """An HTTP entrypoint whose domain errors become the one error shape.

    `slow` routes (reading a photo now) may wait behind queued work for four
    times REQUEST_TIMEOUT before answering 503.
    """

    def decorate(function):
        @functools.wraps(function)
        def handle(self, request, **kwargs):
            try:
                # No request waits for ever on a service that is not there.
                patience = settings().answer_within * (4 if slow else 1)
                with eventlet.Timeout(patience):
                    response = function(self, request, **kwargs)
            except eventlet.Timeout:
                self.log.error("request_timed_out", path=request.path)
                response = failure(
                    503,
                    "UNAVAILABLE",
                    "a service did not answer in time; retry",
                    headers={"Retry-After": "1"},
                )
            except DomainError as error:
                response = error_response(error)
            except HTTPException as error:
                code = error.name.upper().replace(" ", "_")
                response = failure(error.code or 400, code, error.description)
            except Exception:
                self.log.exception("request_failed", path=request.path)
                response = failure(500, "INTERNAL", "internal error")
            response.headers["X-Request-ID"] = get_contextvars()["correlation_id"]
            return response

        return http(method, PREFIX + path)(handle)

    return decorate


class Settings:
    """Read once per process: keys and caps."""

    def __init__(self):
        self.dev_tokens = flag("DEV_TOKENS", False)
        key = setting("TOKEN_KEY")
        if not key and not self.dev_tokens:
            raise RuntimeError("TOKEN_KEY must be set outside the embedded mode")
        # Embedded mode without a key: tokens live as long as the process.
        self.token_key = key or secrets.token_hex(32)
        self.photo_cap = int(setting("MAX_PHOTO_BYTES", 10 * 1024 * 1024))
        self.max_pixels = int(setting("MAX_PHOTO_PIXELS", 40_000_000))
        self.answer_within = float(setting("REQUEST_TIMEOUT", 30))


_settings: Settings | None = None


def settings() -> Settings:
    global _settings
    if _settings is None:
        _settings = Settings()
    return _settings


class Endpoints:
    """Helpers for route classes; the service supplies `blobs` and `log`."""

    @api("GET,POST,PUT,PATCH,DELETE", "/<path:rest>")
    def no_such_route(self, request, rest):
        # Without this, werkzeug answers unknown paths with an HTML page.
        raise NotFound(f"no {request.method} /api/v1/{rest} here", field="path")

    # Helpers

    def _actor(self, request) -> dict:
        return auth.actor_from_header(
            request.headers.get("Authorization"), settings().token_key
        )

    def _body(self, request) -> dict:
        data = read_capped(request.stream, request.content_length, JSON_CAP, "body")
        try:
            body = json.loads(data or b"{}")
        except (ValueError, RecursionError):
            raise InvalidInput("is not valid JSON", field="body") from None
        if not isinstance(body, dict):
            raise InvalidInput("must be a JSON object", field="body")
        return body

    def _photo(self, request, field: str) -> dict:
        cap = settings().photo_cap
        data = read_capped(request.stream, request.content_length, cap, field)
        return store_photo(self.blobs, data, field, settings().max_pixels)

    @staticmethod
    def _idempotency_key(request) -> str | None:
        key = request.headers.get("Idempotency-Key")
        if key is not None and not (0 < len(key) <= 200 and key.isprintable()):
            raise InvalidInput(
                "must be 1 to 200 printable characters", field="Idempotency-Key"
            )
        return key

    def _write_options(self, request) -> dict:
        options = {"key": self._idempotency_key(request)}
        if_match = request.headers.get("If-Match")
        if if_match:
            try:
                tag = if_match.strip().removeprefix("W/")
                options["version"] = int(tag.strip('"'))
            except ValueError:
                raise InvalidInput(
                    "must be the version number from the ETag", field="If-Match"
                ) from None
        return options

    @staticmethod
    def _with_etag(body: dict, status: int = 200) -> Response:
        return json_response(body, status, {"ETag": f'"{body["version"]}"'})

    def _image(self, digest: str | None) -> Response:
        if not digest:
            raise NotFound("no such photo", field="kind")
        photo = digest if isinstance(digest, dict) else {"sha256": digest}
        data = self.blobs.get(photo["sha256"])
        return Response(
            data,
            mimetype=photo.get("content_type", "application/octet-stream"),
            headers={"Cache-Control": "private, max-age=86400"},
        )


def photo_kind(kinds, value: str) -> str:
    try:
        return kinds(value).value
    except ValueError:
        allowed = ", ".join(k.value for k in kinds)
        raise NotFound(f"photo kind must be one of {allowed}", field="kind") from None
