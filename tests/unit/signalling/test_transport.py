"""The eventlet transport on real loopback sockets."""

import os
import time

import eventlet
import pytest
from eventlet.green import socket

from services.signalling.core import SipCore
from services.signalling.digest import FixedNonceSource
from services.signalling.events import DeviceOffline, DeviceOnline
from services.signalling.parser import StreamParser, parse_datagram
from services.signalling.transport import SipTransport, TransportSettings

from .conftest import CAMERA_ID, FIXED_NONCE, fixture_bytes

REGISTER = fixture_bytes("register-digest-qop-auth.sip")
NAT_REGISTER = fixture_bytes("register-behind-nat.sip")


@pytest.fixture
def server(config, credentials, store):
    core = SipCore(config, credentials, store, FixedNonceSource(FIXED_NONCE))
    events = []
    settings = TransportSettings(host="127.0.0.1", port=0, message_timeout=0.5)
    transport = SipTransport(core, settings, events.append)
    transport.start()
    transport.events = events
    yield transport
    transport.stop()


def udp_exchange(address, data, timeout=2.0):
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.settimeout(timeout)
    try:
        client.sendto(data, address)
        return parse_datagram(client.recvfrom(65536)[0])
    finally:
        client.close()


def tcp_client(address):
    client = socket.create_connection(address, timeout=2.0)
    return client


def read_messages(client, count, timeout=2.0):
    parser = StreamParser()
    messages = []
    deadline = time.monotonic() + timeout
    while len(messages) < count and time.monotonic() < deadline:
        data = client.recv(65536)
        if not data:
            break
        messages.extend(parser.feed(data))
    return messages


def test_udp_register(server):
    response = udp_exchange(server.address, REGISTER)
    assert response.status == 200
    assert any(isinstance(event, DeviceOnline) for event in server.events)


def test_udp_survives_garbage(server):
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for size in (0, 1, 17, 1400, 65000):
        client.sendto(os.urandom(size), server.address)
    client.sendto(
        REGISTER.replace(b"Content-Length: 0", b"Content-Length: 900"), server.address
    )
    client.sendto(REGISTER[: len(REGISTER) // 2], server.address)
    client.close()
    eventlet.sleep(0.05)
    assert udp_exchange(server.address, NAT_REGISTER).status == 401


def test_tcp_several_messages_in_one_write(server):
    client = tcp_client(server.address)
    client.sendall(NAT_REGISTER + b"\r\n\r\n" + REGISTER)
    statuses = [message.status for message in read_messages(client, 2)]
    client.close()
    assert statuses == [401, 200]


def test_tcp_message_split_over_many_writes(server):
    client = tcp_client(server.address)
    for offset in range(0, len(REGISTER), 7):
        client.sendall(REGISTER[offset : offset + 7])
        eventlet.sleep(0)
    (response,) = read_messages(client, 1)
    client.close()
    assert response.status == 200


def test_tcp_oversized_headers_close_the_connection(server):
    client = tcp_client(server.address)
    client.sendall(b"REGISTER sip:x SIP/2.0\r\nX-Pad: " + b"a" * 65536)
    assert read_messages(client, 1) == []
    client.close()
    assert udp_exchange(server.address, REGISTER).status == 200


def test_tcp_slow_sender_is_cut_off(server):
    client = tcp_client(server.address)
    client.sendall(REGISTER[:40])
    eventlet.sleep(0.7)
    client.sendall(REGISTER[40:60])
    assert read_messages(client, 1) == []
    client.close()


def test_tcp_close_takes_the_device_offline(server):
    client = tcp_client(server.address)
    client.sendall(REGISTER.replace(b"SIP/2.0/UDP", b"SIP/2.0/TCP"))
    (response,) = read_messages(client, 1)
    assert response.status == 200
    assert server.core.is_online(CAMERA_ID)
    client.close()
    eventlet.sleep(0.1)
    assert not server.core.is_online(CAMERA_ID)
    assert DeviceOffline(CAMERA_ID, "connection_closed") in server.events


def test_catalog_query_reuses_the_tcp_connection(server):
    client = tcp_client(server.address)
    client.sendall(REGISTER.replace(b"SIP/2.0/UDP", b"SIP/2.0/TCP"))
    read_messages(client, 1)
    server.perform(server.core.query_catalog(CAMERA_ID))
    (query,) = read_messages(client, 1)
    client.close()
    assert query.method == "MESSAGE"
    assert b"<CmdType>Catalog</CmdType>" in query.body


class SlowCredentials:
    """A password lookup that waits, as one over RPC may."""

    def __init__(self, lookup, seconds):
        self._lookup, self._seconds = lookup, seconds

    def secret_for(self, device_id):
        eventlet.sleep(self._seconds)
        return self._lookup.secret_for(device_id)


OPTIONS = (
    b"OPTIONS sip:34020000002000000001@3402000000 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 127.0.0.1:5099;rport;branch=z9hG4bKoptions1\r\n"
    b"From: <sip:34020000001320000009@3402000000>;tag=o1\r\n"
    b"To: <sip:34020000002000000001@3402000000>\r\n"
    b"Call-ID: options-1@127.0.0.1\r\n"
    b"CSeq: 1 OPTIONS\r\n"
    b"Content-Length: 0\r\n\r\n"
)


def test_a_slow_lookup_does_not_hold_up_datagrams_behind_it(config, credentials, store):
    slow = SlowCredentials(credentials, 1.0)
    core = SipCore(config, slow, store, FixedNonceSource(FIXED_NONCE))
    transport = SipTransport(core, TransportSettings(host="127.0.0.1", port=0))
    transport.start()
    waiting = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for _ in range(3):
            waiting.sendto(REGISTER, transport.address)
        started = time.monotonic()
        assert udp_exchange(transport.address, OPTIONS, timeout=0.8).status == 200
        assert time.monotonic() - started < 0.8
        waiting.settimeout(2.0)
        assert parse_datagram(waiting.recvfrom(65536)[0]).status == 200
    finally:
        waiting.close()
        transport.stop()
