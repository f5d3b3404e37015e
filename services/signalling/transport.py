"""UDP and TCP sockets around the sans-IO core, on eventlet green threads.

One UDP socket and one TCP listener share the bind address. Every read
goes through the core; its `Send` and `Close` effects are carried out
here and its events are handed to `on_event`. A timer thread fires the
core's deadlines. Nothing a peer sends may stop these loops.

Events that come with every registration or keepalive are logged at
debug level; at info level they are counted, and the counts are logged
as one `sip_activity` line every `activity_log_interval` seconds. Changes
of state (online, offline, refusals, failed queries) are logged each.

Only IPv4 is bound. Requests to a device registered over TCP go through
the connection it opened; if that is gone they are dropped, not sent over
a new connection to its Contact as RFC 3261 §18.1.1 would allow.
"""

from __future__ import annotations

import collections
import errno
import functools
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import eventlet
from eventlet.green import socket

from services.common.logging import get_logger

from .core import SipCore
from .events import (
    Close,
    DeviceRegistered,
    Event,
    KeepaliveReceived,
    Output,
    Peer,
    RegistrationReplaced,
    Send,
)

DEFAULT_ADDRESS = "0.0.0.0:5060"
_READ_SIZE = 65_536
# One of each per registration or keepalive: counted, logged at debug only.
_ROUTINE = (DeviceRegistered, RegistrationReplaced, KeepaliveReceived)
_LOGGED_FIELDS = ("device_id", "call_id", "reason", "sn", "complete", "status")


@dataclass(frozen=True)
class TransportSettings:
    host: str = "0.0.0.0"
    port: int = 5060
    # A message that has started must be complete within this many seconds.
    message_timeout: float = 10.0
    send_timeout: float = 5.0
    max_connections: int = 20_000
    max_timer_sleep: float = 0.5
    # Datagrams handled at once, so that one slow password lookup does not
    # hold up every keepalive behind it.
    udp_workers: int = 64
    # Datagrams read but not yet handled; more are dropped, as a full
    # socket buffer would, and the senders retransmit. Counted as
    # `udp_dropped` in `sip_activity`.
    udp_queue: int = 4096
    # How often the counts of routine events are logged at info level.
    activity_log_interval: float = 60.0


def parse_address(text: str = DEFAULT_ADDRESS) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or "0.0.0.0", int(port)


