"""Callers waiting for a device's answer to a query we sent."""

from __future__ import annotations

from collections import defaultdict

from eventlet.event import Event as Signal

from .events import CatalogSynced, DeviceInfoReceived, Event, QueryFailed

_ANSWERS = {"DeviceInfo": DeviceInfoReceived, "Catalog": CatalogSynced}


class Waiters:
    """Green threads waiting for `DeviceInfo` or `Catalog` answers."""

    def __init__(self) -> None:
        self._waiting: dict[tuple[str, str], list[Signal]] = defaultdict(list)

    def expect(self, device_id: str, cmd_type: str) -> Signal:
        signal = Signal()
        self._waiting[(device_id, cmd_type)].append(signal)
        return signal

    def cancel(self, device_id: str, cmd_type: str, signal: Signal) -> None:
        signals = self._waiting.get((device_id, cmd_type), [])
        if signal in signals:
            signals.remove(signal)
        if not signals:
            self._waiting.pop((device_id, cmd_type), None)

    def notify(self, event: Event) -> None:
        """Wake whoever waits for what this event answers."""
        if isinstance(event, QueryFailed):
            key = (event.device_id, event.cmd_type)
        else:
            names = [name for name, kind in _ANSWERS.items() if isinstance(event, kind)]
            if not names:
                return
            key = (event.device_id, names[0])
        for signal in self._waiting.pop(key, []):
            if not signal.ready():
                signal.send(event)
