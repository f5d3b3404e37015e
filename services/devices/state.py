"""A camera's state, folded from its stream's events. No framework here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from contracts.devices import EventType

State = dict[str, Any]
Event = dict[str, Any]


def stream_of(device_id: str) -> str:
    return f"device-{device_id}"


def evolve(state: State | None, event: Event) -> State:
    kind, payload = event["type"], event["payload"]
    if kind == EventType.REGISTERED:
        state = {
            "id": payload["device_id"],
            "owner": payload["owner"],
            "code": payload["code"],
            "channel_code": payload["channel_code"],
            "fields": {},
            "password_ref": None,
            "removed": False,
            "created_at": event["occurred_at"],
        }
    if state is None:
        raise ValueError(f"{event['stream_id']} does not start with a registration")
    state = {**state, "version": event["stream_version"]}
    state["updated_at"] = event["occurred_at"]
    if kind in (EventType.REGISTERED, EventType.CHANGED):
        state["fields"] = {**state["fields"], **payload.get("fields", {})}
        state["password_ref"] = payload.get("password_ref", state["password_ref"])
    elif kind == EventType.REMOVED:
        state["removed"] = True
    return state


def fold(events: Iterable[Event]) -> State | None:
    state = None
    for event in events:
        state = evolve(state, event)
    return state
