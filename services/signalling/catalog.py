"""Gathering Catalog answers (GB/T 28181-2016 §9.5.2, §A.2.6).

A device answers one Catalog query with several MESSAGEs that share an SN
and name the total channel count in SumNum; pages arrive in any order and
UDP retransmissions repeat them. Channels are kept once per device.

Channels are held in process memory only; the devices service is expected
to persist them from `CatalogSynced`, and a restart forgets them here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .events import CatalogSynced, Channel
from .manscdp import CatalogResponse


@dataclass
class _Sync:
    expected: int
    quiet_until: float
    channels: dict[str, Channel] = field(default_factory=dict)


class CatalogCollector:
    def __init__(self, quiet_timeout: float, clock: Callable[[], float]) -> None:
        self._quiet_timeout = quiet_timeout
        self._clock = clock
        self._syncs: dict[tuple[str, int], _Sync] = {}
        self._finished: dict[tuple[str, int], float] = {}
        self._channels: dict[str, dict[str, Channel]] = {}

    def channels(self, device_id: str) -> tuple[Channel, ...]:
        return tuple(self._channels.get(device_id, {}).values())

    def add(self, device_id: str, page: CatalogResponse) -> CatalogSynced | None:
        """Store a page's channels; a result once all SumNum channels came."""
        now = self._clock()
        stored = self._channels.setdefault(device_id, {})
        stored.update((item.device_id, item) for item in page.items)
        key = (device_id, page.sn)
        if key in self._finished:
            return None
        sync = self._syncs.get(key)
        if sync is None:
            sync = self._syncs[key] = _Sync(page.sum_num, now)
        sync.quiet_until = now + self._quiet_timeout
        sync.channels.update((item.device_id, item) for item in page.items)
        if len(sync.channels) < sync.expected:
            return None
        return self._finish(key, complete=True)

    def expire(self) -> list[CatalogSynced]:
        """Report syncs that went quiet before all channels came as partial."""
        now = self._clock()
        quiet = [key for key, sync in self._syncs.items() if sync.quiet_until <= now]
        for key, until in list(self._finished.items()):
            if until <= now:
                del self._finished[key]
        return [self._finish(key, complete=False) for key in quiet]

    def next_deadline(self) -> float | None:
        return min((sync.quiet_until for sync in self._syncs.values()), default=None)

    def forget(self, device_id: str) -> None:
        self._channels.pop(device_id, None)

    def _finish(self, key: tuple[str, int], *, complete: bool) -> CatalogSynced:
        sync = self._syncs.pop(key)
        # Late retransmissions of this SN must not start a second sync.
        self._finished[key] = self._clock() + 4 * self._quiet_timeout
        channels = tuple(sync.channels.values())
        return CatalogSynced(key[0], key[1], sync.expected, channels, complete)
