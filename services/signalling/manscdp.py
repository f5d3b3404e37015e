"""MANSCDP XML bodies of GB/T 28181-2016 MESSAGE requests (§A.2, Annex A).

Firmware is lax about XML, so bodies are cleaned before parsing: the byte
encoding is guessed, and a BOM, leading blank lines, control characters and
bare ampersands are tolerated. Anything still unreadable is refused.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

CONTENT_TYPE = "Application/MANSCDP+xml"


class ManscdpError(ValueError):
    """A body that cannot be read as MANSCDP."""


@dataclass(frozen=True)
class Keepalive:
    """§9.6: Notify / Keepalive, sent every keepalive interval."""

    sn: int
    device_id: str
    status: str


@dataclass(frozen=True)
class CatalogItem:
    device_id: str
    name: str
    manufacturer: str = ""
    model: str = ""
    parent_id: str = ""
    civil_code: str = ""
    address: str = ""
    status: str = ""


@dataclass(frozen=True)
class CatalogResponse:
    """§A.2.6: one page of a Catalog answer; all pages share SN and SumNum."""

    sn: int
    device_id: str
    sum_num: int
    items: tuple[CatalogItem, ...]


@dataclass(frozen=True)
class DeviceInfo:
    device_name: str = ""
    manufacturer: str = ""
    model: str = ""
    firmware: str = ""
    channels: int | None = None
    result: str = ""


@dataclass(frozen=True)
class DeviceInfoResponse:
    sn: int
    device_id: str
    info: DeviceInfo


@dataclass(frozen=True)
class OtherManscdp:
    """A well-formed body of a kind the core does not act on."""

    root: str
    cmd_type: str
    sn: int | None
    device_id: str


Manscdp = Keepalive | CatalogResponse | DeviceInfoResponse | OtherManscdp

_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BARE_AMPERSAND = re.compile(r"&(?!(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+);)")


def decode_body(data: bytes) -> str:
    """UTF-8 when the bytes are valid UTF-8, else GB18030 (§A.1 says GB2312,
    which GB18030 contains); the declared encoding is not trusted."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ManscdpError("body is neither UTF-8 nor GB18030") from None


def parse(data: bytes) -> Manscdp:
    root = _parse_xml(decode_body(data))
    cmd_type = _text(root, "CmdType")
    device_id = _text(root, "DeviceID")
    sn = _optional_int(root, "SN")
    kind = (_local(root.tag).lower(), cmd_type.lower())
    if kind == ("notify", "keepalive"):
        return Keepalive(_required(sn), device_id, _text(root, "Status"))
    if kind == ("response", "catalog"):
        return _catalog(root, _required(sn), device_id)
    if kind == ("response", "deviceinfo"):
        return DeviceInfoResponse(_required(sn), device_id, _device_info(root))
    return OtherManscdp(_local(root.tag), cmd_type, sn, device_id)


def build_query(cmd_type: str, sn: int, device_id: str) -> bytes:
    """§A.2.4 query body; ASCII only, so the GB2312 declaration holds."""
    lines = [
        '<?xml version="1.0" encoding="GB2312"?>',
        "<Query>",
        f"<CmdType>{cmd_type}</CmdType>",
        f"<SN>{sn}</SN>",
        f"<DeviceID>{device_id}</DeviceID>",
        "</Query>",
        "",
    ]
    return "\r\n".join(lines).encode("gb18030")


def _parse_xml(text: str) -> ElementTree.Element:
    text = _DECLARATION.sub("", text.lstrip("\ufeff \t\r\n"), count=1)
    if "<!" in text.replace("<!--", ""):
        # DOCTYPE and entity declarations have no place in MANSCDP.
        raise ManscdpError("declarations are not accepted")
    text = _BARE_AMPERSAND.sub("&amp;", _CONTROL.sub("", text))
    try:
        return ElementTree.fromstring(text.strip())
    except ElementTree.ParseError as error:
        raise ManscdpError(f"not well-formed XML: {error}") from None


def _catalog(root: ElementTree.Element, sn: int, device_id: str) -> CatalogResponse:
    sum_num = _optional_int(root, "SumNum")
    device_list = _child(root, "DeviceList")
    elements = [] if device_list is None else _children(device_list, "Item")
    items = tuple(_catalog_item(item) for item in elements)
    items = tuple(item for item in items if item.device_id)
    return CatalogResponse(
        sn, device_id, len(items) if sum_num is None else sum_num, items
    )


def _catalog_item(item: ElementTree.Element) -> CatalogItem:
    return CatalogItem(
        device_id=_text(item, "DeviceID"),
        name=_text(item, "Name"),
        manufacturer=_text(item, "Manufacturer"),
        model=_text(item, "Model"),
        parent_id=_text(item, "ParentID"),
        civil_code=_text(item, "CivilCode"),
        address=_text(item, "Address"),
        status=_text(item, "Status"),
    )


def _device_info(root: ElementTree.Element) -> DeviceInfo:
    return DeviceInfo(
        device_name=_text(root, "DeviceName"),
        manufacturer=_text(root, "Manufacturer"),
        model=_text(root, "Model"),
        firmware=_text(root, "Firmware"),
        channels=_optional_int(root, "Channel"),
        result=_text(root, "Result"),
    )


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    wanted = name.lower()
    return [child for child in element if _local(child.tag).lower() == wanted]


def _child(element: ElementTree.Element, name: str) -> ElementTree.Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: ElementTree.Element, name: str) -> str:
    child = _child(element, name)
    return "" if child is None else (child.text or "").strip()


def _optional_int(element: ElementTree.Element, name: str) -> int | None:
    text = _text(element, name)
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise ManscdpError(f"{name} is not a number")
    return int(text)


def _required(sn: int | None) -> int:
    if sn is None:
        raise ManscdpError("missing SN")
    return sn
