"""REGISTER handling: digest authentication and bindings (RFC 3261 §10.3,
GB/T 28181-2016 §9.1.2)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from . import digest
from .config import SipConfig
from .digest import DigestCredentials, NonceSource, NonceState
from .events import (
    AuthenticationFailed,
    DeviceAddressChanged,
    DeviceOffline,
    DeviceOnline,
    DeviceRegistered,
    Event,
    Peer,
    RegistrationReplaced,
)
from .grammar import NameAddr, SipSyntaxError, parse_name_addr
from .message import Header, Request
from .ports import CredentialsLookup, Registration, RegistrationStore
from .throttle import FailureThrottle

# GB/T 28181-2016 Annex D: 20 digits; digits 11-13 are the type code, and
# 111-199 are front-end devices, 200-299 platforms that register upward.
_DEVICE_ID = re.compile(r"^[0-9]{20}$")


def is_device_id(text: str) -> bool:
    return bool(_DEVICE_ID.match(text)) and 111 <= int(text[10:13]) <= 299


@dataclass(frozen=True)
class RegisterOutcome:
    """The status and headers to answer with, and what happened."""

    status: int
    headers: tuple[Header, ...] = ()
    events: tuple[Event, ...] = ()
    new_binding: bool = False


class Registrar:
    def __init__(
        self,
        config: SipConfig,
        credentials: CredentialsLookup,
        store: RegistrationStore,
        nonces: NonceSource,
        throttle: FailureThrottle,
        clock: Callable[[], float],
    ) -> None:
        self._config = config
        self._credentials = credentials
        self._store = store
        self._nonces = nonces
        self._throttle = throttle
        self._clock = clock
        self._zone = ZoneInfo(config.date_timezone)
        # The Date text up to the second, and the second it is for.
        self._date_second: int | None = None
        self._date_prefix = ""

    def register(self, request: Request, source: Peer) -> RegisterOutcome:
        device_id = request.to.uri.user or ""
        if not is_device_id(device_id):
            return RegisterOutcome(403)
        failure_key = (device_id, source.host)
        if self._throttle.is_locked(failure_key):
            return RegisterOutcome(403)
        secret = self._credentials.secret_for(device_id)
        if secret is None:
            return RegisterOutcome(403)
        credentials = _credentials_of(request)
        if credentials is None or not self._fits_challenge(credentials):
            return self._challenge(stale=False)
        nonce_state = self._nonces.check(credentials.nonce)
        if nonce_state is NonceState.UNKNOWN:
            return self._challenge(stale=False)
        ha1 = secret.ha1_for(credentials.username, credentials.realm)
        valid = ha1 is not None and digest.response_matches(
            ha1, request.method, credentials
        )
        if not valid or credentials.username != device_id:
            return self._refuse(failure_key)
        if nonce_state is NonceState.STALE:
            # RFC 2617 §3.2.1: right password, old nonce: ask again, stale.
            return self._challenge(stale=True)
        self._throttle.clear(failure_key)
        return self._bind(request, source, device_id)

    def _fits_challenge(self, credentials: DigestCredentials) -> bool:
        return credentials.realm == self._config.domain and digest.is_supported(
            credentials
        )

    def _challenge(self, *, stale: bool) -> RegisterOutcome:
        value = digest.challenge(self._config.domain, self._nonces.issue(), stale=stale)
        return RegisterOutcome(401, (("WWW-Authenticate", value),))

    def _refuse(self, failure_key: tuple[str, str]) -> RegisterOutcome:
        # A wrong password gets 403, not 401: devices answer a 401 at once.
        failures = self._throttle.record_failure(failure_key)
        locked = self._throttle.is_locked(failure_key)
        event = AuthenticationFailed(*failure_key, failures, locked)
        return RegisterOutcome(403, events=(event,))

    def _bind(self, request: Request, source: Peer, device_id: str) -> RegisterOutcome:
        contacts = request.header_values("Contact")
        address: NameAddr | None = None
        if contacts and contacts[0] != "*":
            try:
                address = parse_name_addr(contacts[0])
            except SipSyntaxError:
                return RegisterOutcome(400)
        expires = self._expires(request, address)
        if expires is None:
            return RegisterOutcome(400)
        previous = self._store.get(device_id)
        call_id, (cseq, _) = request.call_id, request.cseq
        if previous and previous.call_id == call_id and cseq < previous.cseq:
            # RFC 3261 §10.3 step 7: an older request of the same binding.
            return RegisterOutcome(500)
        if expires == 0:
            return self._unbind(device_id, previous)
        contact = contacts[0] if contacts and contacts[0] != "*" else ""
        now = self._clock()
        registration = Registration(
            device_id=device_id,
            call_id=call_id,
            cseq=cseq,
            contact=contact,
            peer=source,
            registered_at=now,
            expires_at=now + expires,
            last_seen=now,
        )
        self._store.put(registration)
        events = _binding_events(previous, registration, now)
        replaced = any(isinstance(event, RegistrationReplaced) for event in events)
        new_binding = previous is None or replaced or not previous.is_live(now)
        headers = self._ok_headers(address, expires)
        return RegisterOutcome(200, headers, tuple(events), new_binding)

    def _unbind(self, device_id: str, previous: Registration | None) -> RegisterOutcome:
        self._store.delete(device_id)
        events: tuple[Event, ...] = ()
        if previous is not None and previous.online:
            offline = DeviceOffline(device_id, "unregistered", previous.last_seen)
            events = (offline,)
        return RegisterOutcome(200, self._date_header(), events)

    def _expires(self, request: Request, contact: NameAddr | None) -> int | None:
        """Contact `expires`, then Expires, then the default (§10.2.1.1)."""
        value = contact.params.get("expires") if contact is not None else None
        if value is None:
            value = request.header("Expires")
        if value is None:
            return self._config.default_expires
        value = value.strip()
        if not value.isdigit() or len(value) > 10:
            return None
        return min(int(value), self._config.max_expires)

    def _ok_headers(self, contact: NameAddr | None, expires: int) -> tuple[Header, ...]:
        headers: list[Header] = []
        if contact is not None:
            params = {**contact.params, "expires": str(expires)}
            value = NameAddr(contact.uri, contact.display_name, params)
            headers.append(("Contact", str(value)))
        headers.append(("Expires", str(expires)))
        headers.extend(self._date_header())
        return tuple(headers)

    def _date_header(self) -> tuple[Header, ...]:
        if not self._config.send_date_header:
            return ()
        # GB/T 28181-2016 §9.10.2: local time with milliseconds, no zone.
        second, micros = divmod(round(self._clock() * 1_000_000), 1_000_000)
        if second != self._date_second:
            moment = datetime.fromtimestamp(second, self._zone)
            self._date_prefix = moment.strftime("%Y-%m-%dT%H:%M:%S.")
            self._date_second = second
        return (("Date", f"{self._date_prefix}{micros // 1000:03d}"),)


def _credentials_of(request: Request) -> DigestCredentials | None:
    value = request.header("Authorization")
    if value is None:
        return None
    try:
        return digest.parse_authorization(value)
    except SipSyntaxError:
        return None


def _binding_events(
    previous: Registration | None, current: Registration, now: float
) -> list[Event]:
    events: list[Event] = []
    if previous is not None and previous.call_id != current.call_id:
        events.append(
            RegistrationReplaced(current.device_id, previous.call_id, current.call_id)
        )
    refreshed = (
        previous is not None
        and previous.call_id == current.call_id
        and previous.is_live(now)
    )
    events.append(
        DeviceRegistered(
            current.device_id,
            current.call_id,
            current.peer,
            current.contact,
            int(current.expires_at - now),
            refreshed,
        )
    )
    if previous is not None and previous.peer != current.peer:
        events.append(
            DeviceAddressChanged(current.device_id, previous.peer, current.peer)
        )
    was_online = previous is not None and previous.online and previous.is_live(now)
    if not was_online:
        events.append(DeviceOnline(current.device_id, current.peer))
    return events
