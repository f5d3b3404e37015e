"""The envelope every event travels in, on the bus and in the store."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import Field

from contracts.base import Contract


class Actor(Contract):
    """Who caused an event: a role and the identity the token carried."""

    role: str
    credit_code: str | None = None
    districts: tuple[str, ...] = ()
    subject: str | None = None


class EventEnvelope(Contract):
    event_id: UUID
    stream_id: str
    stream_version: int = Field(ge=1)
    position: int | None = Field(
        default=None, description="Global order in the owning service's store."
    )
    type: str = Field(examples=["hot_work.filed"])
    schema_version: int = Field(default=1, ge=1)
    occurred_at: datetime
    actor: Actor
    correlation_id: str
    causation_id: str | None = None
    payload: dict[str, Any]
