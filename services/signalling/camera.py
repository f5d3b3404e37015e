"""A simulated GB/T 28181 camera as a sans-IO state machine.

It has the habits of real firmware: digest with or without qop, GB2312
catalog bodies, catalog pages out of order and repeated, reboots with a
new Call-ID and CSeq 1. The simulator command drives it over sockets.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from . import digest
from .grammar import SipSyntaxError, split_top_level, unquote
from .message import Request, Response
from .parser import ParseError, parse_datagram
from .serializer import serialize


@dataclass(frozen=True)
class CameraProfile:
    device_id: str
    password: str
    server_id: str = "34020000002000000001"
    domain: str = "3402000000"
    transport: str = "UDP"
    use_qop: bool = True
    gb2312: bool = True
    channels: int = 1
    page_size: int = 1
    duplicate_pages: bool = True
    shuffle_pages: bool = True
    expires: int = 3600


def device_ids(count: int, first: str = "34020000001320000001") -> list[str]:
    """Consecutive codes: the last seven digits (network and serial) count up."""
    prefix, start = first[:13], int(first[13:])
    return [f"{prefix}{start + n:07d}" for n in range(count)]


class Camera:
    def __init__(
        self, profile: CameraProfile, host: str, port: int, seed: int = 0
    ) -> None:
        self.profile = profile
        self.host, self.port = host, port
        self.registered = False
        self.registrations = 0
        self.refusals = 0
        self._random = random.Random(seed)
        self._from_tag = secrets.token_hex(4)
        self._call_id = f"{secrets.token_hex(8)}@{host}"
        self._cseq = 0
        self._sn = 0

    def register(self, authorization: str | None = None) -> bytes:
        self._cseq += 1
        headers = self._common("REGISTER", self._registrar_uri(), self._call_id)
        headers.append(("Contact", f"<sip:{self.profile.device_id}@{self._hostport}>"))
        headers.append(("Expires", str(self.profile.expires)))
        if authorization:
            headers.append(("Authorization", authorization))
        return serialize(
            Request(tuple(headers), b"", "REGISTER", self._registrar_uri())
        )

    def reboot(self) -> bytes:
        """A restarted camera forgets its Call-ID and counts CSeq from 1."""
        self._call_id = f"{secrets.token_hex(8)}@{self.host}"
        self._from_tag = secrets.token_hex(4)
        self._cseq = 0
        self.registered = False
        return self.register()

    def move(self, port: int) -> None:
        """NAT gave the camera a new public port."""
        self.port = port

    def keepalive(self) -> bytes:
        self._sn += 1
        body = (
            '<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n'
            f"<CmdType>Keepalive</CmdType>\r\n<SN>{self._sn}</SN>\r\n"
            f"<DeviceID>{self.profile.device_id}</DeviceID>\r\n"
            "<Status>OK</Status>\r\n</Notify>\r\n"
        ).encode()
        return self._message(body)

    def receive(self, data: bytes) -> list[bytes]:
        """Answer what the platform sent; what to send back, in order."""
        try:
            message = parse_datagram(data)
        except ParseError:
            return []
        if isinstance(message, Response):
            return self._on_response(message)
        if message.method != "MESSAGE":
            return []
        return [_ok(message), *self._answer_query(message.body)]

    def _on_response(self, response: Response) -> list[bytes]:
        try:
            _, method = response.cseq
        except SipSyntaxError:
            return []
        if method != "REGISTER":
            if response.status == 403:
                self.registered = False
            return []
        if response.status == 401:
            header = response.header("WWW-Authenticate") or ""
            return [self.register(self._authorization(header))]
        if response.status == 200:
            self.registered = True
            self.registrations += 1
        elif response.status >= 300:
            self.refusals += 1
            self.registered = False
        return []

    def _authorization(self, challenge: str) -> str:
        fields = _challenge_fields(challenge)
        realm, nonce = fields.get("realm", ""), fields.get("nonce", "")
        uri = self._registrar_uri()
        qop = "auth" if self.profile.use_qop and "qop" in fields else None
        credentials = digest.DigestCredentials(
            username=self.profile.device_id,
            realm=realm,
            nonce=nonce,
            uri=uri,
            response="",
            qop=qop,
            nc="00000001" if qop else None,
            cnonce=secrets.token_hex(4) if qop else None,
        )
        ha1 = digest.ha1_of(self.profile.device_id, realm, self.profile.password)
        response = digest.expected_response(ha1, "REGISTER", credentials)
        value = (
            f'Digest username="{self.profile.device_id}", realm="{realm}", '
            f'nonce="{nonce}", uri="{uri}", response="{response}", algorithm=MD5'
        )
        if qop:
            value += f', qop=auth, nc=00000001, cnonce="{credentials.cnonce}"'
        return value

    def _answer_query(self, body: bytes) -> list[bytes]:
        text = body.decode("gb18030", errors="replace")
        sn = _between(text, "<SN>", "</SN>")
        if "<CmdType>Catalog</CmdType>" in text:
            return self._catalog_pages(sn)
        if "<CmdType>DeviceInfo</CmdType>" in text:
            return [self._message(self._device_info(sn))]
        return []

    def _catalog_pages(self, sn: str) -> list[bytes]:
        ids = list(
            enumerate(device_ids(self.profile.channels, self.profile.device_id), 1)
        )
        size = max(1, self.profile.page_size)
        pages = [
            self._message(self._catalog_body(sn, ids[start : start + size]))
            for start in range(0, len(ids), size)
        ] or [self._message(self._catalog_body(sn, []))]
        if self.profile.shuffle_pages:
            self._random.shuffle(pages)
        if self.profile.duplicate_pages:
            pages.append(pages[0])
        return pages

    def _catalog_body(self, sn: str, channel_ids: list[tuple[int, str]]) -> bytes:
        items = "".join(
            f"<Item>\r\n<DeviceID>{channel}</DeviceID>\r\n"
            f"<Name>通道{number}</Name>\r\n<Manufacturer>Hotwork</Manufacturer>\r\n"
            f"<ParentID>{self.profile.device_id}</ParentID>\r\n"
            "<Status>ON</Status>\r\n</Item>\r\n"
            for number, channel in channel_ids
        )
        text = (
            '<?xml version="1.0"?>\r\n<Response>\r\n<CmdType>Catalog</CmdType>\r\n'
            f"<SN>{sn}</SN>\r\n<DeviceID>{self.profile.device_id}</DeviceID>\r\n"
            f"<SumNum>{self.profile.channels}</SumNum>\r\n"
            f'<DeviceList Num="{len(channel_ids)}">\r\n{items}</DeviceList>\r\n'
            "</Response>\r\n"
        )
        return text.encode("gb18030" if self.profile.gb2312 else "utf-8")

    def _device_info(self, sn: str) -> bytes:
        return (
            '<?xml version="1.0" encoding="GB2312"?>\r\n<Response>\r\n'
            f"<CmdType>DeviceInfo</CmdType>\r\n<SN>{sn}</SN>\r\n"
            f"<DeviceID>{self.profile.device_id}</DeviceID>\r\n"
            "<Result>OK</Result>\r\n<Manufacturer>Hotwork</Manufacturer>\r\n"
            f"<Model>SIM-1</Model>\r\n<Firmware>V1.0</Firmware>\r\n"
            f"<Channel>{self.profile.channels}</Channel>\r\n</Response>\r\n"
        ).encode()

    def _message(self, body: bytes) -> bytes:
        self._cseq += 1
        uri = self._registrar_uri()
        headers = self._common("MESSAGE", uri, f"{secrets.token_hex(8)}@{self.host}")
        headers.append(("Content-Type", "Application/MANSCDP+xml"))
        return serialize(Request(tuple(headers), body, "MESSAGE", uri))

    def _common(self, method: str, uri: str, call_id: str) -> list[tuple[str, str]]:
        device = f"<sip:{self.profile.device_id}@{self.profile.domain}>"
        branch = f"z9hG4bK{secrets.token_hex(6)}"
        return [
            (
                "Via",
                f"SIP/2.0/{self.profile.transport} {self._hostport}"
                f";rport;branch={branch}",
            ),
            ("From", f"{device};tag={self._from_tag}"),
            ("To", device if method == "REGISTER" else f"<{uri}>"),
            ("Call-ID", call_id),
            ("CSeq", f"{self._cseq} {method}"),
            ("Max-Forwards", "70"),
            ("User-Agent", "Hotwork camera simulator"),
        ]

    def _registrar_uri(self) -> str:
        return f"sip:{self.profile.server_id}@{self.profile.domain}"

    @property
    def _hostport(self) -> str:
        return f"{self.host}:{self.port}"


def _ok(request: Request) -> bytes:
    headers = [
        (name, value)
        for name, value in request.headers
        if name in ("Via", "From", "To", "Call-ID", "CSeq")
    ]
    return serialize(Response(tuple(headers), b"", 200, "OK"))


def _challenge_fields(challenge: str) -> dict[str, str]:
    _, _, rest = challenge.partition(" ")
    fields = {}
    for part in split_top_level(rest, ","):
        name, _, value = part.strip().partition("=")
        fields[name.strip().lower()] = unquote(value)
    return fields


def _between(text: str, start: str, end: str) -> str:
    head, found, tail = text.partition(start)
    return tail.partition(end)[0].strip() if found else ""
