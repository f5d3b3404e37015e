"""Digest authentication, bindings and their events."""

from dataclasses import replace

import pytest

from services.signalling.camera import Camera, CameraProfile
from services.signalling.digest import HmacNonceSource, ha1_of, md5_hex
from services.signalling.events import (
    DeviceOffline,
    DeviceRegistered,
    Peer,
    RegistrationReplaced,
)
from services.signalling.parser import parse_datagram
from services.signalling.ports import DeviceSecret, InMemoryCredentials
from services.signalling.serializer import serialize

from .conftest import (
    CAMERA_ID,
    CAMERA_PASSWORD,
    DOMAIN,
    FIXED_NONCE,
    PLATFORM_ID,
    SOURCE,
    events_of,
    fixture_bytes,
    sends,
)


def camera(password=CAMERA_PASSWORD, device_id=CAMERA_ID, **profile):
    settings = {"device_id": device_id, "password": password}
    return Camera(CameraProfile(**settings, **profile), "127.0.0.1", 40000)


def exchange(core, data, source=SOURCE):
    outputs = core.receive_datagram(data, source)
    (send,) = sends(outputs)
    return parse_datagram(send.data), outputs


def register(core, device, source=SOURCE):
    """REGISTER, answer the challenge; the final response and all outputs."""
    challenge, outputs = exchange(core, device.register(), source)
    assert challenge.status == 401
    (again,) = device.receive(sends(outputs)[0].data)
    return exchange(core, again, source)


@pytest.mark.parametrize("use_qop", [True, False])
def test_digest_with_and_without_qop(core, use_qop):
    response, outputs = register(core, camera(use_qop=use_qop))
    assert response.status == 200
    assert events_of(outputs, DeviceRegistered)[0].device_id == CAMERA_ID


def test_credentials_may_be_an_ha1(make_core):
    ha1 = ha1_of(CAMERA_ID, DOMAIN, CAMERA_PASSWORD)
    lookup = InMemoryCredentials({CAMERA_ID: DeviceSecret(ha1=ha1)})
    response, _ = register(make_core(credentials=lookup), camera())
    assert response.status == 200


def test_a2_hashes_the_uri_the_device_sent(core):
    uri = f"sip:{PLATFORM_ID}@192.0.2.1:5060"
    ha1 = ha1_of(CAMERA_ID, DOMAIN, CAMERA_PASSWORD)
    digest = md5_hex(f"{ha1}:{FIXED_NONCE}:{md5_hex(f'REGISTER:{uri}')}")
    data = fixture_bytes("register-digest-no-qop.sip")
    data = data.replace(
        b'uri="sip:34020000002000000001@3402000000", '
        b'response="63bdcb28b804629350801400127d6cd1"',
        f'uri="{uri}", response="{digest}"'.encode(),
    )
    assert exchange(core, data)[0].status == 200


def test_stale_nonce_gets_a_new_challenge_marked_stale(make_core, clock):
    core = make_core(nonces=HmacNonceSource(b"secret", clock, lifetime=60))
    device = camera()
    challenge, _ = exchange(core, device.register())
    (authorized,) = device.receive(serialize_response(challenge))
    clock.advance(61)
    response, _ = exchange(core, authorized)
    assert response.status == 401
    assert response.header("WWW-Authenticate").endswith("stale=true")


def test_nonce_not_issued_by_us_gets_a_plain_challenge(make_core, clock):
    core = make_core(nonces=HmacNonceSource(b"secret", clock))
    response, _ = exchange(core, fixture_bytes("register-digest-qop-auth.sip"))
    assert response.status == 401
    assert "stale" not in response.header("WWW-Authenticate")


def test_repeated_failures_lock_out_device_and_source(core, clock):
    wrong = fixture_bytes("register-wrong-password.sip")
    for attempt in range(core.config.max_auth_failures):
        wrong_attempt = wrong.replace(b"q1a002", f"fail{attempt}".encode())
        assert exchange(core, wrong_attempt)[0].status == 403
    right = fixture_bytes("register-digest-qop-auth.sip")
    assert exchange(core, right)[0].status == 403
    other_source = Peer("UDP", "127.0.0.2", 40000)
    from_elsewhere = right.replace(b"q1a002", b"elsewhere")
    assert exchange(core, from_elsewhere, other_source)[0].status == 200
    clock.advance(core.config.auth_lockout + 1)
    retry = right.replace(b"q1a002", b"later")
    assert exchange(core, retry)[0].status == 200


