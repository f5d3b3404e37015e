"""Command handlers: one transaction per command over events and side tables."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import structlog
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError
from structlog.contextvars import bind_contextvars

from contracts.devices import ChangeDevice, RegisterDevice
from contracts.errors import AlreadyExists, VersionConflict
from services.common.eventstore import AppendResult, NewEvent, StreamChange
from services.common.requests import Request, outcome, parse_uuid
from services.common.validation import parse
from services.devices import codes, domain, macs, views
from services.devices.passwords import SecretVault
from services.devices.settings import CodeDigits
from services.devices.state import State, evolve, fold, stream_of
from services.devices.store import DeviceEventStore

# A lazy proxy: common.logging.get_logger binds at import time, before the
# service has configured structlog, and would keep the default renderer.
log = structlog.get_logger(__name__)

# PostgreSQL's deadlock and serialization failures: the caller may retry.
RETRYABLE = {"40P01", "40001"}


class DeviceCommands:
    def __init__(self, store: DeviceEventStore, vault: SecretVault, digits: CodeDigits):
        self.store = store
        self.vault = vault
        self.digits = digits

    def owned(self, request: Request, device_id: str) -> State:
        state = fold(self.store.load(stream_of(parse_uuid(device_id, "device"))))
        return domain.check_owned(state, request.actor)

    def register(self, request: Request, body: dict) -> dict[str, Any]:
        owner = domain.owner_of(request.actor)
        idempotency = request.idempotency("register", self._blinded(body))
        if idempotency and (earlier := self.store.previous_answer(*idempotency)):
            return outcome(earlier)
        command = parse(RegisterDevice, body)
        device_id = str(uuid.uuid4())
        bind_contextvars(device_id=device_id)

        def work(connection: Connection) -> AppendResult:
            allocated = codes.allocate(connection, command.district, self.digits)
            macs.claim(connection, command.mac, device_id)
            ref = self.vault.put(connection, device_id, command.password)
            events = domain.register(device_id, owner, allocated, command, ref)
            result = {
                "id": device_id,
                "code": allocated.code,
                "channel_code": allocated.channel_code,
            }
            return self._append(connection, None, events, request, idempotency, result)

        answer = self._commit(work, stream_of(device_id), idempotency)
        log.info("device_registered", code=answer.result["code"], owner=owner)
        return outcome(answer)

    def change(self, request: Request, device_id: str, body: dict) -> dict[str, Any]:
        idempotency = request.idempotency("change", [device_id, self._blinded(body)])
        if idempotency and (earlier := self.store.previous_answer(*idempotency)):
            return outcome(earlier)
        command = parse(ChangeDevice, body)
        state = self.owned(request, device_id)
        bind_contextvars(device_id=state["id"])
        version = request.check_version(state)
        fields = domain.changed_fields(state, command)

        def work(connection: Connection) -> AppendResult:
            ref = None
            if command.password is not None:
                ref = self.vault.put(connection, state["id"], command.password)
            events = domain.change(state, fields, ref)
            if not events:
                return AppendResult(
                    stream_of(state["id"]), version, {"id": state["id"]}
                )
            if "mac" in fields:
                macs.release(connection, state["fields"]["mac"], state["id"])
                macs.claim(connection, fields["mac"], state["id"])
            answer = self._append(
                connection, state, events, request, idempotency, {"id": state["id"]}
            )
            if ref:
                self.vault.keep_only(connection, state["id"], ref)
            return answer

        answer = self._commit(work, stream_of(state["id"]), idempotency)
        log.info(
            "device_changed",
            fields=sorted(fields),
            password_changed=command.password is not None,
            version=answer.version,
        )
        return outcome(answer)

    def remove(self, request: Request, device_id: str) -> dict[str, Any]:
        idempotency = request.idempotency("remove", device_id)
        if idempotency and (earlier := self.store.previous_answer(*idempotency)):
            return outcome(earlier)
        state = self.owned(request, device_id)
        bind_contextvars(device_id=state["id"])
        request.check_version(state)

        def work(connection: Connection) -> AppendResult:
            macs.release(connection, state["fields"]["mac"], state["id"])
            answer = self._append(
                connection,
                state,
                domain.remove(state),
                request,
                idempotency,
                {"id": state["id"]},
            )
            # The code stays taken for ever; the password goes for good.
            self.vault.erase(connection, state["id"])
            return answer

        answer = self._commit(work, stream_of(state["id"]), idempotency)
        log.info("device_removed", code=state["code"])
        return outcome(answer)

    # Shared steps

    def _blinded(self, body: Any) -> Any:
        if isinstance(body, dict) and isinstance(body.get("password"), str):
            return {**body, "password": self.vault.box.blind(body["password"])}
        return body

    def _append(
        self,
        connection: Connection,
        state: State | None,
        events: list[NewEvent],
        request: Request,
        idempotency: tuple[str, Any] | None,
        result: dict[str, Any],
    ) -> AppendResult:
        stream = stream_of(result["id"])
        version = state["version"] if state else 0
        change = StreamChange(stream, version, tuple(events))
        answer = self.store.append_in(
            connection, [change], request.metadata, idempotency, result
        )
        for event in self.store.load_in(connection, stream, version):
            state = evolve(state, event)
        views.write(connection, state)
        return answer

    def _commit(
        self,
        work: Callable[[Connection], AppendResult],
        stream_id: str,
        idempotency: tuple[str, Any] | None,
    ) -> AppendResult:
        try:
            with self.store.transaction() as connection:
                return work(connection)
        except macs.MacTaken as taken:
            # A concurrent retry of this very command may have taken the MAC.
            if idempotency and (earlier := self.store.previous_answer(*idempotency)):
                return earlier
            # Sent as the shared type: only those cross RPC as themselves.
            raise AlreadyExists(taken.message, field=taken.field) from None
        except IntegrityError as error:
            return self.store._after_integrity_error(error, stream_id, idempotency)
        except DBAPIError as error:
            if getattr(error.orig, "pgcode", None) in RETRYABLE:
                raise VersionConflict(
                    "another change to the same data won; try again", field="version"
                ) from None
            raise
