"""The gateway's edges: tokens, bodies, photos and the error shape."""

from __future__ import annotations

import io
import json
import struct
import time
import zlib

import jwt
import pytest
from PIL import Image

from contracts.errors import InvalidInput, NotFound, VersionConflict
from services.gateway import auth
from services.gateway.responses import error_response
from services.gateway.uploads import PayloadTooLarge, check_image, read_capped

KEY = "k" * 32
CODE = "91110118923E942H3G"


def token(**claims) -> str:
    now = int(time.time())
    base = {"iss": "hotwork", "sub": "u", "iat": now, "exp": now + 60}
    return jwt.encode({**base, **claims}, KEY, algorithm="HS256")


def test_an_enterprise_token_names_its_company():
    minted = auth.mint(auth.TokenRequest(role="enterprise", credit_code=CODE), KEY)

    actor = auth.actor_from_header(f"Bearer {minted}", KEY)

    assert actor["role"] == "enterprise"
    assert actor["credit_code"] == CODE


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Basic abc",
        "Bearer not-a-jwt",
        f"Bearer {token(role='enterprise', credit_code=CODE, exp=1)}",
        f"Bearer {jwt.encode({'role': 'enterprise'}, 'other-key' * 4)}",
        f"Bearer {token(role='admin')}",
        f"Bearer {token(role='regulator', districts=[])}",
    ],
)
def test_bad_tokens_are_refused_naming_authorization(header):
    with pytest.raises(auth.Unauthenticated) as refused:
        auth.actor_from_header(header, KEY)

    assert refused.value.field == "Authorization"


def test_a_token_request_must_be_bound():
    with pytest.raises(ValueError):
        auth.TokenRequest(role="regulator")


def test_bodies_over_the_cap_are_refused_before_reading_them_all():
    with pytest.raises(PayloadTooLarge):
        read_capped(io.BytesIO(b"x" * 11), None, 10, "body")
    with pytest.raises(PayloadTooLarge):
        read_capped(io.BytesIO(b""), 11, 10, "body")
    assert read_capped(io.BytesIO(b"x" * 10), None, 10, "body") == b"x" * 10


def _png_header(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    crc = struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + chunk + crc


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "red").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [b"", b"just text", _jpeg()[:200], _png_header(30_000, 30_000)],
    ids=["empty", "text", "truncated", "huge"],
)
def test_what_is_not_a_photo_is_refused_naming_the_field(data):
    with pytest.raises(InvalidInput) as refused:
        check_image(data, "photos.group", max_pixels=40_000_000)

    assert refused.value.field == "photos.group"


def test_a_real_jpeg_passes():
    assert check_image(_jpeg(), "photos.group", max_pixels=40_000_000) == "image/jpeg"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInput("bad", "x"), 422),
        (NotFound("gone"), 404),
        (VersionConflict("stale", "If-Match"), 409),
        (PayloadTooLarge("big", "body"), 413),
        (auth.Unauthenticated("who", "Authorization"), 401),
    ],
)
def test_each_error_has_one_status_and_the_one_shape(error, status):
    response = error_response(error)

    body = json.loads(response.get_data())
    assert response.status_code == status
    assert set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["field"] == error.field


def test_an_error_without_a_field_says_null_not_none_across_rpc():
    from nameko.exceptions import deserialize, serialize

    travelled = deserialize(serialize(NotFound("no such thing")))

    assert travelled.field is None
