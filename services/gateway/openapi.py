"""The OpenAPI document, generated from the contracts."""

from __future__ import annotations

import functools
from typing import Any

from pydantic.json_schema import models_json_schema

from contracts import devices, filing, query
from services.gateway.auth import TokenRequest

MODELS = {
    "DraftProject": filing.DraftProject,
    "AmendProject": filing.AmendProject,
    "DraftHotWork": filing.DraftHotWork,
    "AmendHotWork": filing.AmendHotWork,
    "FireWatch": filing.FireWatch,
    "LinkCamera": filing.LinkCamera,
    "PhotoRef": filing.PhotoRef,
    "SearchCriteria": query.SearchCriteria,
    "SearchPage": query.SearchPage,
    "TokenRequest": TokenRequest,
    "RegisterDevice": devices.RegisterDevice,
    "ChangeDevice": devices.ChangeDevice,
    "Device": devices.Device,
    "DevicePage": devices.DevicePage,
}

ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": ["string", "null"]},
            },
            "required": ["code", "message", "field"],
        }
    },
}

IMAGE = {
    "required": True,
    "content": {
        "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
        "image/png": {"schema": {"type": "string", "format": "binary"}},
    },
}

REPORT_FORM = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "description": {"type": "string", "maxLength": 2000},
                    **{
                        kind.value: {"type": "string", "format": "binary"}
                        for kind in filing.ReportPhotoKind
                    },
                },
            }
        }
    },
}


def _json(name: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{name}"}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _operation(summary: str, body=None, ok: int = 200, params=()) -> dict:
    operation: dict[str, Any] = {
        "summary": summary,
        "responses": {
            str(ok): {"description": "done"},
            "4XX": {
                "description": "the request was refused; nothing changed",
                "content": {"application/json": {"schema": ERROR}},
            },
        },
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in params
        ],
    }
    if body:
        operation["requestBody"] = body
    return operation


def _search_parameters() -> list[dict]:
    names = ["from", "to", "district", "status", "completion", "incomplete"]
    return [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
        for name in [*names, "page", "page_size"]
    ]


def _device_search() -> dict:
    search = _operation("search own cameras by any part of the name")
    search["parameters"] = [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
        for name in ("q", "page", "page_size")
    ]
    return search


@functools.cache
def document() -> dict[str, Any]:
    _, schemas = models_json_schema(
        [(model, "validation") for model in MODELS.values()],
        ref_template="#/components/schemas/{model}",
    )
    p, h, d = ("project_id",), ("hot_work_id",), ("device_id",)
    search = _operation("search filings (default: today, Asia/Shanghai)")
    search["parameters"] = _search_parameters()
    map_points = _operation("hot-work points with their cameras' state")
    map_points["parameters"] = _search_parameters()
    paths = {
        "/projects": {
            "post": _operation("draft a project", _json("DraftProject"), 201)
        },
        "/projects/{project_id}": {
            "get": _operation("the project part", params=p),
            "patch": _operation("amend the project", _json("AmendProject"), params=p),
            "delete": _operation("delete a project without hot works", None, 204, p),
        },
        "/projects/{project_id}/permit-photo": {
            "put": _operation("attach the permit photo", IMAGE, params=p),
            "get": _operation("the permit photo", params=p),
        },
        "/projects/{project_id}/hot-works": {
            "post": _operation("add a hot work", _json("DraftHotWork"), 201, p),
        },
        "/hot-works": {"get": search},
        "/hot-works/{hot_work_id}": {
            "get": _operation("details of one filing", params=h),
            "patch": _operation("amend the hot work", _json("AmendHotWork"), params=h),
            "delete": _operation("delete an incomplete filing", None, 204, h),
        },
        "/hot-works/{hot_work_id}/photos/{kind}": {
            "put": _operation("attach a photo", IMAGE, params=(*h, "kind")),
            "get": _operation("a photo", params=(*h, "kind")),
        },
        "/hot-works/{hot_work_id}/fire-watch": {
            "put": _operation("file the fire watch", _json("FireWatch"), params=h),
        },
        "/hot-works/{hot_work_id}/supervision-report": {
            "post": _operation("file the supervision report", REPORT_FORM, 201, h),
            "put": _operation("amend the supervision report", REPORT_FORM, params=h),
            "delete": _operation("withdraw the supervision report", None, 204, h),
        },
        "/devices": {
            "post": _operation("register a camera", _json("RegisterDevice"), 201),
            "get": _device_search(),
        },
        "/devices/{device_id}": {
            "get": _operation("a camera, with its codes and SIP settings", params=d),
            "patch": _operation("change a camera", _json("ChangeDevice"), params=d),
            "delete": _operation("remove a camera", None, 204, d),
        },
        "/devices/{device_id}/test-connection": {
            "post": _operation(
                "online state, last keepalive and a live DeviceInfo round trip",
                params=d,
            ),
        },
        "/hot-works/{hot_work_id}/cameras": {
            "post": _operation("link a camera", _json("LinkCamera"), 201, h),
        },
        "/hot-works/{hot_work_id}/cameras/{device_id}": {
            "delete": _operation("unlink a camera", None, 204, (*h, "device_id")),
        },
        "/map/points": {"get": map_points},
        "/recognitions": {
            "post": _operation(
                "read a permit or certificate photo; fields with confidences",
                IMAGE,
            ),
        },
        "/dev/tokens": {
            "post": _operation(
                "mint a token (embedded mode only)", _json("TokenRequest"), 201
            )
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Hotwork", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }
