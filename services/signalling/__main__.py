"""A standalone SIP server with in-memory ports, for trials and interop.

    python -m services.signalling --address 127.0.0.1:5060 --fixtures

`--database URL` keeps registrations in a table as the service does.
`--fixtures` sets up the world of the shared SIP fixtures: their platform
id and domain, the camera's password, the NVR taken as registered and the
fixed nonce. `--cameras N` adds passwords for simulated cameras.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import time
from collections.abc import Sequence

import eventlet

from services.common.db import make_engine
from services.common.logging import configure_logging

from .camera import device_ids
from .config import SipConfig
from .core import SipCore
from .digest import FixedNonceSource, HmacNonceSource, NonceSource
from .events import Peer
from .ports import (
    InMemoryCredentials,
    InMemoryRegistrationStore,
    Registration,
    RegistrationStore,
)
from .store import SqlRegistrationStore, metadata
from .transport import SipTransport, TransportSettings, parse_address

FIXTURE_PLATFORM_ID = "34020000002000000001"
FIXTURE_DOMAIN = "3402000000"
FIXTURE_CAMERA = ("34020000001320000001", "12345678")
FIXTURE_NVR = "34020000001180000001"
FIXTURE_NONCE = "0123456789abcdef0123456789abcdef"


def build_core(args: argparse.Namespace) -> SipCore:
    host, port = parse_address(args.address)
    config = SipConfig(
        platform_id=FIXTURE_PLATFORM_ID if args.fixtures else args.platform_id,
        domain=FIXTURE_DOMAIN if args.fixtures else args.domain,
        advertised_host=args.advertised_host or host,
        advertised_port=port,
        query_catalog_on_register=not args.no_catalog_query,
        keepalive_interval=args.keepalive_interval,
        keepalive_max_missed=args.keepalive_max_missed,
    )
    credentials = InMemoryCredentials()
    store = _store(args.database)
    for device_id in device_ids(args.cameras, args.first_id):
        credentials.add_password(device_id, args.password)
    nonces: NonceSource = HmacNonceSource(secrets.token_bytes(16), time.time)
    if args.fixtures:
        credentials.add_password(*FIXTURE_CAMERA)
        _assume_registered(store, FIXTURE_NVR)
        nonces = FixedNonceSource(FIXTURE_NONCE)
    return SipCore(config, credentials, store, nonces)


def _store(url: str | None) -> RegistrationStore:
    if not url:
        return InMemoryRegistrationStore()
    engine = make_engine(url)
    metadata.create_all(engine)
    store = SqlRegistrationStore(engine)
    store.load(time.time())
    return store


def _assume_registered(store: RegistrationStore, device_id: str) -> None:
    now = time.time()
    store.put(
        Registration(
            device_id=device_id,
            call_id="assumed",
            cseq=0,
            contact="",
            peer=Peer("UDP", "127.0.0.1", 9),
            registered_at=now,
            expires_at=now + 365 * 86_400,
            last_seen=now + 365 * 86_400,
        )
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--address", default=os.environ.get("SIP_ADDRESS", "0.0.0.0:5060")
    )
    parser.add_argument("--advertised-host", default=None)
    parser.add_argument("--platform-id", default=SipConfig.platform_id)
    parser.add_argument("--domain", default=SipConfig.domain)
    parser.add_argument("--fixtures", action="store_true")
    parser.add_argument("--cameras", type=int, default=0)
    parser.add_argument("--first-id", default="34020000001320000001")
    parser.add_argument("--password", default="12345678")
    parser.add_argument("--no-catalog-query", action="store_true")
    parser.add_argument("--keepalive-interval", type=float, default=60.0)
    parser.add_argument("--keepalive-max-missed", type=int, default=3)
    parser.add_argument("--database", default=None, help="SQLAlchemy URL")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    host, port = parse_address(args.address)
    core = build_core(args)
    transport = SipTransport(core, TransportSettings(host=host, port=port))
    # The handler runs in whichever green thread is current, so it only
    # asks; this loop stops the transport and writes what the store holds.
    signal.signal(signal.SIGTERM, _ask_to_stop)
    transport.start()
    try:
        while not _stop_asked:
            eventlet.sleep(0.2)
    finally:
        transport.stop()
        core.flush()


_stop_asked = False


def _ask_to_stop(signum: int, frame: object) -> None:
    global _stop_asked
    _stop_asked = True


if __name__ == "__main__":
    main()
