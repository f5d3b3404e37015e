"""Photos from clients: capped, decoded to prove they are images, stored."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

from contracts.errors import InvalidInput
from services.common.blobstore import FolderBlobStore

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


class PayloadTooLarge(InvalidInput):
    code = "PAYLOAD_TOO_LARGE"


def read_capped(stream, declared: int | None, cap: int, field: str) -> bytes:
    """Read a body without ever holding more than `cap` + 1 bytes."""
    if declared is not None and declared > cap:
        raise PayloadTooLarge(f"is larger than {cap} bytes", field=field)
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise PayloadTooLarge(f"is larger than {cap} bytes", field=field)
    return data


def check_image(data: bytes, field: str, max_pixels: int) -> str:
    """The content type of a JPEG or PNG that really decodes; else 422."""
    if not data:
        raise InvalidInput("is empty; send a JPEG or PNG photo", field=field)
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
            if kind not in FORMATS:
                raise InvalidInput("must be a JPEG or PNG photo", field=field)
            # Checked from the header, before any pixel is decoded.
            if width * height > max_pixels:
                raise InvalidInput(
                    f"has {width}x{height} pixels, more than {max_pixels}",
                    field=field,
                )
            if kind == "JPEG":
                # Decode at an eighth of the size: every scan of the data is
                # still read and checked, at a fraction of the pixel work.
                image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise InvalidInput(
            f"is not a readable JPEG or PNG photo ({error.__class__.__name__})",
            field=field,
        ) from None
    except Image.DecompressionBombError:
        raise InvalidInput("has too many pixels", field=field) from None
    return FORMATS[kind]


def store_photo(blobs: FolderBlobStore, data: bytes, field: str, max_pixels: int):
    content_type = check_image(data, field, max_pixels)
    return {"sha256": blobs.put(data), "content_type": content_type, "size": len(data)}
