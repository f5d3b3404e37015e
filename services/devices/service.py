"""The devices service: the camera registry, event-sourced like the filings.

A known shortcoming: the registration password travels from the gateway in
the RPC body, so the broker link is as secret as the password; the cluster
is expected to run AMQP over TLS.
"""

from nameko.events import event_handler
from nameko.rpc import rpc
from structlog.contextvars import bind_contextvars, get_contextvars

from contracts.devices import DeviceSearch, PresenceEvent
from contracts.errors import DomainError
from services.common.dependencies import Logger
from services.common.requests import Request
from services.common.validation import parse
from services.devices import presence
from services.devices.dependencies import DeviceRegistry

command = rpc(expected_exceptions=DomainError)


class DevicesService:
    name = "devices"

    registry = DeviceRegistry()
    log = Logger()

    def _request(self, actor, key=None, version=None) -> Request:
        correlation_id = get_contextvars().get("correlation_id", "-")
        return Request(actor, correlation_id, key, version)

    # Commands

    @command
    def register_device(self, actor, body, key=None):
        request = self._request(actor, key)
        return self.registry.commands().register(request, body)

    @command
    def change_device(self, actor, device_id, body, key=None, version=None):
        request = self._request(actor, key, version)
        return self.registry.commands().change(request, device_id, body)

    @command
    def remove_device(self, actor, device_id, key=None, version=None):
        request = self._request(actor, key, version)
        return self.registry.commands().remove(request, device_id)

    # Reading

    @command
    def device_details(self, actor, device_id):
        with self.registry.store.engine.connect() as connection:
            return self.registry.reader().details(connection, actor, device_id)

    @command
    def search_devices(self, actor, criteria=None):
        criteria = parse(DeviceSearch, criteria or {})
        with self.registry.store.engine.connect() as connection:
            return self.registry.reader().search(connection, actor, criteria)

    @command
    def get_device(self, actor, device_id):
        """Code, name, owner and online state of a camera the actor may see."""
        with self.registry.store.engine.connect() as connection:
            return self.registry.reader().brief(connection, actor, device_id)

    @rpc
    def devices_by_ids(self, ids):
        """Briefs of the live devices among `ids`, in their order; no access
        check, for services that did their own (linking, the map)."""
        with self.registry.store.engine.connect() as connection:
            return self.registry.reader().briefs(connection, list(ids or ()))

    @command
    def sip_credentials(self, device_code):
        """The HA1 digest of a live device's password for the SIP registrar."""
        with self.registry.store.engine.connect() as connection:
            return self.registry.reader().sip_credentials(connection, device_code)

    # What the signalling service reports

    @event_handler("signalling", PresenceEvent.ONLINE.value, requeue_on_error=True)
    def handle_device_online(self, payload):
        self._record_presence(PresenceEvent.ONLINE, payload)

    @event_handler("signalling", PresenceEvent.OFFLINE.value, requeue_on_error=True)
    def handle_device_offline(self, payload):
        self._record_presence(PresenceEvent.OFFLINE, payload)

    def _record_presence(self, kind: PresenceEvent, message: dict) -> None:
        # Bare payloads and store envelopes (with `payload` inside) both do.
        payload = message.get("payload", message)
        bind_contextvars(device_code=payload.get("device_id"))
        try:
            with self.registry.store.engine.begin() as connection:
                presence.record(connection, kind, payload)
        except (KeyError, TypeError, ValueError):
            # Requeueing a report that can never be read would loop for ever.
            self.log.warning("presence_report_unreadable", kind=kind.value)
            return
        self.log.info("device_presence_recorded", online=kind == PresenceEvent.ONLINE)

    # For readers that keep their own model of these events

    @rpc
    def read_events(self, after_position, limit=1000):
        return self.registry.store.read_all(int(after_position), min(int(limit), 5000))

    @rpc
    def read_stream(self, stream_id, after_version=0):
        return self.registry.store.load(str(stream_id), int(after_version))
