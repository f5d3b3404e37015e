"""The registry as a nameko dependency: store, relay, vault and settings."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.devices import SipPlatform
from services.common.dependencies import EventStoreWithRelay
from services.devices import tables
from services.devices.commands import DeviceCommands
from services.devices.passwords import PasswordBox, SecretVault, load_key
from services.devices.reads import Reader
from services.devices.settings import CodeDigits, code_digits, sip_platform
from services.devices.store import DeviceEventStore


@dataclass(frozen=True)
class Registry:
    """What a worker of the devices service reaches through one attribute."""

    store: DeviceEventStore
    vault: SecretVault
    digits: CodeDigits
    platform: SipPlatform

    def commands(self) -> DeviceCommands:
        return DeviceCommands(self.store, self.vault, self.digits)

    def reader(self) -> Reader:
        return Reader(self.vault, self.platform)


class DeviceRegistry(EventStoreWithRelay):
    """The event store with its outbox relay, plus the registry's own tables.

    The base provider builds a plain EventStore; it is swapped here for the
    device store over the same engine and tables, so that one transaction
    can cover the events and the side tables.
    """

    def __init__(self):
        super().__init__("devices")

    def setup(self):
        super().setup()
        self.store = DeviceEventStore(self.engine, self.prefix)
        self.relay.store = self.store
        tables.metadata.create_all(self.engine)
        self.registry = Registry(
            store=self.store,
            vault=SecretVault(PasswordBox(load_key())),
            digits=code_digits(),
            platform=sip_platform(),
        )

    def get_dependency(self, worker_ctx) -> Registry:
        return self.registry
