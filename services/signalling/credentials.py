"""Device passwords from the devices service, by RPC, with a short cache."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import eventlet
from nameko.exceptions import RemoteError

from services.common.logging import get_logger

from .ports import DeviceSecret

log = get_logger(__name__, service="signalling")

# What a lookup answers: the devices service's `sip_credentials` result.
Fetch = Callable[[str], dict[str, Any]]


class RpcCredentials:
    """`CredentialsLookup` over `devices.sip_credentials`.

    Known devices are remembered for `ttl` seconds and unknown ones for a
    fifth of that, so a changed password reaches the registrar that late.
    A lookup that fails or times out counts as unknown for this request.
    """

    def __init__(
        self,
        fetch: Fetch,
        realm: str,
        ttl: float = 30.0,
        timeout: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 100_000,
    ) -> None:
        self._fetch = fetch
        self._realm = realm
        self._ttl = ttl
        self._timeout = timeout
        self._clock = clock
        self._max_entries = max_entries
        self._cache: dict[str, tuple[DeviceSecret | None, float]] = {}

    def secret_for(self, device_id: str) -> DeviceSecret | None:
        cached = self._cache.get(device_id)
        if cached is not None and cached[1] > self._clock():
            return cached[0]
        secret, keep = self._lookup(device_id)
        if keep:
            self._remember(device_id, secret)
        return secret

    def forget(self, device_id: str) -> None:
        self._cache.pop(device_id, None)

    def _lookup(self, device_id: str) -> tuple[DeviceSecret | None, bool]:
        try:
            with eventlet.Timeout(self._timeout):
                answer = self._fetch(device_id)
        except RemoteError as error:
            if error.exc_type == "NotFound":
                return None, True
            log.warning("credentials_lookup_failed", device_id=device_id)
            return None, False
        except eventlet.Timeout:
            log.warning("credentials_lookup_timed_out", device_id=device_id)
            return None, False
        if answer.get("realm") != self._realm:
            # The HA1 was made for another realm and can never match.
            log.error("credentials_realm_mismatch", device_id=device_id)
            return None, False
        return DeviceSecret(ha1=str(answer["ha1"])), True

    def _remember(self, device_id: str, secret: DeviceSecret | None) -> None:
        ttl = self._ttl if secret is not None else self._ttl / 5
        if len(self._cache) >= self._max_entries:
            self._cache.clear()
        self._cache[device_id] = (secret, self._clock() + ttl)
