"""Answers to "test connection" and "sync catalog" (guide section 4.3)."""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

import eventlet

from .bus import iso
from .core import DeviceNotRegistered, SipCore
from .events import CatalogSynced, DeviceInfoReceived, QueryFailed
from .transport import SipTransport
from .waiters import Waiters

MESSAGES = {
    "ok": "the camera is registered and answered a device query",
    "not_registered": "the camera has not registered with the platform; check "
    "the SIP server ID, domain, address, port, device code and password",
    "no_answer": "the camera is registered but did not answer in time",
    "refused": "the camera is registered but refused the device query",
}


class Prober:
    def __init__(self, core: SipCore, transport: SipTransport, waiters: Waiters):
        self._core = core
        self._transport = transport
        self._waiters = waiters

    def state(self, device_id: str) -> dict[str, Any]:
        registration = self._core.registration(device_id)
        if registration is None:
            return {
                "device_id": device_id,
                "registered": False,
                "online": False,
                "last_keepalive_at": None,
                "expires_at": None,
                "address": None,
            }
        peer = registration.peer
        return {
            "device_id": device_id,
            "registered": True,
            "online": registration.online,
            "last_keepalive_at": iso(registration.last_seen),
            "expires_at": iso(registration.expires_at),
            "address": {
                "transport": peer.transport,
                "host": peer.host,
                "port": peer.port,
            },
        }

    def test_connection(self, device_id: str, timeout: float) -> dict[str, Any]:
        state = self.state(device_id)
        started = time.monotonic()
        outcome = self._ask(device_id, "DeviceInfo", timeout)
        elapsed = round((time.monotonic() - started) * 1000, 1)
        result, info = _result(outcome), None
        if isinstance(outcome, DeviceInfoReceived):
            info = {
                "manufacturer": outcome.info.manufacturer,
                "model": outcome.info.model,
                "firmware": outcome.info.firmware,
                "name": outcome.info.device_name,
            }
        return {
            **state,
            "result": result,
            "message": MESSAGES[result],
            "round_trip_ms": elapsed if info else None,
            "device_info": info,
        }

    def sync_catalog(self, device_id: str, timeout: float) -> dict[str, Any]:
        outcome = self._ask(device_id, "Catalog", timeout)
        result = _result(outcome)
        channels = [asdict(channel) for channel in self._core.channels(device_id)]
        complete = isinstance(outcome, CatalogSynced) and outcome.complete
        return {
            "device_id": device_id,
            "result": result,
            "message": MESSAGES[result],
            "complete": complete,
            "channels": channels,
        }

    def _ask(self, device_id: str, cmd_type: str, timeout: float) -> object:
        signal = self._waiters.expect(device_id, cmd_type)
        try:
            if cmd_type == "Catalog":
                outputs = self._core.query_catalog(device_id)
            else:
                outputs = self._core.query_device_info(device_id)
        except DeviceNotRegistered:
            self._waiters.cancel(device_id, cmd_type, signal)
            return None
        self._transport.perform(outputs)
        with eventlet.Timeout(timeout, False):
            return signal.wait()
        self._waiters.cancel(device_id, cmd_type, signal)
        return TimeoutError()


def _result(outcome: object) -> str:
    if outcome is None:
        return "not_registered"
    if isinstance(outcome, QueryFailed):
        return "no_answer" if outcome.status is None else "refused"
    if isinstance(outcome, (DeviceInfoReceived, CatalogSynced)):
        return "ok"
    return "no_answer"
