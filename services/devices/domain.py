"""The registry's rules: who may do what to a camera, and which events."""

from __future__ import annotations

from typing import Any

from contracts.devices import ChangeDevice, EventType, RegisterDevice
from contracts.errors import Forbidden, InvalidInput, NotFound
from services.common.eventstore import NewEvent
from services.devices.codes import DeviceCodes
from services.devices.state import State

Actor = dict[str, Any]


def owner_of(actor: Actor) -> str:
    """Only an enterprise registers cameras, always for its own company."""
    if actor.get("role") != "enterprise" or not actor.get("credit_code"):
        raise Forbidden("only an enterprise user can manage cameras", field="role")
    return actor["credit_code"]


def is_owner(actor: Actor, owner: str) -> bool:
    return actor.get("role") == "enterprise" and actor.get("credit_code") == owner


def may_read(actor: Actor, owner: str, district: str) -> bool:
    """The owning enterprise, or a regulator of the camera's district."""
    if actor.get("role") == "regulator":
        return district in (actor.get("districts") or ())
    return is_owner(actor, owner)


def check_owned(state: State | None, actor: Actor) -> State:
    # Another company's camera answers as absent: not theirs to learn of.
    if state is None or state["removed"] or state["owner"] != owner_of(actor):
        raise NotFound("no such device", field="id")
    return state


def _public_fields(command: RegisterDevice | ChangeDevice) -> dict[str, Any]:
    return command.model_dump(mode="json", exclude_none=True, exclude={"password"})


def register(
    device_id: str,
    owner: str,
    codes: DeviceCodes,
    command: RegisterDevice,
    password_ref: str,
) -> list[NewEvent]:
    payload = {
        "device_id": device_id,
        "owner": owner,
        "code": codes.code,
        "channel_code": codes.channel_code,
        "fields": _public_fields(command),
        "password_ref": password_ref,
    }
    return [NewEvent(EventType.REGISTERED, payload)]


def changed_fields(state: State, command: ChangeDevice) -> dict[str, Any]:
    """The fields the command really changes; a password is always a change."""
    wanted = _public_fields(command)
    if not wanted and command.password is None:
        raise InvalidInput("names no field to change", field="body")
    return {k: v for k, v in wanted.items() if state["fields"].get(k) != v}


def change(
    state: State, fields: dict[str, Any], password_ref: str | None
) -> list[NewEvent]:
    # The district a code was allocated in stays in the code: the camera is
    # configured with it, so changing the unit's area keeps the code.
    payload: dict[str, Any] = {"fields": fields}
    if password_ref:
        payload["password_ref"] = password_ref
    if not fields and not password_ref:
        return []
    return [NewEvent(EventType.CHANGED, payload)]


def remove(state: State) -> list[NewEvent]:
    payload = {"code": state["code"], "mac": state["fields"]["mac"]}
    return [NewEvent(EventType.REMOVED, payload)]