class SipTransport:
    def __init__(
        self,
        core: SipCore,
        settings: TransportSettings = TransportSettings(),
        on_event: Callable[[Event], None] = lambda event: None,
    ) -> None:
        self.core = core
        self._settings = settings
        self._on_event = on_event
        self._log = get_logger(__name__, service="signalling")
        self._std_log = logging.getLogger(__name__)
        self._activity: collections.Counter[str] = collections.Counter()
        self._activity_since = time.monotonic()
        self._udp: socket.socket | None = None
        self._listener: socket.socket | None = None
        self._connections: dict[int, socket.socket] = {}
        self._connection_ids = itertools.count(1)
        self._threads: list[eventlet.greenthread.GreenThread] = []
        self._inbox: collections.deque[tuple[bytes, Peer]] = collections.deque()
        self._udp_workers = 0
        self._standing_by = 0
        self._running = False
        self.address: tuple[str, int] = (settings.host, settings.port)

    def start(self) -> tuple[str, int]:
        """Bind UDP and TCP on the same port and start serving; the address."""
        self._udp, self._listener = self._bind()
        self.address = self._udp.getsockname()[:2]
        self._running = True
        for loop in (self._serve_udp, self._serve_tcp, self._run_timers):
            self._threads.append(eventlet.spawn(loop))
        self._log.info("sip_listening", host=self.address[0], port=self.address[1])
        return self.address

    def stop(self) -> None:
        self._running = False
        self.log_activity()
        for thread in self._threads:
            thread.kill()
        for connection in list(self._connections.values()):
            connection.close()
        self._connections.clear()
        for sock in (self._udp, self._listener):
            if sock is not None:
                sock.close()

    def perform(self, outputs: list[Output]) -> None:
        """Carry out what the core asked for; also for the service's calls."""
        for output in outputs:
            if isinstance(output, Send):
                self._send(output)
            elif isinstance(output, Close):
                self._close(output.peer)
            else:
                self._publish(output)

    def _bind(self) -> tuple[socket.socket, socket.socket]:
        host, port = self._settings.host, self._settings.port
        for _ in range(20):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind((host, port))
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                listener.bind((host, udp.getsockname()[1]))
            except OSError as error:
                udp.close()
                listener.close()
                if port != 0 or error.errno != errno.EADDRINUSE:
                    raise
                continue
            listener.listen(512)
            return udp, listener
        raise OSError(errno.EADDRINUSE, "no port free for both UDP and TCP")

    def _serve_udp(self) -> None:
        assert self._udp is not None
        while self._running:
            try:
                data, (host, port) = self._udp.recvfrom(_READ_SIZE)[:2]
            except OSError as error:
                self._log.warning("udp_read_failed", error=str(error))
                continue
            if len(self._inbox) >= self._settings.udp_queue:
                self._activity["udp_dropped"] += 1
                continue
            self._inbox.append((data, Peer("UDP", host, port)))
            self._stand_by()

    def _stand_by(self) -> None:
        """Have a worker ready to start, up to `udp_workers` in all.

        One worker handles queued datagrams one after another, which saves
        a green thread per datagram; the one standing by takes over the
        queue whenever a worker waits on a lookup.
        """
        if self._standing_by or self._udp_workers >= self._settings.udp_workers:
            return
        self._standing_by += 1
        self._udp_workers += 1
        eventlet.spawn_n(self._work_udp)

    def _work_udp(self) -> None:
        self._standing_by -= 1
        try:
            while self._inbox:
                data, peer = self._inbox.popleft()
                if self._inbox:
                    self._stand_by()
                self._guarded(self.core.receive_datagram, data, peer)
        finally:
            self._udp_workers -= 1

    def _serve_tcp(self) -> None:
        assert self._listener is not None
        while self._running:
            try:
                connection, address = self._listener.accept()
            except OSError as error:
                self._log.warning("tcp_accept_failed", error=str(error))
                eventlet.sleep(0.1)
                continue
            if len(self._connections) >= self._settings.max_connections:
                connection.close()
                continue
            connection_id = next(self._connection_ids)
            self._connections[connection_id] = connection
            peer = Peer("TCP", address[0], address[1], connection_id)
            eventlet.spawn(self._serve_connection, connection, peer)

    def _serve_connection(self, connection: socket.socket, peer: Peer) -> None:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        message_started: float | None = None
        try:
            while self._running and peer.connection_id in self._connections:
                reading = self.core.is_reading_message(peer.connection_id or 0)
                if not reading:
                    message_started = None
                elif message_started is None:
                    message_started = time.monotonic()
                timeout = self._remaining(message_started)
                if timeout is not None and timeout <= 0:
                    self._log.info("tcp_message_too_slow", peer_host=peer.host)
                    break
                connection.settimeout(timeout)
                data = connection.recv(_READ_SIZE)
                if not data:
                    break
                self._guarded(self.core.receive_stream, data, peer)
        except OSError as error:
            self._log.debug("tcp_read_ended", peer_host=peer.host, error=str(error))
        finally:
            if self._connections.pop(peer.connection_id or 0, None) is not None:
                connection.close()
                self._guarded(self.core.connection_closed, peer)

    def _remaining(self, message_started: float | None) -> float | None:
        if message_started is None:
            return None
        elapsed = time.monotonic() - message_started
        return self._settings.message_timeout - elapsed

    def _run_timers(self) -> None:
        while self._running:
            delay = self.core.next_deadline() - time.time()
            eventlet.sleep(min(max(delay, 0.0), self._settings.max_timer_sleep))
            self._guarded(self.core.handle_timers)
            if self._activity_due():
                self.log_activity()

    def _activity_due(self) -> bool:
        elapsed = time.monotonic() - self._activity_since
        return elapsed >= self._settings.activity_log_interval

    def log_activity(self) -> None:
        """Log the routine events counted since the last time, if any."""
        now = time.monotonic()
        counts, self._activity = self._activity, collections.Counter()
        seconds, self._activity_since = now - self._activity_since, now
        if counts:
            self._log.info("sip_activity", seconds=round(seconds, 1), **counts)

    def _guarded(self, step: Callable[..., list[Output]], *args: object) -> None:
        try:
            outputs = step(*args)
        except Exception:
            # A bug must cost one message, never the listening loop.
            self._log.exception("sip_step_failed", step=step.__name__)
            return
        self.perform(outputs)

    def _send(self, send: Send) -> None:
        peer = send.peer
        try:
            if peer.connection_id is None:
                assert self._udp is not None
                self._udp.sendto(send.data, (peer.host, peer.port))
                return
            connection = self._connections.get(peer.connection_id)
            if connection is None:
                self._log.info("tcp_peer_gone", peer_host=peer.host)
                return
            connection.settimeout(self._settings.send_timeout)
            connection.sendall(send.data)
        except OSError as error:
            self._log.warning("sip_send_failed", peer_host=peer.host, error=str(error))
            if peer.connection_id is not None:
                self._close(peer)

    def _close(self, peer: Peer) -> None:
        connection = self._connections.pop(peer.connection_id or 0, None)
        if connection is not None:
            connection.close()

    def _publish(self, event: Event) -> None:
        name = _event_name(type(event))
        if not isinstance(event, _ROUTINE):
            self._log.info(name, **_fields(event))
        else:
            self._activity[name] += 1
            if self._std_log.isEnabledFor(logging.DEBUG):
                self._log.debug(name, **_fields(event))
        try:
            self._on_event(event)
        except Exception:
            self._log.exception("sip_event_handler_failed", event=name)


def _fields(event: Event) -> dict[str, object]:
    return {
        name: value for name, value in vars(event).items() if name in _LOGGED_FIELDS
    }


@functools.lru_cache(maxsize=64)
def _event_name(kind: type) -> str:
    name = kind.__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
