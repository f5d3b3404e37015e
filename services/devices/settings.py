"""The registry's settings, read once per process from config or environment."""

from __future__ import annotations

import re
from dataclasses import dataclass

from contracts.devices import SipPlatform
from services.common.config import setting


@dataclass(frozen=True)
class CodeDigits:
    """The configured digits of GB/T 28181 codes: industry (2), network (1)."""

    industry: str = "00"
    network: str = "0"

    def __post_init__(self):
        if not re.fullmatch(r"\d{2}", self.industry):
            raise RuntimeError("DEVICE_CODE_INDUSTRY must be two digits")
        if not re.fullmatch(r"\d", self.network):
            raise RuntimeError("DEVICE_CODE_NETWORK must be one digit")


def code_digits() -> CodeDigits:
    return CodeDigits(
        industry=str(setting("DEVICE_CODE_INDUSTRY", "00")),
        network=str(setting("DEVICE_CODE_NETWORK", "0")),
    )


def sip_platform() -> SipPlatform:
    return SipPlatform(
        server_id=str(setting("SIP_SERVER_ID", "11010000902007000001")),
        domain=str(setting("SIP_DOMAIN", "1101000090")),
        host=str(setting("SIP_PUBLIC_HOST", "127.0.0.1")),
        port=int(setting("SIP_PUBLIC_PORT", _bound_port())),
    )


def _bound_port() -> int:
    """The SIP server's own port, when no public one is configured."""
    address = str(setting("SIP_ADDRESS", "0.0.0.0:5060"))
    return int(address.rsplit(":", 1)[1])
