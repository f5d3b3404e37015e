"""Core events as messages on the bus, published off the SIP loop.

`device.online`, `device.offline`, `device.catalog_synced` and
`device.address_changed` go to the `signalling.events` exchange, where
nameko event handlers find them. Each payload names the device by its
20-digit code (`device_id`) and the moment (`at`, ISO 8601 UTC).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import eventlet
from eventlet.queue import LightQueue

from services.common.logging import get_logger

from .events import (
    CatalogSynced,
    DeviceAddressChanged,
    DeviceOffline,
    DeviceOnline,
    Event,
    Peer,
)

log = get_logger(__name__, service="signalling")

Message = tuple[str, dict[str, Any]]
Publish = Callable[[str, dict[str, Any]], None]


def message_of(event: Event, now: float) -> Message | None:
    """The bus message for a core event, or None for those kept inside."""
    at = iso(now)
    if isinstance(event, DeviceOnline):
        return "device.online", {
            "device_id": event.device_id,
            "at": at,
            **_address(event.peer),
        }
    if isinstance(event, DeviceOffline):
        last_seen = iso(event.last_seen) if event.last_seen else None
        return "device.offline", {
            "device_id": event.device_id,
            "at": at,
            "reason": event.reason,
            "last_seen_at": last_seen,
        }
    if isinstance(event, CatalogSynced):
        return "device.catalog_synced", {
            "device_id": event.device_id,
            "at": at,
            "complete": event.complete,
            "expected": event.expected,
            "channels": [asdict(channel) for channel in event.channels],
        }
    if isinstance(event, DeviceAddressChanged):
        return "device.address_changed", {
            "device_id": event.device_id,
            "at": at,
            "previous": _address(event.previous),
            "current": _address(event.current),
        }
    return None


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat().replace("+00:00", "Z")


def _address(peer: Peer) -> dict[str, Any]:
    return {"transport": peer.transport, "host": peer.host, "port": peer.port}


class BusOutbox:
    """A queue drained by one green thread, so the SIP loop never waits.

    Messages still queued when the process dies are lost; the registry
    then learns the device's state from its next change.
    """

    def __init__(self, publish: Publish, max_size: int = 100_000) -> None:
        self._publish = publish
        self._queue: LightQueue = LightQueue(max_size)
        self._thread: eventlet.greenthread.GreenThread | None = None

    def put(self, message: Message) -> None:
        try:
            self._queue.put_nowait(message)
        except eventlet.queue.Full:
            log.error("bus_outbox_full", event=message[0])

    def start(self) -> None:
        self._thread = eventlet.spawn(self._run)

    def stop(self, drain_timeout: float = 5.0) -> None:
        with eventlet.Timeout(drain_timeout, False):
            while not self._queue.empty():
                eventlet.sleep(0.05)
        if self._thread is not None:
            self._thread.kill()

    def _run(self) -> None:
        while True:
            event_type, payload = self._queue.get()
            while True:
                try:
                    self._publish(event_type, payload)
                    break
                except Exception:
                    log.exception("bus_publish_failed", event=event_type)
                    eventlet.sleep(1)
