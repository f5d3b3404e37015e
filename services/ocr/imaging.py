"""Turn an uploaded body into an upright BGR array of a size the engine needs."""

from __future__ import annotations

import io
import warnings

import cv2
import numpy as np
from PIL import Image as PilImage
from PIL import ImageOps

from services.ocr.engine import Image
from services.ocr.errors import UnreadableImage

MAX_PIXELS = 40_000_000
# The detector works at about this short side; more pixels cost time and
# add nothing for print of the size these documents carry.
WORKING_SHORT_SIDE = 960
WORKING_LONG_SIDE = 1600

# Phones may also send HEIC or WebP; those are refused until a decoder for
# them is part of the image.
_SIGNATURES = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
}


def decode(body: bytes, max_pixels: int = MAX_PIXELS) -> Image:
    """The photo in `body` as BGR, EXIF orientation applied, scaled down.

    Raises UnreadableImage for anything but a whole JPEG or PNG of at most
    `max_pixels`, judged from the header before any pixel data is decoded.
    """
    photo = _open(body, max_pixels)
    _draft(photo)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PilImage.DecompressionBombWarning)
            photo.load()
            photo = ImageOps.exif_transpose(photo)
    except (OSError, SyntaxError, ValueError, PilImage.DecompressionBombWarning):
        raise UnreadableImage("image data is corrupt or truncated") from None
    rgb = np.asarray(photo.convert("RGB"))
    return _working_size(np.ascontiguousarray(rgb[:, :, ::-1]))


def _open(body: bytes, max_pixels: int) -> PilImage.Image:
    if not body:
        raise UnreadableImage("empty body")
    expected = next(
        (kind for magic, kind in _SIGNATURES.items() if body.startswith(magic)),
        None,
    )
    if expected is None:
        raise UnreadableImage("not a JPEG or PNG image")
    try:
        photo = PilImage.open(io.BytesIO(body), formats=[expected])
    except PilImage.DecompressionBombError:
        raise UnreadableImage(f"image exceeds {max_pixels} pixels") from None
    except (OSError, SyntaxError, ValueError):
        raise UnreadableImage(f"{expected} header is unreadable") from None
    width, height = photo.size
    if width < 1 or height < 1:
        raise UnreadableImage("image has no pixels")
    if width * height > max_pixels:
        raise UnreadableImage(f"image of {width}x{height} exceeds {max_pixels} pixels")
    return photo


def _draft(photo: PilImage.Image) -> None:
    # JPEG can decode at 1/2, 1/4 or 1/8 scale for almost nothing; ask for
    # the smallest that still covers the working size.
    if photo.format != "JPEG":
        return
    scale = WORKING_SHORT_SIDE / min(photo.size)
    if scale < 1:
        target = (int(photo.size[0] * scale), int(photo.size[1] * scale))
        photo.draft("RGB", target)


def _working_size(image: Image) -> Image:
    height, width = image.shape[:2]
    scale = min(
        WORKING_SHORT_SIDE / min(height, width),
        WORKING_LONG_SIDE / max(height, width),
    )
    if scale >= 1:
        return image
    size = max(int(width * scale), 1), max(int(height * scale), 1)
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)
