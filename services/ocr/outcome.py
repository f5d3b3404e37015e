"""What the service says about a photo: the event, or the preview answer."""

from __future__ import annotations

from typing import Any

from contracts.ocr import (
    DocumentRecognised,
    DocumentUnreadable,
    EventType,
    Reading,
    Subject,
    UnitVerification,
)
from services.ocr.results import Recognition

_STREAM_KINDS = {"project-": "project", "hot-work-": "hot_work"}


def subject_of(stream_id: str, photo: str) -> Subject | None:
    """The filing a photo belongs to, from the stream it was attached on."""
    for prefix, kind in _STREAM_KINDS.items():
        if stream_id.startswith(prefix):
            return Subject(kind=kind, id=stream_id.removeprefix(prefix), photo=photo)
    return None


def document_event(
    subject: Subject,
    photo_sha256: str,
    recognition: Recognition,
    unit: UnitVerification | None,
) -> tuple[str, DocumentRecognised | DocumentUnreadable]:
    """The event type and payload that tell filing what the photo says."""
    reason = _unreadable_reason(subject, recognition)
    if reason:
        payload = DocumentUnreadable(
            subject=subject, photo_sha256=photo_sha256, reason=reason
        )
        return EventType.UNREADABLE.value, payload
    recognised = DocumentRecognised(
        subject=subject,
        photo_sha256=photo_sha256,
        document=recognition.kind,
        fields=_readings(recognition),
        unit=unit,
    )
    return EventType.RECOGNISED.value, recognised


def preview(
    photo_sha256: str, recognition: Recognition, unit: UnitVerification | None
) -> dict[str, Any]:
    """The answer of the preview RPC and of POST /recognitions."""
    return {
        "photo_sha256": photo_sha256,
        "document": recognition.kind,
        "fields": {
            name: reading.model_dump(mode="json")
            for name, reading in _readings(recognition).items()
        },
        "unit": unit.model_dump(mode="json") if unit else None,
        "reason": recognition.reason,
    }


def _unreadable_reason(subject: Subject, recognition: Recognition) -> str | None:
    if recognition.kind == "unknown":
        return recognition.reason or "no permit or certificate found on the photo"
    if recognition.kind != subject.photo:
        # Filling a project from a certificate would only put wrong values
        # in front of the user.
        return f"the photo shows a {recognition.kind}, not a {subject.photo}"
    return None


def _readings(recognition: Recognition) -> dict[str, Reading]:
    return {
        name: Reading(
            value=found.value,
            confidence=round(found.confidence, 4),
            suggestion=found.suggestion,
        )
        for name, found in recognition.fields.items()
    }
