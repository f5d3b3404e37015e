"""Bearer tokens: who the caller is and what they may reach.

Two roles: `enterprise`, bound to the company's unified social credit code,
and `regulator`, bound to the district codes they oversee.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from typing import Any, Literal

import jwt
from pydantic import Field, model_validator

from contracts.base import Contract
from contracts.errors import DomainError
from contracts.values import CreditCode, DistrictCode

ALGORITHM = "HS256"
ISSUER = "hotwork"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class TokenRequest(Contract):
    """What a token is minted for (embedded mode only)."""

    role: Literal["enterprise", "regulator"]
    credit_code: CreditCode | None = None
    districts: tuple[DistrictCode, ...] = ()
    subject: str | None = Field(default=None, max_length=64)
    ttl_seconds: int = Field(default=12 * 3600, ge=60, le=30 * 24 * 3600)

    @model_validator(mode="after")
    def _bound(self):
        if self.role == "enterprise" and not self.credit_code:
            raise ValueError("an enterprise token needs credit_code")
        if self.role == "regulator" and not self.districts:
            raise ValueError("a regulator token needs districts")
        return self


def mint(request: TokenRequest, key: str) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": request.subject or uuid.uuid4().hex,
        "iat": now,
        "exp": now + request.ttl_seconds,
        "role": request.role,
    }
    if request.role == "enterprise":
        claims["credit_code"] = request.credit_code
    else:
        claims["districts"] = list(request.districts)
    return jwt.encode(claims, key, algorithm=ALGORITHM)


# A client sends the same token with every request; checking its signature
# and claims each time is a good part of the gateway's work per request. A
# token that passed is remembered with its expiry, which is still checked on
# every use; a rejected one is not remembered.
_CACHE_SIZE = 4096
_accepted: OrderedDict[tuple[str, str], tuple[int, dict[str, Any]]] = OrderedDict()


def actor_from_header(header: str | None, key: str) -> dict[str, Any]:
    if not header or not header.startswith("Bearer "):
        raise Unauthenticated("a bearer token is required", field="Authorization")
    token = header.removeprefix("Bearer ").strip()
    cached = _accepted.get((token, key))
    if cached is not None and cached[0] > time.time():
        _accepted.move_to_end((token, key))
        return _copy(cached[1])
    actor, expires = _decode(token, key)
    _accepted[(token, key)] = (expires, actor)
    if len(_accepted) > _CACHE_SIZE:
        _accepted.popitem(last=False)
    return _copy(actor)


def _copy(actor: dict[str, Any]) -> dict[str, Any]:
    if "districts" in actor:
        return {**actor, "districts": list(actor["districts"])}
    return dict(actor)


def _decode(token: str, key: str) -> tuple[dict[str, Any], int]:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "role"]},
        )
    except jwt.PyJWTError as error:
        raise Unauthenticated(
            f"token rejected: {error}", field="Authorization"
        ) from None
    expires = claims["exp"]
    if claims["role"] == "enterprise" and claims.get("credit_code"):
        actor = {
            "role": "enterprise",
            "credit_code": claims["credit_code"],
            "subject": claims["sub"],
        }
        return actor, expires
    if claims["role"] == "regulator" and claims.get("districts"):
        actor = {
            "role": "regulator",
            "districts": list(claims["districts"]),
            "subject": claims["sub"],
        }
        return actor, expires
    raise Unauthenticated("token carries no usable role", field="Authorization")
