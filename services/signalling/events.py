"""What the core tells the world: bytes to send, and things that happened.

Every value here is immutable; the transport performs `Send` and hands the
rest to whoever listens (the nameko service dispatches them as events).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .manscdp import CatalogItem, DeviceInfo

Channel = CatalogItem


@dataclass(frozen=True)
class Peer:
    """Where a message came from or goes to.

    Over TCP `connection_id` names the connection the device opened; the
    transport assigns it and the core sends back over the same one.
    """

    transport: str
    host: str
    port: int
    connection_id: int | None = None

    @property
    def is_reliable(self) -> bool:
        return self.transport != "UDP"


@dataclass(frozen=True)
class Send:
    data: bytes
    peer: Peer


@dataclass(frozen=True)
class Close:
    """Close a TCP connection whose stream cannot be read any further."""

    peer: Peer


@dataclass(frozen=True)
class DeviceRegistered:
    """A binding was created or refreshed by an authenticated REGISTER."""

    device_id: str
    call_id: str
    peer: Peer
    contact: str
    expires: int
    refreshed: bool


@dataclass(frozen=True)
class RegistrationReplaced:
    """A device registered again under a new Call-ID (it rebooted).

    Anything opened under the previous binding (media sessions, queries)
    is gone on the device side and must be torn down.
    """

    device_id: str
    previous_call_id: str
    call_id: str


@dataclass(frozen=True)
class DeviceOnline:
    device_id: str
    peer: Peer


@dataclass(frozen=True)
class DeviceOffline:
    """reason: unregistered, expired, keepalive_missed or connection_closed."""

    device_id: str
    reason: str
    last_seen: float | None = field(default=None, compare=False)


@dataclass(frozen=True)
class DeviceAddressChanged:
    device_id: str
    previous: Peer
    current: Peer


@dataclass(frozen=True)
class KeepaliveReceived:
    device_id: str
    at: float


@dataclass(frozen=True)
class AuthenticationFailed:
    """A REGISTER was refused; `locked` once the source is being held off."""

    device_id: str
    source_host: str
    failures: int
    locked: bool


@dataclass(frozen=True)
class CatalogSynced:
    """A Catalog answer ended: complete, or partial after a quiet timeout."""

    device_id: str
    sn: int
    expected: int
    channels: tuple[Channel, ...]
    complete: bool


@dataclass(frozen=True)
class DeviceInfoReceived:
    device_id: str
    info: DeviceInfo


@dataclass(frozen=True)
class QueryFailed:
    """A query we sent got no answer (status None) or an error status."""

    device_id: str
    cmd_type: str
    sn: int
    status: int | None


Event = (
    DeviceRegistered
    | RegistrationReplaced
    | DeviceOnline
    | DeviceOffline
    | DeviceAddressChanged
    | KeepaliveReceived
    | AuthenticationFailed
    | CatalogSynced
    | DeviceInfoReceived
    | QueryFailed
)
Output = Send | Close | Event
