"""SIP server figures on loopback, in about three minutes.

    python -m services.signalling.bench [--cameras 10000] [--quick]

Prints, as JSON lines: authenticated REGISTERs per second from the camera
simulator and from SIPp; cameras kept online and how many were wrongly
marked offline; CPU seconds per 1,000 cameras per minute; and SIPp's
REGISTER rate against Kamailio (if installed) with the ratio.

The dev server runs with a SQLite registration store, as the service
does in embedded mode; passwords come from memory, not from the devices
service. The keepalive run is compressed: cameras keep alive every 20 s
(three times the load of the usual 60 s) and are offline after two
missed, so a lateness of 40 s would show within the run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .camera import device_ids

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FIRST_ID = "34020000001320000001"
DOMAIN = "3402000000"
PLATFORM_ID = "34020000002000000001"
PASSWORD = "12345678"
KEEPALIVE = 20.0


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class DevServer:
    def __init__(self, workdir: Path, cameras: int, name: str) -> None:
        self.port = free_udp_port()
        self.log_path = workdir / f"{name}.log"
        database = f"sqlite:///{workdir / name}.db"
        command = [
            sys.executable, "-m", "services.signalling",
            f"--address=127.0.0.1:{self.port}",
            f"--platform-id={PLATFORM_ID}", f"--domain={DOMAIN}",
            f"--cameras={cameras}", f"--first-id={FIRST_ID}",
            f"--password={PASSWORD}", "--no-catalog-query",
            f"--keepalive-interval={KEEPALIVE}", "--keepalive-max-missed=2",
            f"--database={database}",
        ]  # fmt: skip
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 20
        while b"sip_listening" not in self.log_path.read_bytes():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(self.log_path.read_text()[-2000:])
            time.sleep(0.1)

    def count(self, event: str) -> int:
        needle = f'"event": "{event}"'
        return self.log_path.read_text(errors="replace").count(needle)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def simulator(server: DevServer, *args: str) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "services.signalling.simulator",
        f"--server=127.0.0.1:{server.port}", f"--server-id={PLATFORM_ID}",
        f"--domain={DOMAIN}", f"--password={PASSWORD}", *args,
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)


def report_of(process: subprocess.Popen) -> dict:
    out, _ = process.communicate(timeout=400)
    return json.loads(out.strip().splitlines()[-1])


def simulator_registers(workdir: Path, seconds: float) -> dict:
    server = DevServer(workdir, 2000, "registers")
    try:
        before = cpu_seconds(server.process.pid)
        report = report_of(
            simulator(server, "--bench", "--cameras=2000", f"--duration={seconds}")
        )
        used = cpu_seconds(server.process.pid) - before
    finally:
        server.stop()
    rate = report["registers_per_second"]
    return {
        "figure": "simulator_registers_per_second",
        "registers_per_second": rate,
        "server_cpu_share": round(used / seconds, 2),
    }


def sipp_registers(port: int, calls: int) -> float | None:
    if shutil.which("sipp") is None:
        return None
    command = [
        "sipp", f"127.0.0.1:{port}", "-sf", str(HERE / "reference" / "register.xml"),
        "-s", FIRST_ID, "-au", FIRST_ID, "-ap", PASSWORD, "-i", "127.0.0.1",
        "-p", "0", "-m", str(calls), "-r", "10000", "-l", "200", "-nostdin",
        "-timeout", "60s", "-timeout_error",
    ]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=90)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        return None
    return calls / elapsed


def keepalive_run(workdir: Path, cameras: int, seconds: float, procs: int) -> dict:
    server = DevServer(workdir, cameras, "keepalive")
    ids = device_ids(cameras, FIRST_ID)
    share = -(-cameras // procs)
    ramp = 10.0
    try:
        fleets = [
            simulator(
                server,
                f"--cameras={len(ids[n : n + share])}",
                f"--first-id={ids[n]}",
                f"--keepalive={KEEPALIVE}",
                f"--ramp={ramp}",
                f"--duration={seconds}",
                "--no-qop-share=0.5",
            )  # fmt: skip
            for n in range(0, cameras, share)
        ]
        time.sleep(ramp + 5)
        before, start = cpu_seconds(server.process.pid), time.monotonic()
        reports = [report_of(fleet) for fleet in fleets]
        used = cpu_seconds(server.process.pid) - before
        minutes = (time.monotonic() - start) / 60
    finally:
        server.stop()
    per_thousand = used / (cameras / 1000) / minutes
    return {
        "figure": "keepalive_run",
        "cameras": cameras,
        "simulator_processes": len(reports),
        "keepalive_seconds": KEEPALIVE,
        "registered": sum(report["registered"] for report in reports),
        "online_events": server.count("device_online"),
        "false_offline": server.count("device_offline"),
        "keepalive_refusals": sum(r["keepalive_refusals"] for r in reports),
        "latest_keepalive_late_ms": max(r["latest_keepalive_late_ms"] for r in reports),
        "cpu_seconds_per_1000_cameras_per_minute": round(per_thousand, 3),
        "same_at_60s_keepalives": round(per_thousand * KEEPALIVE / 60, 3),
    }


def kamailio_registers(workdir: Path, calls: int) -> float | None:
    binary = shutil.which("kamailio") or "/usr/sbin/kamailio"
    if not Path(binary).exists():
        return None
    port, pid_file = free_udp_port(), workdir / "kamailio.pid"
    (workdir / "run").mkdir(exist_ok=True)
    subprocess.run(
        [
            binary, "-f", str(HERE / "reference" / "kamailio.cfg"),
            "-l", f"udp:127.0.0.1:{port}", "-n", "1", "-m", "64", "-M", "8",
            "-P", str(pid_file), "-Y", str(workdir / "run"), "-w", str(workdir),
        ],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        timeout=20,
    )  # fmt: skip
    try:
        time.sleep(1)
        return sipp_registers(port, calls)
    finally:
        os.kill(int(pid_file.read_text()), 15)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=10_000)
    parser.add_argument("--keepalive-seconds", type=float, default=75.0)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="short smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.cameras, args.keepalive_seconds = 500, 25.0
    calls = 2000 if args.quick else 20_000
    with tempfile.TemporaryDirectory(prefix="sip-bench-") as name:
        workdir = Path(name)
        print(json.dumps(simulator_registers(workdir, 5 if args.quick else 15)))
        server = DevServer(workdir, 1, "sipp")
        try:
            ours = sipp_registers(server.port, calls)
        finally:
            server.stop()
        reference = kamailio_registers(workdir, calls)
        ratio = round(ours / reference, 3) if ours and reference else None
        print(json.dumps({
            "figure": "sipp_registers_per_second",
            "hotwork": ours and round(ours), "kamailio": reference and round(reference),
            "hotwork_to_kamailio": ratio,
        }))  # fmt: skip
        run = keepalive_run(
            workdir, args.cameras, args.keepalive_seconds, args.processes
        )
        print(json.dumps(run), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
