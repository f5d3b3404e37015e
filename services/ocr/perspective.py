"""Flatten a photographed document whose four edges stand out from the table."""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray

from services.ocr.engine import Image

_PROBE_LONG_SIDE = 480
# A quad smaller than this share of the photo is a table cell or the seal,
# not the sheet; one larger is the frame of the photo itself.
_MIN_SHARE, _MAX_SHARE = 0.3, 0.97
# Width in probe pixels of the bands compared on either side of an edge,
# and how far apart their colours must be for the edge to be the sheet's.
_RING = 9
_CONTRAST = 100
# Below this much keystone the warp would only cost sharpness.
_MIN_CORRECTION = 0.01


def flatten(image: Image) -> Image:
    """`image` warped so the document fills it squarely, or `image` unchanged."""
    corners = find_sheet(image)
    if corners is None:
        return image
    top = math.dist(corners[0], corners[1])
    bottom = math.dist(corners[3], corners[2])
    left = math.dist(corners[0], corners[3])
    right = math.dist(corners[1], corners[2])
    size = int(max(top, bottom)), int(max(left, right))
    target = np.float32([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]])
    warp = cv2.getPerspectiveTransform(corners, target)
    return cv2.warpPerspective(
        image, warp, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def find_sheet(image: Image) -> NDArray[np.float32] | None:
    """Corners of the document, clockwise from top left, if they are clear."""
    scale = _PROBE_LONG_SIDE / max(image.shape[:2])
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    edges = cv2.Canny(cv2.GaussianBlur(small, (5, 5), 0), 40, 120)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    area = small.shape[0] * small.shape[1]
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        hull = cv2.convexHull(contour)
        share = cv2.contourArea(hull) / area
        if not _MIN_SHARE <= share <= _MAX_SHARE:
            continue
        quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
        if len(quad) == 4 and _stands_out(small, quad):
            corners = _clockwise(quad.reshape(4, 2).astype(np.float32) / scale)
            return corners if _keystone(corners) > _MIN_CORRECTION else None
    return None


def _stands_out(small: Image, quad: NDArray[np.int32]) -> bool:
    # A ruled table inside a sheet cut off by the photo's frame is also a big
    # quad, but paper lies on both sides of its edge; a sheet's edge has the
    # table or desk it lies on outside.
    inside = np.zeros(small.shape[:2], np.uint8)
    cv2.fillConvexPoly(inside, quad.reshape(4, 2), 255)
    ring = np.ones((_RING, _RING), np.uint8)
    outer = cv2.dilate(inside, ring) & ~inside
    inner = inside & ~cv2.erode(inside, ring)
    if not outer.any() or not inner.any():
        return False
    outside_colour = np.median(small[outer > 0], axis=0)
    inside_colour = np.median(small[inner > 0], axis=0)
    return float(np.abs(outside_colour - inside_colour).sum()) > _CONTRAST


def _clockwise(points: NDArray[np.float32]) -> NDArray[np.float32]:
    sums = points.sum(axis=1)
    diffs = np.diff(points, axis=1).ravel()
    return np.float32(
        [
            points[np.argmin(sums)],
            points[np.argmin(diffs)],
            points[np.argmax(sums)],
            points[np.argmax(diffs)],
        ]
    )


def _keystone(corners: NDArray[np.float32]) -> float:
    # How far the quad is from an axis-aligned rectangle, relative to its size.
    x0, y0, w, h = cv2.boundingRect(corners.astype(np.int32))
    box = np.float32([[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h]])
    return float(np.abs(corners - box).max() / max(w, h))
