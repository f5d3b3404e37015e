"""Bodies that are not readable photos are refused with a reason."""

from __future__ import annotations

import io
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image

from services.ocr.errors import UnreadableImage
from services.ocr.imaging import WORKING_LONG_SIDE, decode

from .variants import exif_oriented


def _jpeg(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "JPEG")
    return out.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    idat_data = zlib.compress(b"\x00" * 64)
    idat = b"IDAT" + idat_data
    return (
        b"\x89PNG\r\n\x1a\n"
        + ihdr
        + struct.pack(">I", len(idat_data))
        + idat
        + struct.pack(">I", zlib.crc32(idat))
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty body"),
        (b"Dear regulator,\nplease find the permit attached.\n", "not a JPEG or PNG"),
        (b"GIF89a" + b"\x00" * 32, "not a JPEG or PNG"),
    ],
)
def test_refuses_what_is_not_a_photo(body: bytes, reason: str) -> None:
    with pytest.raises(UnreadableImage, match=reason) as raised:
        decode(body)
    assert raised.value.reason


def test_refuses_a_truncated_jpeg() -> None:
    body = _jpeg(640, 480)
    with pytest.raises(UnreadableImage, match="corrupt or truncated"):
        decode(body[: len(body) // 2])


def test_refuses_a_jpeg_with_garbage_after_its_header() -> None:
    body = _jpeg(640, 480)
    with pytest.raises(UnreadableImage):
        decode(body[:200] + bytes(range(256)) * 8)


def test_refuses_a_png_claiming_thirty_thousand_pixels_square_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(UnreadableImage, match="exceeds"):
        decode(_png_claiming(30_000, 30_000))
    assert time.perf_counter() - started < 0.5


def test_refuses_a_png_with_a_broken_header() -> None:
    with pytest.raises(UnreadableImage):
        decode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)


def test_scales_a_large_photo_down_to_the_working_size() -> None:
    image = decode(_jpeg(4000, 3000))
    assert max(image.shape[:2]) <= WORKING_LONG_SIDE
    assert image.dtype == np.uint8 and image.shape[2] == 3


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_honours_exif_orientation(orientation: int) -> None:
    upright = Image.new("RGB", (300, 200), "white")
    upright.paste((0, 0, 0), (0, 0, 60, 40))  # a dark mark in the top left
    out = io.BytesIO()
    upright.save(out, "JPEG")

    image = decode(exif_oriented(orientation)(out.getvalue()))

    assert image.shape[:2] == (200, 300)
    assert image[10, 10].mean() < 60 and image[190, 290].mean() > 200


def test_refuses_a_png_over_the_cap_that_pillow_alone_would_open() -> None:
    with pytest.raises(UnreadableImage, match="8000x6000 exceeds"):
        decode(_png_claiming(8_000, 6_000))
