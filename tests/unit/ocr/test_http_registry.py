"""The HTTP registry adapter against a tiny server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services.ocr.units import UnitMatch
from services.ocr.units.http import HttpRegistry

KNOWN = {
    "北京嘉禾建筑装饰有限责任公司": (200, {"credit_code": "91110118923E942H3G"}),
    "坏码公司": (200, {"credit_code": "91110118923E942H30"}),
    "坏体公司": (200, "not json"),
    "故障公司": (500, {"error": "down"}),
    "慢公司": (200, {"credit_code": "91110118923E942H3G"}),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        name = query.get("name", [""])[0]
        if name == "慢公司":
            time.sleep(1.0)
        status, body = KNOWN.get(name, (404, {"error": "unknown"}))
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except BrokenPipeError:
            pass  # the client gave up waiting, as the slow test wants

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/units"
    server.shutdown()
    server.server_close()


def test_a_known_unit_is_verified(url) -> None:
    match = HttpRegistry(url).lookup("北京嘉禾建筑装饰有限责任公司")
    assert match == UnitMatch("91110118923E942H3G", "http")


@pytest.mark.parametrize("name", ["无名公司", "坏码公司", "坏体公司", "故障公司"])
def test_anything_but_a_valid_code_is_not_verified(url, name) -> None:
    assert HttpRegistry(url).lookup(name) is None


def test_a_slow_service_is_given_up_on(url) -> None:
    started = time.monotonic()
    assert HttpRegistry(url, timeout=0.2).lookup("慢公司") is None
    assert time.monotonic() - started < 0.9


def test_a_service_that_is_not_there_is_not_verified() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert HttpRegistry(f"http://127.0.0.1:{port}/units").lookup("x") is None
