"""Labelled variants of fixture photos, as phones deliver them.

Each variant keeps the photo's label: the document and its fields are the
same, only the picture changes.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator

from PIL import Image

Variant = Callable[[bytes], bytes]

# EXIF orientation tag, and how the stored pixels are turned for each value
# so that a viewer honouring the tag shows the page upright.
ORIENTATION_TAG = 0x0112
_STORED_TURN = {
    3: Image.Transpose.ROTATE_180,
    6: Image.Transpose.ROTATE_90,
    8: Image.Transpose.ROTATE_270,
}


def _open(body: bytes) -> Image.Image:
    return Image.open(io.BytesIO(body)).convert("RGB")


def _jpeg(image: Image.Image, quality: int = 90, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, **options)
    return out.getvalue()


def rotated(quarter_turns: int) -> Variant:
    """The photo turned counter-clockwise by quarter turns, no EXIF tag."""

    def variant(body: bytes) -> bytes:
        return _jpeg(_open(body).rotate(90 * quarter_turns, expand=True))

    return variant


def exif_oriented(orientation: int) -> Variant:
    """Pixels stored turned, with the EXIF tag that shows them upright."""

    def variant(body: bytes) -> bytes:
        image = _open(body).transpose(_STORED_TURN[orientation])
        exif = Image.Exif()
        exif[ORIENTATION_TAG] = orientation
        return _jpeg(image, exif=exif.tobytes())

    return variant


def cropped(share: float) -> Variant:
    """The photo with `share` of its width and height cut off the sides."""

    def variant(body: bytes) -> bytes:
        image = _open(body)
        dx, dy = int(image.width * share / 2), int(image.height * share / 2)
        return _jpeg(image.crop((dx, dy, image.width - dx, image.height - dy)))

    return variant


def warped(strength: float, seed: int = 0) -> Variant:
    """The photo seen from an angle: corners pulled in by up to `strength`."""

    def variant(body: bytes) -> bytes:
        image = _open(body)
        width, height = image.size
        pick = random.Random(seed).uniform
        corners = [
            (pick(0, strength) * width, pick(0, strength) * height),
            (pick(0, strength) * width, (1 - pick(0, strength)) * height),
            ((1 - pick(0, strength)) * width, (1 - pick(0, strength)) * height),
            ((1 - pick(0, strength)) * width, pick(0, strength) * height),
        ]
        quad = [coordinate for corner in corners for coordinate in corner]
        return _jpeg(
            image.transform(
                image.size, Image.Transform.QUAD, quad, Image.Resampling.BICUBIC
            )
        )

    return variant


def recompressed(quality: int) -> Variant:
    """The photo saved again as a low-quality JPEG, as chat apps do."""

    def variant(body: bytes) -> bytes:
        return _jpeg(_open(body), quality=quality)

    return variant


def enlarged(factor: float) -> Variant:
    """The photo at a higher resolution, as a modern phone camera takes it."""

    def variant(body: bytes) -> bytes:
        image = _open(body)
        size = int(image.width * factor), int(image.height * factor)
        return _jpeg(image.resize(size, Image.Resampling.BICUBIC))

    return variant


VARIANTS: dict[str, Variant] = {
    "turned-90": rotated(1),
    "turned-180": rotated(2),
    "turned-270": rotated(3),
    "exif-3": exif_oriented(3),
    "exif-6": exif_oriented(6),
    "exif-8": exif_oriented(8),
    "cropped": cropped(0.08),
    # Cut into the sheet: its table is then the largest quad in the photo.
    "cropped-tight": cropped(0.2),
    "warped": warped(0.08),
    "recompressed": recompressed(30),
    "enlarged": enlarged(2.5),
}


def variants_of(body: bytes) -> Iterator[tuple[str, bytes]]:
    """Every variant of one photo, by name."""
    for name, variant in VARIANTS.items():
        yield name, variant(body)
