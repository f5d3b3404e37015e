"""Settings of the SIP core; the service fills them from the environment."""

from __future__ import annotations

from dataclasses import dataclass, field

from .parser import Limits


@dataclass(frozen=True)
class SipConfig:
    # GB/T 28181-2016 §4.1: the platform's own 20-digit code and its domain,
    # which is also the digest realm.
    platform_id: str = "11010000902007000001"
    domain: str = "1101000090"
    # Address written into Via and From of requests we send.
    advertised_host: str = "127.0.0.1"
    advertised_port: int = 5060
    default_expires: int = 3600
    max_expires: int = 86_400
    keepalive_interval: float = 60.0
    keepalive_max_missed: int = 3
    # Cameras set their clocks from the Date of the 200 OK to REGISTER.
    send_date_header: bool = True
    date_timezone: str = "Asia/Shanghai"
    query_catalog_on_register: bool = True
    catalog_quiet_timeout: float = 10.0
    max_auth_failures: int = 5
    auth_failure_window: float = 60.0
    auth_lockout: float = 300.0
    sweep_interval: float = 1.0
    # How often bindings the store holds back are written (see store.py).
    flush_interval: float = 0.15
    server_name: str = "Hotwork"
    limits: Limits = field(default_factory=Limits)

    @property
    def keepalive_timeout(self) -> float:
        return self.keepalive_interval * self.keepalive_max_missed
