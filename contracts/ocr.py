"""Events of the recognition service: what a permit or certificate photo says.

Published on the `ocr.events` exchange. `subject` names the filing stream the
photo belongs to, so the filing service can apply the result to that draft.
"""

from enum import StrEnum
from typing import Literal

from pydantic import Field

from contracts.base import Contract
from contracts.values import Sha256

SCHEMA_VERSION = 1


class EventType(StrEnum):
    RECOGNISED = "document.recognised"
    UNREADABLE = "document.unreadable"


class Reading(Contract):
    """One field as read; a suggestion must be confirmed, never filled in."""

    value: str
    confidence: float = Field(ge=0, le=1)
    suggestion: bool


class UnitVerification(Contract):
    """The construction unit checked against the registry of units (2.1 (3))."""

    name: str
    verified: bool
    credit_code: str | None = None
    source: str | None = Field(default=None, examples=["registry", "http"])


class Subject(Contract):
    kind: Literal["project", "hot_work"]
    id: str
    photo: Literal["permit", "certificate"]


class DocumentRecognised(Contract):
    subject: Subject
    photo_sha256: Sha256
    document: Literal["permit", "certificate", "unknown"]
    fields: dict[str, Reading]
    unit: UnitVerification | None = None


class DocumentUnreadable(Contract):
    subject: Subject
    photo_sha256: Sha256
    reason: str
