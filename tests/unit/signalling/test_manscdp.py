"""MANSCDP bodies as firmware writes them."""

import pytest

from services.signalling import manscdp
from services.signalling.events import DeviceInfoReceived
from services.signalling.manscdp import (
    CatalogResponse,
    DeviceInfoResponse,
    Keepalive,
    ManscdpError,
)
from services.signalling.parser import parse_datagram

from .conftest import NVR_ID, SOURCE, events_of, fixture_bytes, sends

CATALOG = (
    "<Response>\r\n<CmdType>Catalog</CmdType>\r\n<SN>7</SN>\r\n"
    "<DeviceID>34020000001180000001</DeviceID>\r\n<SumNum>1</SumNum>\r\n"
    '<DeviceList Num="1">\r\n<Item>\r\n'
    "<DeviceID>34020000001320000009</DeviceID>\r\n<Name>{name}</Name>\r\n"
    "</Item>\r\n</DeviceList>\r\n</Response>\r\n"
)


def catalog_name(body: bytes) -> str:
    parsed = manscdp.parse(body)
    assert isinstance(parsed, CatalogResponse)
    return parsed.items[0].name


@pytest.mark.parametrize(
    ("body", "name"),
    [
        (CATALOG.format(name="大门").encode("gb2312"), "大门"),
        (CATALOG.format(name="大门").encode("utf-8"), "大门"),
        (
            b'<?xml version="1.0" encoding="UTF-8"?>\r\n'
            + CATALOG.format(name="大门").encode("gbk"),
            "大门",
        ),
        (
            b'<?xml version="1.0" encoding="GB2312"?>\r\n'
            + CATALOG.format(name="大门").encode("utf-8"),
            "大门",
        ),
        (b"\xef\xbb\xbf" + CATALOG.format(name="gate").encode(), "gate"),
        (
            b"\r\n\r\n  "
            + b'<?xml version="1.0"?>'
            + CATALOG.format(name="g").encode(),
            "g",
        ),
        (CATALOG.format(name="A&B").encode(), "A&B"),
        (CATALOG.format(name="A&amp;B").encode(), "A&B"),
        (CATALOG.format(name="in\x01\x1fside\x00").encode(), "inside"),
    ],
)
def test_firmware_quirks_are_tolerated(body, name):
    assert catalog_name(body) == name


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<Response><CmdType>Catalog</CmdType>",
        b'<!DOCTYPE x [<!ENTITY a "aaaa">]><Response>&a;</Response>',
        b"\xff\xfe\xfa\xfb\x80",
        b"<Notify><CmdType>Keepalive</CmdType><SN>x</SN></Notify>",
    ],
)
def test_unreadable_bodies_are_refused(body):
    with pytest.raises(ManscdpError):
        manscdp.parse(body)


def test_keepalive_and_device_info_are_read():
    keepalive = manscdp.parse(
        b"<Notify><CmdType>Keepalive</CmdType><SN>3</SN>"
        b"<DeviceID>34020000001320000001</DeviceID><Status>OK</Status></Notify>"
    )
    assert keepalive == Keepalive(3, "34020000001320000001", "OK")
    info = manscdp.parse(
        b"<Response><CmdType>DeviceInfo</CmdType><SN>4</SN>"
        b"<DeviceID>34020000001320000001</DeviceID><DeviceName>cam</DeviceName>"
        b"<Manufacturer>Hikvision</Manufacturer><Model>DS-2CD</Model>"
        b"<Firmware>V5.5</Firmware><Channel>1</Channel><Result>OK</Result>"
        b"</Response>"
    )
    assert isinstance(info, DeviceInfoResponse)
    assert (info.info.manufacturer, info.info.channels) == ("Hikvision", 1)


def test_queries_are_built_byte_exact():
    assert manscdp.build_query("Catalog", 12, "34020000001320000001") == (
        b'<?xml version="1.0" encoding="GB2312"?>\r\n<Query>\r\n'
        b"<CmdType>Catalog</CmdType>\r\n<SN>12</SN>\r\n"
        b"<DeviceID>34020000001320000001</DeviceID>\r\n</Query>\r\n"
    )


def test_unreadable_catalog_keeps_what_was_stored(core):
    core.receive_datagram(
        fixture_bytes("catalog-gb2312-no-declared-encoding.sip"), SOURCE
    )
    before = core.channels(NVR_ID)
    broken = fixture_bytes("catalog-page-1-of-2.sip").replace(
        b"</DeviceList>", b"</DeviceLisx>"
    )
    (send,) = sends(core.receive_datagram(broken, SOURCE))
    assert parse_datagram(send.data).status == 400
    assert core.channels(NVR_ID) == before


def test_device_info_response_becomes_an_event(core):
    body = (
        b"<Response><CmdType>DeviceInfo</CmdType><SN>4</SN>"
        b"<DeviceID>34020000001180000001</DeviceID><Manufacturer>Dahua</Manufacturer>"
        b"</Response>"
    )
    data = fixture_bytes("catalog-page-1-of-2.sip")
    head = data[: data.index(b"\r\n\r\n") + 4].replace(
        b"Content-Length: 350", f"Content-Length: {len(body)}".encode()
    )
    (event,) = events_of(core.receive_datagram(head + body, SOURCE), DeviceInfoReceived)
    assert event.info.manufacturer == "Dahua"
