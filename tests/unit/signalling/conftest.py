from pathlib import Path

import pytest

from services.signalling.config import SipConfig
from services.signalling.core import SipCore
from services.signalling.digest import FixedNonceSource
from services.signalling.events import Peer, Send
from services.signalling.ports import (
    InMemoryCredentials,
    InMemoryRegistrationStore,
    Registration,
)
from tests.support.factories import FIXTURES

REPO = Path(__file__).resolve().parents[3]
SIP_FIXTURES = FIXTURES / "sip"

PLATFORM_ID = "34020000002000000001"
DOMAIN = "3402000000"
CAMERA_ID = "34020000001320000001"
CAMERA_PASSWORD = "12345678"
NVR_ID = "34020000001180000001"
FIXED_NONCE = "0123456789abcdef0123456789abcdef"
# 2026-12-04 15:04:05 in Asia/Shanghai.
START = 1796367845.0
SOURCE = Peer("UDP", "127.0.0.1", 40000)


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Tokens:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return f"t{self.count:04d}"


def fixture_bytes(name: str) -> bytes:
    return (SIP_FIXTURES / name).read_bytes()


def sends(outputs: list) -> list[Send]:
    return [output for output in outputs if isinstance(output, Send)]


def events_of(outputs: list, kind: type) -> list:
    return [output for output in outputs if isinstance(output, kind)]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def credentials() -> InMemoryCredentials:
    lookup = InMemoryCredentials()
    lookup.add_password(CAMERA_ID, CAMERA_PASSWORD)
    lookup.add_password(NVR_ID, "nvr-password")
    return lookup


@pytest.fixture
def store(clock: FakeClock) -> InMemoryRegistrationStore:
    registrations = InMemoryRegistrationStore()
    registrations.put(
        Registration(
            device_id=NVR_ID,
            call_id="nvr-call",
            cseq=1,
            contact=f"<sip:{NVR_ID}@127.0.0.1:5070>",
            peer=Peer("UDP", "127.0.0.1", 5070),
            registered_at=clock(),
            expires_at=clock() + 3600,
            last_seen=clock(),
        )
    )
    return registrations


@pytest.fixture
def config() -> SipConfig:
    return SipConfig(
        platform_id=PLATFORM_ID,
        domain=DOMAIN,
        query_catalog_on_register=False,
    )


@pytest.fixture
def make_core(config, credentials, store, clock):
    def make(**overrides) -> SipCore:
        settings = {
            "config": config,
            "credentials": credentials,
            "store": store,
            "nonces": FixedNonceSource(FIXED_NONCE),
            "clock": clock,
            "new_token": Tokens(),
            **overrides,
        }
        return SipCore(**settings)

    return make


@pytest.fixture
def core(make_core) -> SipCore:
    return make_core()
