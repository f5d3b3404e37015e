"""The ports the core needs from outside, with in-memory adapters."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Protocol

from .digest import ha1_of
from .events import Peer


@dataclass(frozen=True)
class DeviceSecret:
    """A device's registration password, or the HA1 digest made from it."""

    password: str | None = None
    ha1: str | None = None

    def ha1_for(self, username: str, realm: str) -> str | None:
        if self.ha1 is not None:
            return self.ha1.lower()
        if self.password is not None:
            return ha1_of(username, realm, self.password)
        return None

    def __repr__(self) -> str:
        return "DeviceSecret(<hidden>)"


class CredentialsLookup(Protocol):
    """Device id to its secret; None when the platform does not know it."""

    def secret_for(self, device_id: str) -> DeviceSecret | None: ...


class InMemoryCredentials:
    def __init__(self, secrets: dict[str, DeviceSecret] | None = None) -> None:
        self._secrets = dict(secrets or {})

    def add_password(self, device_id: str, password: str) -> None:
        self._secrets[device_id] = DeviceSecret(password=password)

    def secret_for(self, device_id: str) -> DeviceSecret | None:
        return self._secrets.get(device_id)


@dataclass(frozen=True)
class Registration:
    """One device's binding; times are wall-clock seconds since the epoch."""

    device_id: str
    call_id: str
    cseq: int
    contact: str
    peer: Peer
    registered_at: float
    expires_at: float
    last_seen: float
    online: bool = True

    def is_live(self, now: float) -> bool:
        return now < self.expires_at


class RegistrationStore(Protocol):
    """Registration state that outlives a process and is shared by replicas."""

    def get(self, device_id: str) -> Registration | None: ...

    def put(self, registration: Registration) -> None: ...

    def delete(self, device_id: str) -> None: ...

    def all(self) -> Iterator[Registration]: ...

    def flush(self) -> int:
        """Write what `put` held back; how many rows. The core calls it on
        its flush interval, so a crash loses at most that much."""
        ...

    def sweep(self, now: float, keepalive_timeout: float) -> list[Lapse]:
        """Drop expired bindings and mark silent devices offline.

        Each lapse is returned to exactly one caller, so that replicas that
        share a store do not report one device going offline twice.
        """
        ...


@dataclass(frozen=True)
class Lapse:
    """A device that went offline: reason `expired` or `keepalive_missed`."""

    device_id: str
    reason: str
    last_seen: float


def lapses(
    registrations: Iterable[Registration], now: float, keepalive_timeout: float
) -> Iterator[Lapse]:
    """GB/T 28181-2016 §9.6.1: offline after missed keepalives or expiry."""
    for registration in registrations:
        if not registration.is_live(now):
            yield Lapse(registration.device_id, "expired", registration.last_seen)
        elif registration.online and now - registration.last_seen > keepalive_timeout:
            yield Lapse(
                registration.device_id, "keepalive_missed", registration.last_seen
            )


class InMemoryRegistrationStore:
    def __init__(self) -> None:
        self._registrations: dict[str, Registration] = {}

    def get(self, device_id: str) -> Registration | None:
        return self._registrations.get(device_id)

    def put(self, registration: Registration) -> None:
        self._registrations[registration.device_id] = registration

    def delete(self, device_id: str) -> None:
        self._registrations.pop(device_id, None)

    def all(self) -> Iterator[Registration]:
        return iter(list(self._registrations.values()))

    def flush(self) -> int:
        return 0

    def sweep(self, now: float, keepalive_timeout: float) -> list[Lapse]:
        found = list(lapses(self._registrations.values(), now, keepalive_timeout))
        reported = []
        for lapse in found:
            registration = self._registrations.pop(lapse.device_id)
            if lapse.reason == "keepalive_missed":
                self._registrations[lapse.device_id] = replace(
                    registration, online=False
                )
            if registration.online:
                reported.append(lapse)
        return reported
