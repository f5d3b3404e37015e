"""The sans-IO SIP core of the signalling service.

Bytes and timer ticks go in; `Send` and `Close` effects and events come
out. The core never touches a socket or reads a clock other than the one
it is given, so it runs the same under eventlet, asyncio or a test.

The credentials lookup and the registration store are called inline, so
an adapter that does I/O blocks the core for that call; under eventlet
other green threads run meanwhile, and two requests of one device can then
interleave between a store read and write, the last write winning. The
store may hold writes back: `handle_timers` has it write them every
`flush_interval`, and `flush` on shutdown.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from . import manscdp
from .catalog import CatalogCollector
from .config import SipConfig
from .digest import NonceSource
from .events import (
    Close,
    DeviceAddressChanged,
    DeviceInfoReceived,
    DeviceOffline,
    DeviceOnline,
    Event,
    KeepaliveReceived,
    Output,
    Peer,
    QueryFailed,
    RegistrationReplaced,
    Send,
)
from .grammar import SipSyntaxError
from .message import Header, Request, Response
from .parser import ParseError, StreamParser, parse_datagram
from .ports import CredentialsLookup, Registration, RegistrationStore
from .registrar import Registrar
from .responses import build_response
from .serializer import serialize
from .throttle import FailureThrottle
from .transaction import (
    MAGIC_COOKIE,
    ClientTransactions,
    ServerTransactions,
    server_key,
)

ALLOW = "REGISTER, MESSAGE, OPTIONS"


class DeviceNotRegistered(LookupError):
    """A request to a device that has no live registration."""


@dataclass(frozen=True)
class QueryContext:
    device_id: str
    cmd_type: str
    sn: int


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: tuple[Header, ...] = ()
    events: tuple[Event, ...] = ()
    follow_up: tuple[Output, ...] = ()


class SipCore:
    def __init__(
        self,
        config: SipConfig,
        credentials: CredentialsLookup,
        store: RegistrationStore,
        nonces: NonceSource,
        clock: Callable[[], float] = time.time,
        new_token: Callable[[], str] = lambda: secrets.token_hex(8),
    ) -> None:
        self.config = config
        self._credentials = credentials
        self._store = store
        self._clock = clock
        self._new_token = new_token
        throttle = FailureThrottle(
            clock,
            config.max_auth_failures,
            config.auth_failure_window,
            config.auth_lockout,
        )
        self._registrar = Registrar(config, credentials, store, nonces, throttle, clock)
        self._server = ServerTransactions(clock)
        self._client = ClientTransactions(clock)
        self._catalog = CatalogCollector(config.catalog_quiet_timeout, clock)
        self._streams: dict[int, StreamParser] = {}
        self._sn = itertools.count(1)
        self._next_sweep = clock() + config.sweep_interval
        self._next_flush = clock() + config.flush_interval

    # Bytes in.

    def receive_datagram(self, data: bytes, source: Peer) -> list[Output]:
        """One UDP datagram; malformed ones are dropped without an answer."""
        try:
            message = parse_datagram(data, self.config.limits)
        except ParseError:
            return []
        return self._receive(message, data, source)

    def receive_stream(self, data: bytes, source: Peer) -> list[Output]:
        """Bytes read from a TCP connection; `source.connection_id` is required."""
        assert source.connection_id is not None
        parser = self._streams.get(source.connection_id)
        if parser is None:
            parser = self._streams[source.connection_id] = StreamParser(
                self.config.limits
            )
        try:
            messages = parser.feed(data)
        except ParseError:
            del self._streams[source.connection_id]
            return [Close(source), *self.connection_closed(source)]
        outputs: list[Output] = []
        for message in messages:
            outputs.extend(self._receive(message, serialize(message), source))
        return outputs

    def connection_closed(self, peer: Peer) -> list[Output]:
        """A TCP connection went away: devices registered over it are gone.

        This scans every registration, which is fine for rare closes but
        slow with a remote store and tens of thousands of devices.
        """
        self._streams.pop(peer.connection_id or -1, None)
        outputs: list[Output] = []
        for registration in self._store.all():
            if registration.peer.is_reliable and registration.peer == peer:
                self._store.delete(registration.device_id)
                if registration.online:
                    outputs.append(
                        DeviceOffline(
                            registration.device_id,
                            "connection_closed",
                            registration.last_seen,
                        )
                    )
        return outputs

    def is_reading_message(self, connection_id: int) -> bool:
        """Whether a TCP connection holds part of a message (for idle timeouts)."""
        parser = self._streams.get(connection_id)
        return parser is not None and parser.in_message

    # Time.

    def next_deadline(self) -> float:
        deadlines = [
            self._next_sweep,
            self._next_flush,
            self._client.next_deadline(),
            self._catalog.next_deadline(),
        ]
        return min(deadline for deadline in deadlines if deadline is not None)

    def handle_timers(self) -> list[Output]:
        # Store work first: if it raises, no retransmission is lost with it.
        now = self._clock()
        lapses: list[Output] = []
        if now >= self._next_sweep:
            # The sweep writes what the store holds back first.
            self._next_sweep = now + self.config.sweep_interval
            self._next_flush = now + self.config.flush_interval
            lapses.extend(self._sweep())
        elif now >= self._next_flush:
            self._next_flush = now + self.config.flush_interval
            self._store.flush()
        sends, timed_out = self._client.fire()
        outputs: list[Output] = list(sends)
        outputs.extend(_query_failed(outcome.context, None) for outcome in timed_out)
        outputs.extend(self._catalog.expire())
        self._server.expire()
        outputs.extend(lapses)
        return outputs

    def flush(self) -> int:
        """Write what the store holds back, as on shutdown; how many rows."""
        return self._store.flush()

    # Requests to devices.

    def query_catalog(self, device_id: str) -> list[Output]:
        return [self._query(device_id, "Catalog")]

    def query_device_info(self, device_id: str) -> list[Output]:
        return [self._query(device_id, "DeviceInfo")]

    # State.

    def registration(self, device_id: str) -> Registration | None:
        registration = self._store.get(device_id)
        if registration is None or not registration.is_live(self._clock()):
            return None
        return registration

    def is_online(self, device_id: str) -> bool:
        registration = self.registration(device_id)
        return registration is not None and registration.online

    def channels(self, device_id: str) -> tuple[manscdp.CatalogItem, ...]:
        return self._catalog.channels(device_id)

    # Inside.

    def _receive(self, message: object, raw: bytes, source: Peer) -> list[Output]:
        if isinstance(message, Response):
            return self._on_response(message)
        assert isinstance(message, Request)
        try:
            message.check_required_headers()
            key = server_key(message)
        except SipSyntaxError:
            return self._bad_request(message, source)
        if message.method == "ACK":
            return []
        cached = self._server.cached_response(key, raw)
        if cached is not None:
            return [Send(cached, source)]
        answer = self._answer(message, source)
        response = build_response(
            message,
            answer.status,
            source,
            headers=answer.headers,
            server=self.config.server_name,
        )
        data = serialize(response)
        self._server.remember(key, raw, data)
        return [Send(data, source), *answer.events, *answer.follow_up]

    def _answer(self, request: Request, source: Peer) -> _Answer:
        if request.method == "REGISTER":
            return self._on_register(request, source)
        if request.method == "MESSAGE":
            return self._on_message(request, source)
        if request.method == "OPTIONS":
            return _Answer(200, (("Allow", ALLOW),))
        return _Answer(405, (("Allow", ALLOW),))

    def _on_register(self, request: Request, source: Peer) -> _Answer:
        outcome = self._registrar.register(request, source)
        for event in outcome.events:
            if isinstance(event, RegistrationReplaced):
                self._forget_open_work(event.device_id)
        follow_up: tuple[Output, ...] = ()
        if outcome.new_binding and self.config.query_catalog_on_register:
            device_id = request.to.uri.user or ""
            follow_up = (self._query(device_id, "Catalog"),)
        return _Answer(outcome.status, outcome.headers, outcome.events, follow_up)

    def _on_message(self, request: Request, source: Peer) -> _Answer:
        # GB/T 28181-2016 §A.1: MANSCDP bodies travel as this content type.
        if request.content_type != manscdp.CONTENT_TYPE.lower():
            return _Answer(415)
        try:
            body = manscdp.parse(request.body)
        except manscdp.ManscdpError:
            return _Answer(400)
        device_id = request.from_.uri.user or ""
        registration = self.registration(device_id)
        if isinstance(body, manscdp.Keepalive):
            if registration is None:
                # No live registration: refuse, so that the device's
                # keepalive failure count makes it register again.
                return _Answer(403)
            return _Answer(200, events=self._seen(registration, source, True))
        if registration is not None:
            events = self._seen(registration, source, False)
        elif self._credentials.secret_for(device_id) is not None:
            events = []
        else:
            # Unknown sender: acknowledge, so it stops resending, and drop.
            return _Answer(200)
        events.extend(self._on_manscdp(device_id, body))
        return _Answer(200, events=tuple(events))

    def _on_manscdp(self, device_id: str, body: manscdp.Manscdp) -> list[Event]:
        if isinstance(body, manscdp.CatalogResponse):
            synced = self._catalog.add(device_id, body)
            return [] if synced is None else [synced]
        if isinstance(body, manscdp.DeviceInfoResponse):
            return [DeviceInfoReceived(device_id, body.info)]
        return []

    def _seen(
        self, registration: Registration, source: Peer, keepalive: bool
    ) -> list[Event]:
        now = self._clock()
        events: list[Event] = []
        if registration.peer != source:
            events.append(
                DeviceAddressChanged(registration.device_id, registration.peer, source)
            )
        if not registration.online:
            events.append(DeviceOnline(registration.device_id, source))
        if keepalive:
            events.append(KeepaliveReceived(registration.device_id, now))
        self._store.put(replace(registration, peer=source, last_seen=now, online=True))
        return events

    def _on_response(self, response: Response) -> list[Output]:
        try:
            outcome = self._client.receive(response)
        except SipSyntaxError:
            return []
        if outcome is None or outcome.status is None or outcome.status < 300:
            return []
        return [_query_failed(outcome.context, outcome.status)]

    def _bad_request(self, request: Request, source: Peer) -> list[Output]:
        try:
            response = build_response(request, 400, source)
        except SipSyntaxError:
            return []
        return [Send(serialize(response), source)]

    def _query(self, device_id: str, cmd_type: str) -> Send:
        registration = self.registration(device_id)
        if registration is None:
            raise DeviceNotRegistered(device_id)
        sn = next(self._sn)
        branch = MAGIC_COOKIE + self._new_token()
        request = self._message_request(registration, branch, sn, cmd_type)
        context = QueryContext(device_id, cmd_type, sn)
        return self._client.start(
            branch, serialize(request), registration.peer, context
        )

    def _message_request(
        self, registration: Registration, branch: str, sn: int, cmd_type: str
    ) -> Request:
        config, peer = self.config, registration.peer
        device_id = registration.device_id
        via = f"SIP/2.0/{peer.transport} {config.advertised_host}"
        headers: tuple[Header, ...] = (
            ("Via", f"{via}:{config.advertised_port};rport;branch={branch}"),
            (
                "From",
                f"<sip:{config.platform_id}@{config.domain}>;tag={self._new_token()}",
            ),
            ("To", f"<sip:{device_id}@{config.domain}>"),
            ("Call-ID", f"{self._new_token()}@{config.advertised_host}"),
            ("CSeq", f"{sn} MESSAGE"),
            ("Max-Forwards", "70"),
            ("User-Agent", config.server_name),
            ("Content-Type", manscdp.CONTENT_TYPE),
        )
        body = manscdp.build_query(cmd_type, sn, device_id)
        uri = f"sip:{device_id}@{peer.host}:{peer.port}"
        return Request(headers, body, "MESSAGE", uri)

    def _forget_open_work(self, device_id: str) -> None:
        self._client.drop_where(
            lambda context: getattr(context, "device_id", None) == device_id
        )

    def _sweep(self) -> list[Output]:
        """GB/T 28181-2016 §9.6.1: offline after missed keepalives or expiry."""
        lapses = self._store.sweep(self._clock(), self.config.keepalive_timeout)
        return [
            DeviceOffline(lapse.device_id, lapse.reason, lapse.last_seen)
            for lapse in lapses
        ]


def _query_failed(context: object, status: int | None) -> QueryFailed:
    assert isinstance(context, QueryContext)
    return QueryFailed(context.device_id, context.cmd_type, context.sn, status)