@pytest.mark.parametrize(
    "device_id", ["34020000001320000999", "3402000000132000000", "3402000000132000000x"]
)
def test_unknown_or_malformed_ids_are_refused(core, store, device_id):
    response, outputs = exchange(core, camera(device_id=device_id).register())
    assert response.status == 403
    assert store.get(device_id) is None
    assert sends(outputs) == outputs


def test_non_device_type_code_is_refused(core, credentials, store):
    device_id = "34020000005000000001"
    credentials.add_password(device_id, CAMERA_PASSWORD)
    response, _ = exchange(core, camera(device_id=device_id).register())
    assert response.status == 403


def with_expiry(data: bytes, contact_param: str | None, expires: str | None) -> bytes:
    contact = b"<sip:34020000001320000001@192.0.2.77:5060>"
    if contact_param:
        data = data.replace(contact, contact + b";expires=" + contact_param.encode())
    if expires is None:
        return data.replace(b"Expires: 3600\r\n", b"")
    return data.replace(b"Expires: 3600", b"Expires: " + expires.encode())


@pytest.mark.parametrize(
    ("contact_param", "expires", "granted"),
    [("120", "3600", "120"), (None, "600", "600"), (None, None, "3600")],
)
def test_expiry_precedence(core, contact_param, expires, granted):
    data = with_expiry(
        fixture_bytes("register-digest-no-qop.sip"), contact_param, expires
    )
    response, _ = exchange(core, data)
    assert response.header("Expires") == granted
    assert response.header("Contact").endswith(f";expires={granted}")


def test_expires_zero_unregisters_at_once(core, store):
    exchange(core, fixture_bytes("register-digest-qop-auth.sip"))
    data = fixture_bytes("register-digest-no-qop.sip")
    data = data.replace(b"Expires: 3600", b"Expires: 0").replace(b"CSeq: 2", b"CSeq: 3")
    response, outputs = exchange(core, data)
    assert response.status == 200
    assert store.get(CAMERA_ID) is None
    assert events_of(outputs, DeviceOffline) == [
        DeviceOffline(CAMERA_ID, "unregistered")
    ]


def test_reboot_replaces_the_binding(core, store):
    device = camera()
    register(core, device)
    old_call_id = store.get(CAMERA_ID).call_id
    rebooted = device.reboot()
    assert b"CSeq: 1 REGISTER" in rebooted
    challenge, _ = exchange(core, rebooted)
    (authorized,) = device.receive(serialize_response(challenge))
    response, outputs = exchange(core, authorized)
    assert response.status == 200
    (replaced,) = events_of(outputs, RegistrationReplaced)
    assert replaced.previous_call_id == old_call_id
    assert store.get(CAMERA_ID).call_id == replaced.call_id != old_call_id


def test_unknown_headers_are_ignored(core):
    data = fixture_bytes("register-digest-qop-auth.sip").replace(
        b"User-Agent: test", b"User-Agent: test\r\nX-Vendor-Thing: 1\r\nP-Foo: bar"
    )
    assert exchange(core, data)[0].status == 200


def test_retransmission_gets_the_same_answer_and_no_second_effect(core):
    data = fixture_bytes("register-digest-qop-auth.sip")
    first = core.receive_datagram(data, SOURCE)
    again = core.receive_datagram(data, SOURCE)
    assert again == sends(first)


def test_date_header_can_be_left_out(make_core, config):
    core = make_core(config=replace(config, send_date_header=False))
    response, _ = exchange(core, fixture_bytes("register-digest-qop-auth.sip"))
    assert response.status == 200 and response.header("Date") is None


def serialize_response(response) -> bytes:
    return serialize(response)
