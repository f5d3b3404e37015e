"""Tell a construction permit from a special operation certificate."""

from __future__ import annotations

from services.ocr import certificate, permit
from services.ocr.boxes import TextBox
from services.ocr.layout import compact, match_label
from services.ocr.results import DocumentKind

# Fewer matching labels than this and the photo is of something else.
_MIN_LABELS = 3
_TITLE_WEIGHT = 3


def kind_of(boxes: list[TextBox]) -> DocumentKind:
    """The kind whose title and labels the page shows most of."""
    permit_score = _score(boxes, permit.TITLE, permit.LABELS)
    certificate_score = _score(boxes, certificate.TITLE, certificate.LABELS)
    if max(permit_score, certificate_score) < _MIN_LABELS:
        return "unknown"
    return "permit" if permit_score >= certificate_score else "certificate"


def _score(boxes: list[TextBox], title: str, labels: dict[str, str]) -> int:
    seen = set()
    titled = False
    for box in boxes:
        titled = titled or title in compact(box.text)
        match = match_label(box.text, labels)
        if match is not None:
            seen.add(labels[match[0]])
    return len(seen) + _TITLE_WEIGHT * titled
