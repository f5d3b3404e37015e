"""The SIP server as a nameko dependency: core, sockets, store and bus.

It is an RPC client of the cluster too, because the registrar asks the
devices service for passwords from the SIP loop, outside any worker.
"""

from __future__ import annotations

import time

from nameko.amqp.publish import Publisher
from nameko.rpc import Client, ClusterRpc
from nameko.standalone.events import get_event_exchange

from services.common.config import database_url, setting
from services.common.db import make_engine
from services.common.logging import configure_logging, get_logger

from . import bus, settings
from .core import SipCore
from .credentials import RpcCredentials
from .digest import FixedNonceSource, HmacNonceSource, NonceSource
from .events import AuthenticationFailed, Event
from .probe import Prober
from .store import SqlRegistrationStore, metadata
from .transport import SipTransport
from .waiters import Waiters

log = get_logger(__name__, service="signalling")


class SipServer(ClusterRpc):
    def setup(self):
        super().setup()
        configure_logging(setting("LOG_LEVEL", "INFO"))
        self.settings = config = settings.load()
        engine = make_engine(database_url(self.container.service_name))
        metadata.create_all(engine)
        self.store = SqlRegistrationStore(engine)
        live = self.store.load(time.time())
        log.info("sip_registrations_loaded", count=live)
        self.credentials = RpcCredentials(
            self._fetch_credentials, config.sip.domain, config.credentials_ttl
        )
        self.core = SipCore(config.sip, self.credentials, self.store, self._nonces())
        self.transport = SipTransport(self.core, config.transport, self._on_event)
        self.waiters = Waiters()
        self.prober = Prober(self.core, self.transport, self.waiters)
        self.outbox = bus.BusOutbox(self._publish_event)
        self.exchange = get_event_exchange(self.container.service_name)
        self.events = Publisher(
            self.amqp_uri, serializer="json", declare=[self.exchange]
        )
        self.listening = False

    def start(self):
        self.outbox.start()
        try:
            self.transport.start()
            self.listening = True
        except OSError as error:
            if not self.settings.bind_optional:
                raise
            # Embedded mode: the rest of the platform keeps working.
            log.error("sip_bind_failed", error=str(error))

    def stop(self):
        if self.listening:
            self.transport.stop()
            self.listening = False
        self.store.flush()
        self.outbox.stop()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self

    def _nonces(self) -> NonceSource:
        config = self.settings
        if config.fixed_nonce:
            return FixedNonceSource(config.fixed_nonce)
        return HmacNonceSource(config.nonce_secret, time.time)

    def _fetch_credentials(self, device_code: str) -> dict:
        client = Client(
            self.publisher.publish,
            self.reply_listener.register_for_reply,
            {},
            "devices",
            "sip_credentials",
        )
        return client(device_code)

    def _on_event(self, event: Event) -> None:
        self.waiters.notify(event)
        if isinstance(event, AuthenticationFailed):
            # A password changed in the registry must not wait for the cache.
            self.credentials.forget(event.device_id)
        message = bus.message_of(event, time.time())
        if message is not None:
            self.outbox.put(message)

    def _publish_event(self, event_type: str, payload: dict) -> None:
        self.events.publish(payload, exchange=self.exchange, routing_key=event_type)
