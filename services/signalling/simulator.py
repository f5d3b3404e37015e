"""Play N GB/T 28181 cameras against a SIP server, over UDP.

    python -m services.signalling.simulator --cameras 100 \\
        --server 127.0.0.1:5060 --duration 30 --keepalive 60

Cameras share a small pool of sockets and are told apart by their device
id. Options add the habits of real devices: digest without qop, reboots,
NAT port changes and silence. `--bench` re-registers as fast as the server
answers and prints authenticated REGISTERs per second.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import heapq
import json
import random
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import eventlet
from eventlet.green import socket

from .camera import Camera, CameraProfile, device_ids
from .grammar import SipSyntaxError
from .message import Response
from .parser import ParseError, parse_datagram


@dataclass(frozen=True)
class FleetSettings:
    cameras: int = 10
    server: tuple[str, int] = ("127.0.0.1", 5060)
    bind_host: str = "127.0.0.1"
    first_id: str = "34020000001320000001"
    password: str = "12345678"
    server_id: str = "34020000002000000001"
    domain: str = "3402000000"
    keepalive: float = 60.0
    sockets: int = 16
    no_qop_share: float = 0.5
    channels: int = 4
    page_size: int = 2
    reboots: int = 0
    nat_moves: int = 0
    silent: int = 0
    register_window: int = 64
    seed: int = 1


class Fleet:
    def __init__(self, settings: FleetSettings) -> None:
        self.settings = settings
        self._random = random.Random(settings.seed)
        self._sockets = [self._open_socket() for _ in range(settings.sockets)]
        self.cameras: dict[str, Camera] = {}
        self._socket_of: dict[str, socket.socket] = {}
        self._threads: list[eventlet.greenthread.GreenThread] = []
        self.keepalive_refusals = 0
        self.late = 0.0
        for number, device_id in enumerate(
            device_ids(settings.cameras, settings.first_id)
        ):
            self._add_camera(number, device_id)

    def _open_socket(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((self.settings.bind_host, 0))
        return sock

    def _add_camera(self, number: int, device_id: str) -> None:
        sock = self._sockets[number % len(self._sockets)]
        profile = CameraProfile(
            device_id=device_id,
            password=self.settings.password,
            server_id=self.settings.server_id,
            domain=self.settings.domain,
            use_qop=self._random.random() >= self.settings.no_qop_share,
            gb2312=number % 2 == 0,
            channels=self.settings.channels,
            page_size=self.settings.page_size,
        )
        host, port = sock.getsockname()[:2]
        self.cameras[device_id] = Camera(profile, host, port, seed=number)
        self._socket_of[device_id] = sock

    def start(self) -> None:
        for sock in self._sockets:
            self._threads.append(eventlet.spawn(self._receive, sock))

    def stop(self) -> None:
        for thread in self._threads:
            thread.kill()
        for sock in self._sockets:
            sock.close()

    def send(self, device_id: str, data: bytes) -> None:
        with contextlib.suppress(OSError):
            self._socket_of[device_id].sendto(data, self.settings.server)

    def register_all(self, window_seconds: float = 0.0) -> None:
        """Register every camera, spread evenly over `window_seconds`."""
        pause = window_seconds / max(1, len(self.cameras))
        started = time.monotonic()
        for number, (device_id, camera) in enumerate(self.cameras.items()):
            self.send(device_id, camera.register())
            ahead = started + number * pause - time.monotonic()
            if ahead > 0.005:
                eventlet.sleep(ahead)
            elif number % self.settings.register_window == 0:
                eventlet.sleep(0.01)

    def run(self, duration: float) -> None:
        """Keepalives on schedule, with the configured reboots and moves.

        Due times sit in a heap, so a tick costs the cameras that are due,
        not a pass over the whole fleet: scanning 10,000 cameras fifty
        times a second took a whole core and made keepalives late.
        """
        settings = self.settings
        ids = list(self.cameras)
        silent = set(ids[: settings.silent])
        events = self._scheduled_mishaps(duration, ids)
        started = time.monotonic()
        due = [
            (started + self._random.random() * settings.keepalive, device_id)
            for device_id in ids
            if device_id not in silent
        ]
        heapq.heapify(due)
        self.late = 0.0
        while (now := time.monotonic()) - started < duration:
            while events and events[0][0] <= now - started:
                _, kind, device_id = events.pop(0)
                self._mishap(kind, device_id)
            while due and due[0][0] <= now:
                at, device_id = heapq.heappop(due)
                self.late = max(self.late, now - at)
                camera = self.cameras[device_id]
                data = camera.keepalive() if camera.registered else camera.register()
                self.send(device_id, data)
                heapq.heappush(due, (at + settings.keepalive, device_id))
            eventlet.sleep(0.02)

    def bench(self, duration: float, lost_after: float = 1.0) -> float:
        """Full digest registrations per second, over `duration` seconds.

        Keeps `register_window` cameras registering at once; each one that
        finishes reboots and registers again, and a lost exchange restarts.
        """
        idle = collections.deque(self.cameras)
        in_flight: dict[str, float] = {}
        before = sum(camera.registrations for camera in self.cameras.values())
        started = time.monotonic()
        while (now := time.monotonic()) - started < duration:
            for device_id, sent_at in list(in_flight.items()):
                if self.cameras[device_id].registered or now - sent_at > lost_after:
                    del in_flight[device_id]
                    idle.append(device_id)
            while idle and len(in_flight) < self.settings.register_window:
                device_id = idle.popleft()
                self.send(device_id, self.cameras[device_id].reboot())
                in_flight[device_id] = now
            eventlet.sleep(0.002)
        elapsed = time.monotonic() - started
        after = sum(camera.registrations for camera in self.cameras.values())
        return (after - before) / elapsed

    def report(self) -> dict[str, int]:
        cameras = self.cameras.values()
        return {
            "cameras": len(self.cameras),
            "registered": sum(camera.registered for camera in cameras),
            "registrations": sum(camera.registrations for camera in cameras),
            "refusals": sum(camera.refusals for camera in cameras),
            "keepalive_refusals": self.keepalive_refusals,
            "latest_keepalive_late_ms": round(self.late * 1000),
        }

    def _scheduled_mishaps(self, duration: float, ids: list[str]) -> list:
        settings = self.settings
        events = [
            (self._random.uniform(0.1, 0.9) * duration, kind, self._random.choice(ids))
            for kind, count in (
                ("reboot", settings.reboots),
                ("move", settings.nat_moves),
            )
            for _ in range(count)
        ]
        return sorted(events)

    def _mishap(self, kind: str, device_id: str) -> None:
        camera = self.cameras[device_id]
        if kind == "reboot":
            self.send(device_id, camera.reboot())
            return
        sock = self._open_socket()
        self._sockets.append(sock)
        self._threads.append(eventlet.spawn(self._receive, sock))
        self._socket_of[device_id] = sock
        camera.move(sock.getsockname()[1])

    def _receive(self, sock: socket.socket) -> None:
        while True:
            try:
                data, _ = sock.recvfrom(65_536)
            except ConnectionRefusedError:
                # The server's port was closed (a restart): keep listening.
                continue
            except OSError:
                return
            device_id = _addressee(data)
            camera = self.cameras.get(device_id or "")
            if camera is None:
                continue
            if _is_keepalive_refusal(data):
                self.keepalive_refusals += 1
            for answer in camera.receive(data):
                self.send(device_id, answer)


def _addressee(data: bytes) -> str | None:
    try:
        message = parse_datagram(data)
        party = message.from_ if isinstance(message, Response) else message.to
    except (ParseError, SipSyntaxError):
        return None
    return party.uri.user


def _is_keepalive_refusal(data: bytes) -> bool:
    return data.startswith(b"SIP/2.0 4") and b" MESSAGE\r\n" in data


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=10)
    parser.add_argument("--server", type=_address, default=("127.0.0.1", 5060))
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--keepalive", type=float, default=60.0)
    parser.add_argument("--first-id", default=FleetSettings.first_id)
    parser.add_argument("--password", default=FleetSettings.password)
    parser.add_argument("--server-id", default=FleetSettings.server_id)
    parser.add_argument("--domain", default=FleetSettings.domain)
    parser.add_argument("--sockets", type=int, default=16)
    parser.add_argument("--no-qop-share", type=float, default=0.5)
    parser.add_argument("--reboots", type=int, default=0)
    parser.add_argument("--nat-moves", type=int, default=0)
    parser.add_argument("--silent", type=int, default=0)
    parser.add_argument("--ramp", type=float, default=0.0)
    parser.add_argument("--bench", action="store_true")
    args = parser.parse_args(argv)
    settings = FleetSettings(
        cameras=args.cameras,
        server=args.server,
        first_id=args.first_id,
        password=args.password,
        server_id=args.server_id,
        domain=args.domain,
        keepalive=args.keepalive,
        sockets=args.sockets,
        no_qop_share=args.no_qop_share,
        reboots=args.reboots,
        nat_moves=args.nat_moves,
        silent=args.silent,
    )
    fleet = Fleet(settings)
    fleet.start()
    # SIGTERM ends the run early but still prints the report.
    signal.signal(signal.SIGTERM, _stop_running)
    try:
        if args.bench:
            rate = fleet.bench(args.duration)
            print(json.dumps({"registers_per_second": round(rate), **fleet.report()}))
        else:
            with contextlib.suppress(_Stopped):
                fleet.register_all(args.ramp)
                fleet.run(args.duration)
            print(json.dumps(fleet.report()), flush=True)
    finally:
        fleet.stop()
    return 0


class _Stopped(Exception):
    pass


def _stop_running(signum: int, frame: object) -> None:
    raise _Stopped()


if __name__ == "__main__":
    sys.exit(main())
