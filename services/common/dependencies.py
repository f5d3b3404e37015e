"""nameko dependency providers shared by the services."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import eventlet
import structlog
from eventlet.event import Event
from nameko.amqp.publish import get_producer
from nameko.constants import PERSISTENT
from nameko.extensions import DependencyProvider
from nameko.standalone.events import get_event_exchange

from services.common.blobstore import FolderBlobStore
from services.common.config import database_url, setting
from services.common.db import make_engine
from services.common.eventstore import EventStore
from services.common.logging import configure_logging, get_logger
from services.common.outbox import OutboxRelay

log = get_logger(__name__)


class Logger(DependencyProvider):
    """A structlog logger bound to the service and the call's correlation id.

    The correlation id rides in nameko's context data, so it follows every
    RPC and event that a call causes.
    """

    def setup(self):
        configure_logging(setting("LOG_LEVEL", "INFO"))

    def get_dependency(self, worker_ctx):
        data = worker_ctx.data
        if "correlation_id" not in data:
            data["correlation_id"] = _request_id(worker_ctx) or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            service=self.container.service_name,
            correlation_id=data["correlation_id"],
            entrypoint=worker_ctx.entrypoint.method_name,
        )
        return structlog.get_logger(self.container.service_name)


def _request_id(worker_ctx) -> str | None:
    """An HTTP caller's X-Request-ID, if it sent a sane one."""
    request = worker_ctx.args[0] if worker_ctx.args else None
    value = getattr(getattr(request, "headers", None), "get", lambda _: None)(
        "X-Request-ID"
    )
    if value and len(value) <= 64 and value.isascii() and value.isprintable():
        return value
    return None


class Blobs(DependencyProvider):
    def setup(self):
        self.blobs = FolderBlobStore(setting("BLOB_DIR", "var/blobs"))

    def get_dependency(self, worker_ctx):
        return self.blobs


class EventStoreWithRelay(DependencyProvider):
    """The service's event store, and the relay that publishes from it.

    Events go to the service's topic exchange (`<service>.events`) with the
    event type as routing key, where nameko event handlers find them. With
    several replicas, a PostgreSQL advisory lock keeps one relay publishing.
    """

    idle_wait = 0.2
    # After a wake-up, wait this long so that concurrent workers' events
    # leave in one batch rather than one round trip each.
    gather = 0.003

    def __init__(self, prefix: str):
        self.prefix = prefix

    def setup(self):
        configure_logging(setting("LOG_LEVEL", "INFO"))
        service = self.container.service_name
        self.engine = make_engine(database_url(service))
        self.store = EventStore(self.engine, self.prefix)
        self.store.create_schema()
        self.exchange = get_event_exchange(service)
        self.amqp_uri = self.container.config["AMQP_URI"]
        self.relay = OutboxRelay(self.store, self._publish, name=f"{service}-bus")
        self._wakeup = Event()
        self._running = False

    def start(self):
        self._running = True
        self.container.spawn_managed_thread(self._run_relay)

    def stop(self):
        self._running = False
        self.wake()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self.store

    def worker_teardown(self, worker_ctx):
        # Whatever the worker appended should leave now, not at the next tick.
        self.wake()

    def wake(self):
        if not self._wakeup.ready():
            self._wakeup.send(True)

    def _run_relay(self):
        leader = _Leadership(self.engine, f"{self.prefix}-relay")
        while self._running:
            try:
                if leader.acquired_now():
                    self.relay.forget_cursor()
                published = leader.holds() and self.relay.publish_ready()
            except Exception:
                log.exception("outbox_relay_failed", relay=self.relay.name)
                published = 0
                eventlet.sleep(1)
            if not published:
                with eventlet.Timeout(self.idle_wait, False):
                    self._wakeup.wait()
                    eventlet.sleep(self.gather)
                self._wakeup = Event()
        leader.release()

    def _publish(self, events: Sequence[dict[str, Any]]) -> None:
        # One producer for the batch; with confirms on, each publish returns
        # only once the broker has the message.
        with get_producer(self.amqp_uri, confirms=True) as producer:
            for event in events:
                producer.publish(
                    event,
                    exchange=self.exchange,
                    routing_key=event["type"],
                    serializer="json",
                    delivery_mode=PERSISTENT,
                    declare=[self.exchange],
                    headers={"nameko.correlation_id": event["correlation_id"]},
                    retry=True,
                    retry_policy={"max_retries": 3},
                )


class _Leadership:
    """A session-level advisory lock on PostgreSQL; always held on SQLite."""

    def __init__(self, engine, name: str):
        self.engine = engine
        self.key = int(uuid.uuid5(uuid.NAMESPACE_URL, name).int % (2**63))
        self.connection = None

    def acquired_now(self) -> bool:
        """True once, when this process has just become the leader."""
        had = self.connection is not None
        return not had and self.holds() and self.engine.dialect.name == "postgresql"

    def holds(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True
        if self.connection is not None:
            return True
        connection = self.engine.connect()
        acquired = connection.exec_driver_sql(
            f"SELECT pg_try_advisory_lock({self.key})"
        ).scalar()
        connection.commit()
        if acquired:
            self.connection = connection
            return True
        connection.close()
        return False

    def release(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
