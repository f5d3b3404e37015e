"""Commands, answers and events of the camera registry (guide section 4).

A camera's registration password crosses only the command that sets it and
the answer its owning enterprise reads; events and every other answer leave
it out.
"""

import ipaddress
import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from contracts.base import Contract
from contracts.values import DistrictCode, Name, Text

SCHEMA_VERSION = 1


class Brand(StrEnum):
    HIKVISION = "hikvision"  # 海康威视
    DAHUA = "dahua"  # 大华
    OTHER = "other"  # 其他


class EventType(StrEnum):
    REGISTERED = "device.registered"
    CHANGED = "device.changed"
    REMOVED = "device.removed"


# What the signalling service announces about a camera it hears from.
class PresenceEvent(StrEnum):
    ONLINE = "device.online"
    OFFLINE = "device.offline"


_HEX12 = re.compile(r"[0-9a-f]{12}")
_SEPARATED = re.compile(r"[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}")
_DOTTED = re.compile(r"[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}")


def normalise_mac(value: str) -> str:
    """`aa:bb:cc:dd:ee:ff` from any common notation, or ValueError.

    Accepted: colons or hyphens between octets, Cisco's dotted groups of
    four, or twelve bare hex digits, in either case.
    """
    text = str(value).strip().lower()
    if not (
        _SEPARATED.fullmatch(text) or _DOTTED.fullmatch(text) or _HEX12.fullmatch(text)
    ):
        raise ValueError(
            "must be a MAC address such as AA:BB:CC:DD:EE:FF, "
            "aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or aabbccddeeff"
        )
    digits = re.sub(r"[^0-9a-f]", "", text)
    if digits == "0" * 12:
        raise ValueError("must not be all zeros")
    if int(digits[:2], 16) & 1:
        raise ValueError("must be a unicast address (a camera's own MAC)")
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def _normalise_ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        raise ValueError("must be an IPv4 or IPv6 address") from None


def _check_password(value: str) -> str:
    # The message never repeats the value: it is a secret even when wrong.
    if not re.fullmatch(r"[A-Za-z0-9]{6,8}", value):
        raise ValueError("must be 6 to 8 letters or digits")
    return value


def _check_phone(value: str) -> str:
    if not re.fullmatch(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}", value):
        raise ValueError("must be a mobile number or a landline with area code")
    return value


MacAddress = Annotated[
    str,
    AfterValidator(normalise_mac),
    Field(examples=["AA:BB:CC:DD:EE:FF"], description="stored as aa:bb:cc:dd:ee:ff"),
]
IpAddress = Annotated[
    str, BeforeValidator(_normalise_ip), Field(examples=["192.168.1.64", "::1"])
]
# The guide: "一般是设备为6-8位的一个密码" — letters and digits only, since
# the cameras' own forms accept no more for the GB/T 28181 password.
Password = Annotated[
    str,
    AfterValidator(_check_password),
    Field(description="6 to 8 letters or digits", examples=["Abc12345"]),
]
Phone = Annotated[
    str,
    AfterValidator(_check_phone),
    Field(
        description="mainland mobile or landline with area code",
        examples=["13800138000", "010-12345678"],
    ),
]


class DeviceFields(Contract):
    """What the owner types in (guide 4.2); absent fields are left alone."""

    name: Text | None = None
    brand: Brand | None = None
    password: Password | None = None
    mac: MacAddress | None = None
    ip: IpAddress | None = None
    unit: Text | None = Field(default=None, description="所属单位")
    district: DistrictCode | None = Field(default=None, description="单位区域")
    contact: Name | None = None
    contact_phone: Phone | None = None


class RegisterDevice(DeviceFields):
    """Add a camera (POST /devices)."""

    name: Text
    brand: Brand
    password: Password
    mac: MacAddress
    ip: IpAddress = "127.0.0.1"
    unit: Text
    district: DistrictCode
    contact: Name
    contact_phone: Phone


class ChangeDevice(DeviceFields):
    """Change fields of a camera (PATCH /devices/{id})."""


class DeviceSearch(Contract):
    """`q`: any part of the name, case-insensitive."""

    q: str | None = Field(default=None, max_length=100)
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=20, ge=1, le=200)


class SipPlatform(Contract):
    """The platform settings the owner types into the camera (guide 4.2)."""

    server_id: str
    domain: str
    host: str
    port: int


class Presence(Contract):
    online: bool
    last_seen_at: datetime | None
    state: str = Field(description="online, offline or never_seen")


class Device(Contract):
    """A camera as its owner or a regulator of its district reads it."""

    id: str
    version: int
    code: str = Field(description="20-digit GB/T 28181 device code (SIP user)")
    channel_code: str
    owner: str
    name: str
    brand: Brand
    mac: str
    ip: str
    unit: str
    district: str
    contact: str
    contact_phone: str
    password: str | None = Field(
        default=None, description="only for the owning enterprise"
    )
    sip: SipPlatform
    presence: Presence
    created_at: datetime
    updated_at: datetime


class DevicePage(Contract):
    items: list[Device]
    page: int
    page_size: int
    total: int


class DeviceBrief(Contract):
    """What linking and the map need of a camera: no secrets."""

    id: str
    code: str
    channel_code: str
    name: str
    owner: str
    district: str
    online: bool
    last_seen_at: datetime | None
    state: str


class SipCredentials(Contract):
    """What the registrar needs for digest auth; never the password itself."""

    device_id: str = Field(description="the 20-digit device code")
    realm: str
    ha1: str = Field(description="MD5(device_id:realm:password), hex")
