"""What every command handler needs to know about the call it serves."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from contracts.errors import NotFound, VersionConflict
from services.common.eventstore import AppendResult, Metadata


@dataclass(frozen=True)
class Request:
    """Who asks, under which correlation id, idempotency key and If-Match."""

    actor: dict[str, Any]
    correlation_id: str
    idempotency_key: str | None = None
    expected_version: int | None = None

    @property
    def metadata(self) -> Metadata:
        return Metadata(actor=self.actor, correlation_id=self.correlation_id)

    def idempotency(self, name: str, command: Any) -> tuple[str, Any] | None:
        """The stored key, scoped to the caller, and what it fingerprints."""
        if not self.idempotency_key:
            return None
        scope = self.actor.get("credit_code") or self.actor.get("subject") or "-"
        return f"{scope}:{self.idempotency_key}", {"command": name, "body": command}

    def check_version(self, state: dict[str, Any]) -> int:
        wanted = self.expected_version
        if wanted is not None and wanted != state["version"]:
            raise VersionConflict(
                f"the record is at version {state['version']}, not {wanted}",
                field="If-Match",
            )
        return state["version"]


def outcome(result: AppendResult) -> dict[str, Any]:
    """What a command answers: the ids it made, the version, whether replayed."""
    return {**result.result, "version": result.version, "replayed": result.replayed}


def parse_uuid(value: Any, what: str = "record") -> str:
    """A canonical UUID, or NotFound: a malformed id names nothing."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise NotFound(f"no such {what}", field="id") from None
