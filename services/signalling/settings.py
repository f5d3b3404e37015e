"""The service's settings, read once per process from config or environment."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from services.common.config import flag, setting
from services.common.logging import get_logger

from .config import SipConfig
from .transport import TransportSettings, parse_address

log = get_logger(__name__, service="signalling")


@dataclass(frozen=True)
class ServiceSettings:
    sip: SipConfig
    transport: TransportSettings
    nonce_secret: bytes
    fixed_nonce: str | None
    # Embedded mode: a port already taken is logged, not fatal.
    bind_optional: bool
    credentials_ttl: float


def load() -> ServiceSettings:
    host, port = parse_address(str(setting("SIP_ADDRESS", "0.0.0.0:5060")))
    return ServiceSettings(
        sip=sip_config(port),
        transport=TransportSettings(host=host, port=port),
        nonce_secret=_nonce_secret(),
        fixed_nonce=_fixed_nonce(),
        bind_optional=flag("SIP_BIND_OPTIONAL", False),
        credentials_ttl=float(setting("SIP_CREDENTIALS_TTL", 30)),
    )


def sip_config(port: int) -> SipConfig:
    return SipConfig(
        platform_id=str(setting("SIP_SERVER_ID", "11010000902007000001")),
        domain=str(setting("SIP_DOMAIN", "1101000090")),
        advertised_host=str(setting("SIP_PUBLIC_HOST", "127.0.0.1")),
        advertised_port=int(setting("SIP_PUBLIC_PORT", port)),
        default_expires=int(setting("SIP_DEFAULT_EXPIRES", 3600)),
        keepalive_interval=float(setting("SIP_KEEPALIVE_INTERVAL", 60)),
        keepalive_max_missed=int(setting("SIP_KEEPALIVE_MAX_MISSED", 3)),
        send_date_header=flag("SIP_SEND_DATE", True),
        sweep_interval=float(setting("SIP_SWEEP_INTERVAL", 5)),
        catalog_quiet_timeout=float(setting("SIP_CATALOG_QUIET_TIMEOUT", 10)),
    )


def _nonce_secret() -> bytes:
    value = setting("SIP_NONCE_SECRET")
    if value:
        return str(value).encode()
    if not flag("SIP_GENERATE_NONCE_SECRET", False):
        raise RuntimeError(
            "SIP_NONCE_SECRET must be set (no default outside embedded mode)"
        )
    # Nonces then die with the process: devices simply get a new challenge.
    return secrets.token_bytes(32)


def _fixed_nonce() -> str | None:
    value = setting("SIP_FIXED_NONCE")
    if not value:
        return None
    if not flag("SIP_ALLOW_FIXED_NONCE", False):
        raise RuntimeError("SIP_FIXED_NONCE needs SIP_ALLOW_FIXED_NONCE=true")
    log.warning("sip_fixed_nonce_in_use", detail="captured REGISTERs can be replayed")
    return str(value)
