"""Throwaway PostgreSQL databases and RabbitMQ virtual hosts for one run."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import psycopg2

PG_ADMIN = os.environ.get(
    "TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
AMQP_BASE = os.environ.get("TEST_AMQP_BASE", "amqp://guest:guest@127.0.0.1:5672")


def _admin():
    connection = psycopg2.connect(PG_ADMIN)
    connection.autocommit = True
    return connection


def create_database(prefix: str = "hotwork_test") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    connection = _admin()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    connection = _admin()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        connection.close()


def create_vhost() -> tuple[str, str | None]:
    """A fresh virtual host, so queues of one run never meet another's."""
    if not shutil.which("rabbitmqctl"):
        return AMQP_BASE + "/", None
    vhost = f"hotwork-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True)
    subprocess.run(
        [
            "rabbitmqctl",
            "-q",
            "set_permissions",
            "-p",
            vhost,
            "guest",
            ".*",
            ".*",
            ".*",
        ],
        check=True,
    )
    return f"{AMQP_BASE}/{vhost}", vhost


def delete_vhost(vhost: str | None) -> None:
    if vhost:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], check=False)
