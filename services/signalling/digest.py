"""HTTP digest authentication for REGISTER (RFC 3261 §22.4, RFC 2617)."""

from __future__ import annotations

import enum
import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from .grammar import SipSyntaxError, split_top_level, unquote


@dataclass(frozen=True)
class DigestCredentials:
    """The fields of an `Authorization: Digest ...` header."""

    username: str
    realm: str
    nonce: str
    uri: str
    response: str
    algorithm: str = "MD5"
    qop: str | None = None
    nc: str | None = None
    cnonce: str | None = None


def parse_authorization(value: str) -> DigestCredentials:
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "digest":
        raise SipSyntaxError("not a digest Authorization")
    fields: dict[str, str] = {}
    for part in split_top_level(rest, ","):
        name, equals, raw = part.strip().partition("=")
        if equals:
            fields[name.strip().lower()] = unquote(raw)
    try:
        return DigestCredentials(
            username=fields["username"],
            realm=fields["realm"],
            nonce=fields["nonce"],
            uri=fields["uri"],
            response=fields["response"].lower(),
            algorithm=fields.get("algorithm", "MD5"),
            qop=fields.get("qop"),
            nc=fields.get("nc"),
            cnonce=fields.get("cnonce"),
        )
    except KeyError as missing:
        raise SipSyntaxError(f"digest without {missing}") from None


def challenge(realm: str, nonce: str, *, stale: bool = False) -> str:
    """A WWW-Authenticate value; some Dahua firmware needs `algorithm=MD5`."""
    value = f'Digest realm="{realm}", nonce="{nonce}", qop="auth", algorithm=MD5'
    return value + ", stale=true" if stale else value


def md5_hex(text: str) -> str:
    return hashlib.md5(_raw(text)).hexdigest()


def ha1_of(username: str, realm: str, password: str) -> str:
    return md5_hex(f"{username}:{realm}:{password}")


def expected_response(ha1: str, method: str, credentials: DigestCredentials) -> str:
    # RFC 2617 §3.2.2.3: A2 hashes the uri the client sent, not ours.
    ha2 = md5_hex(f"{method}:{credentials.uri}")
    if credentials.qop is None:
        # RFC 2069 form: no qop means the short formula.
        return md5_hex(f"{ha1}:{credentials.nonce}:{ha2}")
    return md5_hex(
        f"{ha1}:{credentials.nonce}:{credentials.nc}:{credentials.cnonce}"
        f":{credentials.qop}:{ha2}"
    )


def is_supported(credentials: DigestCredentials) -> bool:
    return credentials.algorithm.upper() == "MD5" and credentials.qop in (
        None,
        "auth",
    )


def response_matches(ha1: str, method: str, credentials: DigestCredentials) -> bool:
    expected = expected_response(ha1, method, credentials)
    return same_text(expected, credentials.response)


def same_text(left: str, right: str) -> bool:
    """Constant-time comparison that also takes non-ASCII input."""
    return hmac.compare_digest(_raw(left), _raw(right))


def _raw(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogateescape")


class NonceState(enum.Enum):
    VALID = "valid"
    STALE = "stale"
    UNKNOWN = "unknown"


class NonceSource(Protocol):
    """Issues nonces and says whether one it sees is still good."""

    def issue(self) -> str: ...

    def check(self, nonce: str) -> NonceState: ...


class FixedNonceSource:
    """Always the same nonce; for tests and captured fixtures."""

    def __init__(self, nonce: str) -> None:
        self._nonce = nonce

    def issue(self) -> str:
        return self._nonce

    def check(self, nonce: str) -> NonceState:
        valid = same_text(nonce, self._nonce)
        return NonceState.VALID if valid else NonceState.UNKNOWN


class HmacNonceSource:
    """Stateless nonces: issue time and salt, signed with a shared secret.

    Replicas that share the secret accept each other's nonces. Nonce counts
    are not tracked, so a captured REGISTER can be replayed until its nonce
    goes stale.
    """

    def __init__(
        self,
        secret: bytes,
        clock: Callable[[], float],
        lifetime: float = 300.0,
    ) -> None:
        self._signer = hmac.new(secret, digestmod=hashlib.sha256)
        self._clock = clock
        self._lifetime = lifetime

    def issue(self) -> str:
        stamp = f"{int(self._clock()):08x}{os.urandom(4).hex()}"
        return stamp + self._sign(stamp)

    def check(self, nonce: str) -> NonceState:
        stamp, signature = nonce[:16], nonce[16:]
        if len(nonce) != 32 or not same_text(signature, self._sign(stamp)):
            return NonceState.UNKNOWN
        age = self._clock() - int(stamp[:8], 16)
        return NonceState.VALID if 0 <= age <= self._lifetime else NonceState.STALE

    def _sign(self, stamp: str) -> str:
        signer = self._signer.copy()
        signer.update(stamp.encode())
        return signer.hexdigest()[:16]
