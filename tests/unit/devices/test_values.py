"""Validation of what an owner types in: MAC, IP, password and friends."""

import pytest

from contracts.devices import RegisterDevice, normalise_mac
from contracts.errors import InvalidInput
from services.common.validation import parse
from tests.unit.devices.conftest import device_body


@pytest.mark.parametrize(
    "written",
    [
        "AA:BB:CC:DD:EE:F0",
        "aa:bb:cc:dd:ee:f0",
        "AA-BB-CC-DD-EE-F0",
        "aabb.ccdd.eef0",
        "AABBCCDDEEF0",
        " aabbccddeef0 ",
    ],
)
def test_every_common_mac_notation_normalises_alike(written):
    assert normalise_mac(written) == "aa:bb:cc:dd:ee:f0"


@pytest.mark.parametrize(
    "written",
    [
        "aa:bb:cc:dd:ee",
        "aa:bb-cc:dd:ee:f0",
        "gg:bb:cc:dd:ee:f0",
        "aabbccddeef",
        "00:00:00:00:00:00",
        "01:00:5e:00:00:01",
        "",
    ],
)
def test_a_malformed_or_group_mac_is_refused_naming_mac(written):
    with pytest.raises(InvalidInput) as refused:
        parse(RegisterDevice, device_body(mac=written))
    assert refused.value.field == "mac"


@pytest.mark.parametrize("password", ["Ab123", "Abc123456", "abc 123", "密码密码密码"])
def test_password_outside_six_to_eight_letters_or_digits_names_password(password):
    with pytest.raises(InvalidInput) as refused:
        parse(RegisterDevice, device_body(password=password))
    assert refused.value.field == "password"
    assert password not in refused.value.message


@pytest.mark.parametrize("password", ["abc123", "ABCDEFGH", "1234567"])
def test_six_to_eight_letters_or_digits_are_a_password(password):
    assert parse(RegisterDevice, device_body(password=password)).password == password


def test_ip_defaults_to_loopback_and_accepts_both_families():
    assert parse(RegisterDevice, device_body()).ip == "127.0.0.1"
    six = parse(RegisterDevice, device_body(ip="FE80:0:0::1"))
    assert six.ip == "fe80::1"
    with pytest.raises(InvalidInput) as refused:
        parse(RegisterDevice, device_body(ip="300.1.1.1"))
    assert refused.value.field == "ip"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("brand", "sony"),
        ("district", "310101"),
        ("contact_phone", "12345"),
        ("name", ""),
        ("unit", ""),
    ],
)
def test_each_bad_field_is_named(field, value):
    with pytest.raises(InvalidInput) as refused:
        parse(RegisterDevice, device_body(**{field: value}))
    assert refused.value.field == field


def test_every_required_field_is_named_when_missing():
    for field in ("name", "brand", "password", "mac", "unit", "district"):
        body = device_body()
        del body[field]
        with pytest.raises(InvalidInput) as refused:
            parse(RegisterDevice, body)
        assert refused.value.field == field
