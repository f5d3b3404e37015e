"""Every captured message in the fixtures gets the answer its README asks."""

import pytest

from services.signalling.events import (
    AuthenticationFailed,
    CatalogSynced,
    DeviceOnline,
    DeviceRegistered,
)
from services.signalling.parser import parse_datagram

from .conftest import (
    CAMERA_ID,
    DOMAIN,
    FIXED_NONCE,
    NVR_ID,
    SOURCE,
    events_of,
    fixture_bytes,
    sends,
)


def answer(core, data, source=SOURCE):
    outputs = core.receive_datagram(data, source)
    (send,) = sends(outputs)
    return parse_datagram(send.data), send, outputs


def without_authorization(data: bytes) -> bytes:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.startswith(b"Author")]
    return b"\r\n".join(lines).replace(b"CSeq: 2", b"CSeq: 1") + b"\r\n\r\n" + body


def test_challenge_names_realm_nonce_qop_and_algorithm(core):
    request = without_authorization(fixture_bytes("register-digest-qop-auth.sip"))
    response, _, _ = answer(core, request)
    assert response.status == 401
    assert response.header("WWW-Authenticate") == (
        f'Digest realm="{DOMAIN}", nonce="{FIXED_NONCE}", qop="auth", algorithm=MD5'
    )


def test_qop_auth_register_is_answered_byte_exact(core):
    _, send, outputs = answer(core, fixture_bytes("register-digest-qop-auth.sip"))
    assert send.data == (
        b"SIP/2.0 200 OK\r\n"
        b"Via: SIP/2.0/UDP 192.0.2.77:5060;rport=40000;branch=z9hG4bKq1a002"
        b";received=127.0.0.1\r\n"
        b"From: <sip:34020000001320000001@3402000000>;tag=q1from\r\n"
        b"To: <sip:34020000001320000001@3402000000>;tag=0cd89d71d6\r\n"
        b"Call-ID: q1-reg@192.0.2.77\r\n"
        b"CSeq: 2 REGISTER\r\n"
        b"Contact: <sip:34020000001320000001@192.0.2.77:5060>;expires=3600\r\n"
        b"Expires: 3600\r\n"
        b"Date: 2026-12-04T15:04:05.000\r\n"
        b"Server: Hotwork\r\n"
        b"Content-Length: 0\r\n\r\n"
    )
    assert events_of(outputs, DeviceOnline) == [DeviceOnline(CAMERA_ID, SOURCE)]
    assert core.is_online(CAMERA_ID)


def test_online_until_expiry(core, clock):
    core.receive_datagram(fixture_bytes("register-digest-qop-auth.sip"), SOURCE)
    clock.advance(3599)
    assert core.registration(CAMERA_ID) is not None
    clock.advance(2)
    assert core.registration(CAMERA_ID) is None


def test_register_without_qop_uses_the_short_formula(core):
    response, _, outputs = answer(core, fixture_bytes("register-digest-no-qop.sip"))
    assert response.status == 200
    assert response.header("Expires") == "3600"
    assert response.header("Date") is not None
    assert events_of(outputs, DeviceRegistered)[0].device_id == CAMERA_ID


def test_wrong_password_gets_403_and_changes_nothing(core, store):
    response, _, outputs = answer(core, fixture_bytes("register-wrong-password.sip"))
    assert response.status == 403
    assert store.get(CAMERA_ID) is None
    (failure,) = events_of(outputs, AuthenticationFailed)
    assert (failure.device_id, failure.source_host, failure.failures) == (
        CAMERA_ID,
        "127.0.0.1",
        1,
    )


def test_wrong_password_after_success_keeps_the_binding(core, store):
    core.receive_datagram(fixture_bytes("register-digest-qop-auth.sip"), SOURCE)
    before = store.get(CAMERA_ID)
    response, _, _ = answer(core, fixture_bytes("register-wrong-password.sip"))
    assert response.status == 403
    assert store.get(CAMERA_ID) == before


def test_gb2312_catalog_keeps_the_chinese_name(core):
    data = fixture_bytes("catalog-gb2312-no-declared-encoding.sip")
    response, _, outputs = answer(core, data)
    assert response.status == 200
    (channel,) = core.channels(NVR_ID)
    assert (channel.device_id, channel.name) == ("34020000001320000002", "测试")
    (synced,) = events_of(outputs, CatalogSynced)
    assert synced.complete


@pytest.mark.parametrize("order", [(1, 2), (2, 1)])
def test_catalog_pages_with_a_retransmission(core, order):
    pages = {n: fixture_bytes(f"catalog-page-{n}-of-2.sip") for n in (1, 2)}
    first, second = order
    outputs = []
    for data in (pages[first], pages[first], pages[second], pages[second]):
        response, _, more = answer(core, data)
        assert response.status == 200
        outputs.extend(more)
    ids = sorted(channel.device_id for channel in core.channels(NVR_ID))
    assert ids == ["34020000001320000002", "34020000001320000003"]
    (synced,) = events_of(outputs, CatalogSynced)
    assert synced.complete and len(synced.channels) == 2


def test_catalog_page_missing_is_partial_after_quiet_timeout(core, clock):
    core.receive_datagram(fixture_bytes("catalog-page-1-of-2.sip"), SOURCE)
    clock.advance(core.config.catalog_quiet_timeout + 1)
    (synced,) = events_of(core.handle_timers(), CatalogSynced)
    assert not synced.complete
    assert (synced.expected, len(synced.channels)) == (2, 1)


def test_nat_register_is_answered_to_the_source_with_received_and_rport(core):
    source = type(SOURCE)("UDP", "127.0.0.1", 61234)
    response, send, _ = answer(core, fixture_bytes("register-behind-nat.sip"), source)
    assert send.peer == source
    via = response.top_via
    assert via.params["received"] == "127.0.0.1"
    assert via.params["rport"] == "61234"
