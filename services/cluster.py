"""`make up` / `make down`: each service its own process, as in a cluster.

Runs against RabbitMQ and PostgreSQL (AMQP_URI, DATABASE_URL; defaults are
the local servers). Secrets that have no default outside the embedded mode
are taken from the environment, or generated once into var/cluster/ for a
developer's machine.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATE = ROOT / "var" / "cluster"
SECRETS = ("TOKEN_KEY", "DEVICE_SECRET_KEY", "SIP_NONCE_SECRET")


def services() -> dict[str, str]:
    """name → `module:Class` of every service the embedded mode runs."""
    source = (ROOT / "services" / "embedded.py").read_text()
    found = re.findall(r"from (services\.(\w+)\.service) import (\w+)", source)
    return {name: f"{module}:{cls}" for module, name, cls in found}


def _secret(name: str) -> str:
    if os.environ.get(name):
        return os.environ[name]
    path = STATE / name.lower()
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _ensure_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    import psycopg2

    base, name = url.rsplit("/", 1)
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def up() -> None:
    STATE.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/hotwork")
    for name in SECRETS:
        env[name] = _secret(name)
    _ensure_database(env["DATABASE_URL"])
    nameko = str(Path(sys.executable).with_name("nameko"))
    for name, target in services().items():
        with open(STATE / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                [nameko, "run", "--config", "config/suite.yml", target],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        (STATE / f"{name}.pid").write_text(str(process.pid))
        print(f"started {name} (pid {process.pid}), log var/cluster/{name}.log")
    address = env.get("WEB_SERVER_ADDRESS", "127.0.0.1:8000")
    print(f"gateway: http://{address}/api/v1 (tokens: key in var/cluster/token_key)")


def down() -> None:
    for pid_file in sorted(STATE.glob("*.pid")):
        pid = int(pid_file.read_text())
        try:
            os.kill(pid, signal.SIGTERM)
            print(f"stopped {pid_file.stem} (pid {pid})")
        except ProcessLookupError:
            pass
        pid_file.unlink()


if __name__ == "__main__":
    {"up": up, "down": down}[sys.argv[1]]()
