"""Read every line of a page: detect, turn the page upright, recognise."""

from __future__ import annotations

import math

import cv2
import numpy as np

from services.ocr.boxes import Quad, TextBox
from services.ocr.engine import Image, TextEngine

# Lines whose sides differ less than this are single characters or stamps and
# say nothing about which way the page lies.
_ELONGATED = 1.6
_ORIENTATION_SAMPLE = 12
# The darkest twentieth of a crop is its ink; red leads green and blue by
# these margins in the seal's lettering.
_INK_PERCENTILE = 5
_RED, _VIVID_RED = 15, 45
# How faint, against the paper, the seal's ink is in the red channel compared
# with its darkness over all three channels.
_FAINT_IN_RED = 0.2
# Share of a line's, or a page's, pixels that must be seal red before the
# seal is faded.
_SEAL_SHARE, _PAGE_SEAL_SHARE = 0.01, 0.002


def read_page(image: Image, engine: TextEngine) -> tuple[list[TextBox], int]:
    """The text boxes of `image` turned upright, and the quarter turns it took.

    Turns count counter-clockwise, as numpy's rot90 does.
    """
    # Lines are found with the seal faded, or the seal splits those it covers.
    faded = without_seal(image, _PAGE_SEAL_SHARE)
    faded, quads, turns = _upright(faded, engine.find_lines(faded), engine)
    if faded is not image:
        image = np.ascontiguousarray(np.rot90(image, turns))
    crops = [crop_line(image, quad) for quad in quads]
    texts = engine.read_lines([without_seal(crop) for crop in crops])
    boxes = [
        TextBox(
            quad=quad, text=text.strip(), score=score, red=is_seal_lettering(crop, text)
        )
        for quad, crop, (text, score) in zip(quads, crops, texts, strict=True)
        if text.strip()
    ]
    return boxes, turns


def is_seal_lettering(crop: Image, text: str) -> bool:
    """Whether a line is the seal's own red lettering.

    Black print under a seal also looks reddish, so a short reading must be
    clearly red and a longer one must be vividly red to count.
    """
    pixels = crop.reshape(-1, 3).astype(np.int16)
    brightness = pixels.sum(axis=1)
    ink = pixels[brightness <= np.percentile(brightness, _INK_PERCENTILE)]
    blue, green, red = ink.mean(axis=0)
    redness = red - max(green, blue)
    if len(text) <= 2:
        return bool(redness > _RED)
    # A long line the seal covers only in part keeps black print, dark in
    # the red channel too; the seal's own lettering all but vanishes there.
    paper = np.median(pixels, axis=0)
    faint = paper[2] - red < _FAINT_IN_RED * (paper.sum() - ink.sum(axis=1).mean())
    return bool(redness > _VIVID_RED and faint)


def without_seal(crop: Image, share: float = _SEAL_SHARE) -> Image:
    """A line or page with any red seal ink on it faded to paper.

    Seal ink is bright in the red channel and black print is dark in every
    channel, so the red channel alone shows the print without the seal.
    """
    pixels = crop.reshape(-1, 3).astype(np.int16)
    redness = pixels[:, 2] - pixels[:, :2].max(axis=1)
    if (redness > _VIVID_RED).mean() < share:
        return crop
    return np.ascontiguousarray(np.repeat(crop[:, :, 2:3], 3, axis=2))


def crop_line(image: Image, quad: Quad) -> Image:
    """The line under `quad`, warped flat to an upright rectangle."""
    corners = np.float32(quad)
    width = max(math.dist(quad[0], quad[1]), math.dist(quad[3], quad[2]))
    height = max(math.dist(quad[0], quad[3]), math.dist(quad[1], quad[2]))
    size = max(int(round(width)), 1), max(int(round(height)), 1)
    target = np.float32([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]])
    warp = cv2.getPerspectiveTransform(corners, target)
    return cv2.warpPerspective(
        image, warp, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )


def _upright(
    image: Image, quads: list[Quad], engine: TextEngine
) -> tuple[Image, list[Quad], int]:
    shapes = [_aspect(quad) for quad in quads]
    tall = sum(aspect > _ELONGATED for aspect in shapes)
    wide = sum(aspect < 1 / _ELONGATED for aspect in shapes)
    turns = 0
    if tall > wide:
        # A page lying on its side becomes upright or upside down after one
        # clockwise turn; the angle classifier then tells which.
        image = np.ascontiguousarray(np.rot90(image, -1))
        quads = engine.find_lines(image)
        turns = 3
    widest = sorted(quads, key=_aspect)[:_ORIENTATION_SAMPLE]
    chances = engine.upside_down([crop_line(image, quad) for quad in widest])
    if chances and sum(chances) / len(chances) > 0.5:
        height, width = image.shape[:2]
        image = np.ascontiguousarray(np.rot90(image, 2))
        quads = [_half_turned(quad, width, height) for quad in quads]
        turns = (turns + 2) % 4
    return image, quads, turns


def _half_turned(quad: Quad, width: int, height: int) -> Quad:
    # Half a turn swaps the top-left corner with the bottom-right one.
    (a, b, c, d) = ((width - x, height - y) for x, y in quad)
    return c, d, a, b


def _aspect(quad: Quad) -> float:
    width = math.dist(quad[0], quad[1])
    height = math.dist(quad[0], quad[3])
    return height / max(width, 1.0)
