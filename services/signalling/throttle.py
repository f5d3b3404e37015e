"""Slowing down repeated authentication failures, per device and source."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

FailureKey = tuple[str, str]


@dataclass
class _Failures:
    count: int
    window_ends: float
    locked_until: float = 0.0


class FailureThrottle:
    """After `max_failures` within `window` seconds, refuse for `lockout`.

    Counted per (device id, source host); the table is bounded, oldest first
    out, so a flood of invented ids cannot grow it without end.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        max_failures: int = 5,
        window: float = 60.0,
        lockout: float = 300.0,
        max_entries: int = 100_000,
    ) -> None:
        self._clock = clock
        self._max_failures = max_failures
        self._window = window
        self._lockout = lockout
        self._max_entries = max_entries
        self._table: OrderedDict[FailureKey, _Failures] = OrderedDict()

    def is_locked(self, key: FailureKey) -> bool:
        entry = self._table.get(key)
        return entry is not None and entry.locked_until > self._clock()

    def record_failure(self, key: FailureKey) -> int:
        now = self._clock()
        entry = self._table.pop(key, None)
        if entry is None or entry.window_ends <= now:
            locked_until = entry.locked_until if entry else 0.0
            entry = _Failures(0, now + self._window, locked_until)
        entry.count += 1
        if entry.count >= self._max_failures:
            entry.locked_until = now + self._lockout
        self._table[key] = entry
        while len(self._table) > self._max_entries:
            self._table.popitem(last=False)
        return entry.count

    def clear(self, key: FailureKey) -> None:
        self._table.pop(key, None)
