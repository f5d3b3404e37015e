"""Keepalives, last-seen, NAT address following and the offline rules."""

from services.signalling.events import (
    DeviceAddressChanged,
    DeviceOffline,
    DeviceOnline,
    KeepaliveReceived,
    Peer,
)
from services.signalling.parser import parse_datagram

from .conftest import NVR_ID, SOURCE, events_of, sends


def keepalive(device_id: str, sn: int = 1) -> bytes:
    body = (
        '<?xml version="1.0"?>\r\n<Notify>\r\n<CmdType>Keepalive</CmdType>\r\n'
        f"<SN>{sn}</SN>\r\n<DeviceID>{device_id}</DeviceID>\r\n"
        "<Status>OK</Status>\r\n</Notify>\r\n"
    ).encode()
    head = (
        "MESSAGE sip:34020000002000000001@3402000000 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 192.0.2.78:5060;rport;branch=z9hG4bKka{sn}\r\n"
        f"From: <sip:{device_id}@3402000000>;tag=ka\r\n"
        "To: <sip:34020000002000000001@3402000000>\r\n"
        f"Call-ID: ka-{sn}@192.0.2.78\r\n"
        f"CSeq: {sn} MESSAGE\r\n"
        "Content-Type: Application/MANSCDP+xml\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def status_of(outputs) -> int:
    (send,) = sends(outputs)
    return parse_datagram(send.data).status


def test_keepalive_updates_last_seen(core, store, clock):
    clock.advance(30)
    outputs = core.receive_datagram(keepalive(NVR_ID), Peer("UDP", "127.0.0.1", 5070))
    assert status_of(outputs) == 200
    assert events_of(outputs, KeepaliveReceived) == [KeepaliveReceived(NVR_ID, clock())]
    assert store.get(NVR_ID).last_seen == clock()


def test_keepalive_from_a_new_port_moves_the_device(core, store):
    moved = Peer("UDP", "127.0.0.1", 6000)
    outputs = core.receive_datagram(keepalive(NVR_ID), moved)
    (changed,) = events_of(outputs, DeviceAddressChanged)
    assert changed.current == moved
    assert store.get(NVR_ID).peer == moved
    (query,) = core.query_catalog(NVR_ID)
    assert query.peer == moved


def test_keepalive_without_registration_is_refused(core, store):
    store.delete(NVR_ID)
    assert status_of(core.receive_datagram(keepalive(NVR_ID), SOURCE)) == 403


def test_offline_after_missed_keepalives_and_back(core, clock):
    timeout = core.config.keepalive_timeout
    clock.advance(timeout - 1)
    assert events_of(core.handle_timers(), DeviceOffline) == []
    clock.advance(2)
    assert events_of(core.handle_timers(), DeviceOffline) == [
        DeviceOffline(NVR_ID, "keepalive_missed")
    ]
    assert not core.is_online(NVR_ID)
    outputs = core.receive_datagram(keepalive(NVR_ID, 2), SOURCE)
    assert events_of(outputs, DeviceOnline) == [DeviceOnline(NVR_ID, SOURCE)]


def test_regular_keepalives_never_go_offline(core, clock):
    for sn in range(1, 60):
        clock.advance(60)
        outputs = core.receive_datagram(keepalive(NVR_ID, sn), SOURCE)
        outputs += core.handle_timers()
        assert events_of(outputs, DeviceOffline) == []


def test_offline_when_registration_expires(core, clock):
    for sn in range(1, 62):
        clock.advance(59)
        core.receive_datagram(keepalive(NVR_ID, sn), SOURCE)
        core.handle_timers()
    clock.advance(59)
    assert DeviceOffline(NVR_ID, "expired") in core.handle_timers()
