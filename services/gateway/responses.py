"""JSON responses, and the one table from error type to HTTP status."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response

from contracts.errors import (
    AlreadyExists,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolated,
    VersionConflict,
)
from services.gateway.auth import Unauthenticated
from services.gateway.uploads import PayloadTooLarge

STATUS_OF = [
    (PayloadTooLarge, 413),
    (InvalidInput, 422),
    (RuleViolated, 422),
    (NotFound, 404),
    (Forbidden, 403),
    (Unauthenticated, 401),
    (VersionConflict, 409),
    (AlreadyExists, 409),
]


def json_response(body: Any, status: int = 200, headers=None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        headers=headers or {},
        mimetype="application/json",
    )


def error_response(error: DomainError) -> Response:
    status = next((code for kind, code in STATUS_OF if isinstance(error, kind)), 400)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return failure(status, error.code, error.message, error.field, headers)


def failure(
    status: int, code: str, message: str, field: str | None = None, headers=None
) -> Response:
    """The one error shape: {"error": {"code", "message", "field"}}."""
    body = {"error": {"code": code, "message": message, "field": field}}
    return json_response(body, status, headers)
