"""Starting Hotwork services as real processes, the way a cluster runs them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
NAMEKO = str(Path(sys.executable).with_name("nameko"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServiceProcess:
    def __init__(self, name: str, target: str, env: dict, logs: Path, config: str):
        self.name, self.target, self.env = name, target, env
        self.log_path = logs / f"{name}.log"
        self.config = config
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [NAMEKO, "run", "--config", self.config, self.target],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def stop(self, sig=signal.SIGTERM, timeout: float = 15) -> None:
        if not self.process or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    @property
    def alive(self) -> bool:
        return bool(self.process) and self.process.poll() is None


def wait_until(check, timeout: float = 30, interval: float = 0.1, what: str = ""):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as error:  # noqa: BLE001 - retried until the deadline
            last = error
        time.sleep(interval)
    raise TimeoutError(f"gave up waiting for {what or check}: {last!r}")


def http_up(url: str) -> bool:
    return requests.get(f"{url}/health", timeout=2).status_code == 200


def child_env(**overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({k: str(v) for k, v in overrides.items()})
    return env
