"""Queries to devices: bytes, retransmission, timeout, catalog on register."""

from dataclasses import replace

from services.signalling.camera import Camera, CameraProfile
from services.signalling.events import CatalogSynced, QueryFailed, Send
from services.signalling.transaction import T1, TRANSACTION_LIFETIME

from .conftest import CAMERA_ID, CAMERA_PASSWORD, NVR_ID, SOURCE, events_of, sends


def test_catalog_query_bytes(core):
    (send,) = core.query_catalog(NVR_ID)
    body = (
        b'<?xml version="1.0" encoding="GB2312"?>\r\n<Query>\r\n'
        b"<CmdType>Catalog</CmdType>\r\n<SN>1</SN>\r\n"
        b"<DeviceID>34020000001180000001</DeviceID>\r\n</Query>\r\n"
    )
    assert send.data == (
        b"MESSAGE sip:34020000001180000001@127.0.0.1:5070 SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP 127.0.0.1:5060;rport;branch=z9hG4bKt0001\r\n"
        b"From: <sip:34020000002000000001@3402000000>;tag=t0002\r\n"
        b"To: <sip:34020000001180000001@3402000000>\r\n"
        b"Call-ID: t0003@127.0.0.1\r\n"
        b"CSeq: 1 MESSAGE\r\n"
        b"Max-Forwards: 70\r\n"
        b"User-Agent: Hotwork\r\n"
        b"Content-Type: Application/MANSCDP+xml\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


def test_query_is_retransmitted_then_times_out(core, clock):
    (send,) = core.query_device_info(NVR_ID)
    clock.advance(T1)
    assert core.handle_timers() == [send]
    clock.advance(TRANSACTION_LIFETIME)
    failed = events_of(core.handle_timers(), QueryFailed)
    assert failed == [QueryFailed(NVR_ID, "DeviceInfo", 1, None)]


def test_answered_query_stops_retransmitting(core, clock):
    device = Camera(CameraProfile(NVR_ID, "x"), "127.0.0.1", 5070)
    (send,) = core.query_catalog(NVR_ID)
    ok, *pages = device.receive(send.data)
    assert core.receive_datagram(ok, SOURCE) == []
    clock.advance(T1)
    assert sends(core.handle_timers()) == []


def test_simulated_catalog_with_paging_and_duplicates(core):
    profile = CameraProfile(NVR_ID, "x", channels=5, page_size=2)
    device = Camera(profile, "127.0.0.1", 5070, seed=3)
    (send,) = core.query_catalog(NVR_ID)
    _, *pages = device.receive(send.data)
    outputs = [out for page in pages for out in core.receive_datagram(page, SOURCE)]
    (synced,) = events_of(outputs, CatalogSynced)
    assert synced.complete and len(synced.channels) == 5
    assert {channel.name for channel in core.channels(NVR_ID)} == {
        f"通道{n}" for n in (1, 2, 3, 4, 5)
    }


def test_catalog_is_queried_after_registration(make_core, config):
    core = make_core(config=replace(config, query_catalog_on_register=True))
    device = Camera(CameraProfile(CAMERA_ID, CAMERA_PASSWORD), "127.0.0.1", 40000)
    (challenge,) = sends(core.receive_datagram(device.register(), SOURCE))
    (authorized,) = device.receive(challenge.data)
    outputs = core.receive_datagram(authorized, SOURCE)
    ok, query = sends(outputs)
    assert b"<CmdType>Catalog</CmdType>" in query.data
    assert query.peer == SOURCE


def test_reboot_drops_queries_of_the_old_binding(make_core, config, clock):
    core = make_core(config=replace(config, query_catalog_on_register=True))
    device = Camera(CameraProfile(CAMERA_ID, CAMERA_PASSWORD), "127.0.0.1", 40000)
    for data in (device.register(), device.reboot()):
        (challenge,) = sends(core.receive_datagram(data, SOURCE))
        (authorized,) = device.receive(challenge.data)
        core.receive_datagram(authorized, SOURCE)
    clock.advance(TRANSACTION_LIFETIME + 1)
    failed = events_of(core.handle_timers(), QueryFailed)
    assert len(failed) == 1
    assert all(isinstance(out, Send) for out in sends(core.handle_timers()))
