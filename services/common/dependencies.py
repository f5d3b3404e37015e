"""nameko dependency providers shared by the services."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import eventlet
import structlog
from eventlet.event import Event
from kombu import Connection
from kombu.serialization import dumps
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
        # Batched confirms need a real AMQP broker; the embedded in-memory
        # transport has no confirm mode and publishes message by message.
        self.publisher = None
        publish = self._publish
        if Connection(self.amqp_uri).transport.driver_type == "amqp":
            self.publisher = ConfirmedPublisher(self.amqp_uri, self.exchange)
            publish = self.publisher.publish
        self.relay = OutboxRelay(self.store, publish, name=f"{service}-bus")
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
        if self.publisher is not None:
            self.publisher.close()

    def _publish(self, events: Sequence[dict[str, Any]]) -> None:
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


class PublishNotConfirmed(Exception):
    pass


class ConfirmedPublisher:
    """Publishes a batch on one channel in confirm mode, then waits once.

    Publishing with a confirm wait per message costs a round trip and a
    green-thread switch per event. Here the broker confirms the whole batch
    (acks may come one by one or as `multiple`) before `publish` returns, so
    the relay still advances its cursor only over confirmed events. Any
    failure drops the connection; the relay then republishes the batch on a
    fresh one, at least once as before.
    """

    confirm_timeout = 30.0

    def __init__(self, amqp_uri: str, exchange):
        self.amqp_uri = amqp_uri
        self.exchange = exchange
        self._connection = None
        self._channel = None
        self._sent = 0  # delivery tags of a confirm-mode channel count from 1
        self._unconfirmed: set[int] = set()
        self._nacked = False

    def publish(self, events: Sequence[dict[str, Any]]) -> None:
        reused = self._channel is not None
        try:
            self._publish(events)
            return
        except PublishNotConfirmed:
            self.close()
            raise
        except Exception:
            self.close()
            if not reused:
                raise
        # A kept connection may have died while idle (a broker restart):
        # one more try at once on a fresh one, as a pooled producer would.
        log.info("publisher_reconnecting", exchange=self.exchange.name)
        try:
            self._publish(events)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None:
            try:
                connection.release()
            except Exception:
                log.debug("publisher_close_failed", exc_info=True)

    def _publish(self, events: Sequence[dict[str, Any]]) -> None:
        channel = self._channel or self._open()
        self._unconfirmed.clear()
        self._nacked = False
        name = self.exchange.name
        for event in events:
            content_type, encoding, body = dumps(event, serializer="json")
            message = channel.prepare_message(
                body,
                0,
                content_type,
                encoding,
                {"nameko.correlation_id": event["correlation_id"]},
                {"delivery_mode": PERSISTENT},
            )
            channel.basic_publish(message, exchange=name, routing_key=event["type"])
            self._sent += 1
            self._unconfirmed.add(self._sent)
        with eventlet.Timeout(self.confirm_timeout, PublishNotConfirmed):
            while self._unconfirmed and not self._nacked:
                self._connection.drain_events()
        if self._nacked:
            raise PublishNotConfirmed("the broker refused a message of the batch")

    def _open(self):
        connection = Connection(self.amqp_uri)
        connection.connect()
        channel = connection.channel()
        self.exchange(channel).declare()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        channel.confirm_select()
        self._connection, self._channel, self._sent = connection, channel, 0
        return channel

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        if multiple:
            self._unconfirmed = {t for t in self._unconfirmed if t > delivery_tag}
        else:
            self._unconfirmed.discard(delivery_tag)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._nacked = True


class _Leadership:
    """A session-level advisory lock on PostgreSQL; always held on SQLite."""

    def __init__(self, engine, name: str):
        self.engine = engine
        self.key = int(uuid.uuid5(uuid.NAMESPACE_URL, name).int % (2**63))
        self.connection = None

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
