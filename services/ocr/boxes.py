"""Text boxes as an engine reports them, and the geometry the layout needs."""

from __future__ import annotations

import math
from dataclasses import dataclass

Point = tuple[float, float]
# Corners clockwise from the top left of the text as it reads.
Quad = tuple[Point, Point, Point, Point]


@dataclass(frozen=True)
class TextBox:
    quad: Quad
    text: str
    score: float
    # Printed in seal red: the stamp's own lettering, never a field value.
    red: bool = False

    @property
    def center(self) -> Point:
        xs, ys = zip(*self.quad, strict=True)
        return sum(xs) / 4, sum(ys) / 4

    @property
    def height(self) -> float:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.quad
        return (math.dist((x0, y0), (x3, y3)) + math.dist((x1, y1), (x2, y2))) / 2

    @property
    def width(self) -> float:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.quad
        return (math.dist((x0, y0), (x1, y1)) + math.dist((x3, y3), (x2, y2))) / 2

    @property
    def angle(self) -> float:
        """Slope of the baseline in radians, positive when it runs downhill."""
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.quad
        return math.atan2((y1 - y0) + (y2 - y3), (x1 - x0) + (x2 - x3))

    @property
    def left(self) -> float:
        return min(x for x, _ in self.quad)

    @property
    def right(self) -> float:
        return max(x for x, _ in self.quad)


def joined(first: TextBox, second: TextBox) -> TextBox:
    """One box spanning `first` and the box to its right on the same line."""
    quad = (first.quad[0], second.quad[1], second.quad[2], first.quad[3])
    score = min(first.score, second.score)
    return TextBox(quad=quad, text=first.text + second.text, score=score)


def in_frame(point: Point, origin: Point, angle: float) -> Point:
    """`point` in axes turned by `angle` about `origin`: x along the baseline."""
    dx, dy = point[0] - origin[0], point[1] - origin[1]
    cos, sin = math.cos(angle), math.sin(angle)
    return dx * cos + dy * sin, -dx * sin + dy * cos
