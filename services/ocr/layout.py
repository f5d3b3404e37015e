"""Pair printed labels with the values printed to their right, by geometry.

A label and its value sit on one line of the page, in one box or in two
cells; several pairs may share a line, so a value ends at the next label.

A value wrapped onto a second line inside its cell loses that second line:
only the line level with the label is read.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from services.ocr.boxes import TextBox, in_frame, joined
from services.ocr.similarity import edits

# How far, in line heights, a box's middle may sit off the label's line and
# how wide a gap may open between two boxes of one value.
_ROW_TOLERANCE = 0.6
_MAX_GAP = 3.0
_SPACING = re.compile(r"[\s:：·.,，]+")


@dataclass(frozen=True)
class Cell:
    """The value read right of a label, with the weakest score that built it."""

    text: str
    score: float


@dataclass(frozen=True)
class _Label:
    box: TextBox
    label: str
    rest: str


def compact(text: str) -> str:
    """`text` without spaces and the punctuation labels are printed with."""
    return _SPACING.sub("", text)


def match_label(text: str, labels: Iterable[str]) -> tuple[str, str] | None:
    """The label `text` starts with, allowing OCR slips, and what follows it.

    A longer label wins over its own prefix (勘察单位项目负责人 over 勘察单位)
    unless it needs many more corrections.
    """
    read = compact(text)
    matches = []
    for label in labels:
        allowed = _allowed_edits(label)
        head = read[: len(label)]
        if len(head) == len(label) and (slips := edits(head, label)) <= allowed:
            matches.append((slips - len(label) / 2, label, read[len(label) :]))
        elif _near_length(read, label) and (slips := edits(read, label)) <= allowed:
            matches.append((slips - len(label) / 2, label, ""))
    if not matches:
        return None
    _, label, rest = min(matches)
    return label, rest


def values_by_label(
    boxes: list[TextBox], labels: Iterable[str], stops: Iterable[str] = ()
) -> dict[str, Cell]:
    """For each label printed on the page, the value read on its right."""
    wanted, ends = tuple(labels), tuple(stops)
    # Seal lettering runs on an arc and never opens with a label: a line that
    # does is print the seal was pressed over, however red it looks.
    printed = [box for box in boxes if not box.red or match_label(box.text, wanted)]
    boxes = _join_split_labels(printed, wanted)
    found = _labels(boxes, (*wanted, *ends))
    page_angle = statistics.median(box.angle for box in boxes) if boxes else 0.0
    label_boxes = {id(item.box) for item in found}
    cells: dict[str, Cell] = {}
    for item in found:
        if item.label not in wanted or item.label in cells:
            continue
        angle = item.box.angle if len(item.box.text) >= 3 else page_angle
        parts = _right_of(item.box, angle, boxes, label_boxes)
        text = item.rest + "".join(part.text for part in parts)
        scores = [item.box.score] * bool(item.rest) + [p.score for p in parts]
        if text:
            cells[item.label] = Cell(text=text, score=min(scores))
    return cells


def _near_length(read: str, label: str) -> bool:
    return abs(len(read) - len(label)) <= _allowed_edits(label)


def _allowed_edits(label: str) -> int:
    # Two-character labels differ from ordinary words by one character.
    if len(label) <= 2:
        return 0
    return 1 if len(label) <= 4 else 2


def _labels(boxes: list[TextBox], labels: tuple[str, ...]) -> list[_Label]:
    found = []
    for box in boxes:
        match = match_label(box.text, labels)
        if match is not None:
            found.append(_Label(box=box, label=match[0], rest=match[1]))
    # Trust the cleanest reading when a label seems printed twice.
    return sorted(found, key=lambda item: -item.box.score)


def _join_split_labels(boxes: list[TextBox], labels: tuple[str, ...]) -> list[TextBox]:
    # Letter-spaced labels such as 日 期 or 证 号 may come back as two boxes.
    boxes = list(boxes)
    for first in list(boxes):
        if first not in boxes or match_label(first.text, labels):
            continue
        for second in boxes:
            if second is first or not _next_on_line(first, second):
                continue
            both = joined(first, second)
            if compact(both.text) in labels:
                boxes.remove(first)
                boxes.remove(second)
                boxes.append(both)
                break
    return boxes


def _next_on_line(first: TextBox, second: TextBox) -> bool:
    x, y = in_frame(second.center, first.center, first.angle)
    gap = x - (first.width + second.width) / 2
    height = max(first.height, second.height)
    return abs(y) < _ROW_TOLERANCE * height and 0 <= gap < 2.5 * height


def _right_of(
    label: TextBox, angle: float, boxes: list[TextBox], label_boxes: set[int]
) -> list[TextBox]:
    row = []
    for box in boxes:
        if box is label:
            continue
        x, y = in_frame(box.center, label.center, angle)
        tolerance = _ROW_TOLERANCE * (label.height + box.height) / 2
        left = x - box.width / 2
        if abs(y) <= tolerance and left > label.width / 2 - label.height / 2:
            row.append((left, x + box.width / 2, box))
    row.sort(key=lambda entry: entry[0])
    value: list[TextBox] = []
    reach = None
    for left, right, box in row:
        if id(box) in label_boxes:
            break
        if reach is not None and left - reach > _MAX_GAP * box.height:
            break
        value.append(box)
        reach = right
    return value
