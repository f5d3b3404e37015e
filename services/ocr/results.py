"""What recognising one photo produced, as the service layer hands it on."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DocumentKind = Literal["permit", "certificate", "unknown"]


class FieldResult(BaseModel):
    """One field's normalised value; a suggestion is shown, never filled in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: str
    confidence: float = Field(ge=0, le=1)
    suggestion: bool


class Recognition(BaseModel):
    """The document kind and its fields, or the reason nothing was read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: DocumentKind
    fields: dict[str, FieldResult] = Field(default_factory=dict)
    reason: str | None = None
    quarter_turns: int = Field(default=0, ge=0, le=3)
