"""The suite as a cluster runs it: one process per service, real broker and DB."""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path

import requests

from services.cluster import services as suite_services
from services.gateway.auth import TokenRequest, mint
from tests.support.processes import (
    ServiceProcess,
    child_env,
    free_port,
    http_up,
    wait_until,
)


class Suite:
    def __init__(self, workdir: Path, database_url: str, amqp_uri: str):
        self.token_key = secrets.token_hex(32)
        self.amqp_uri = amqp_uri
        self.database_url = database_url
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/api/v1"
        self.workdir = workdir
        self.sip_port = sip_port = free_port()
        env = child_env(
            AMQP_URI=amqp_uri,
            DATABASE_URL=database_url,
            TOKEN_KEY=self.token_key,
            WEB_SERVER_ADDRESS=f"127.0.0.1:{port}",
            BLOB_DIR=workdir / "blobs",
            DEVICE_SECRET_KEY=secrets.token_urlsafe(32),
            SIP_ADDRESS=f"127.0.0.1:{sip_port}",
            SIP_PUBLIC_PORT=sip_port,
            SIP_NONCE_SECRET=secrets.token_hex(32),
            SIP_KEEPALIVE_INTERVAL=2,
            SIP_KEEPALIVE_MAX_MISSED=3,
            SIP_SWEEP_INTERVAL=0.5,
        )
        self.services = {
            name: ServiceProcess(name, target, env, workdir, "config/suite.yml")
            for name, target in suite_services().items()
        }

    def start(self, *names: str) -> None:
        for name in names or self.services:
            self.services[name].start()
        self.wait_ready()

    def stop(self, *names: str) -> None:
        for name in names or self.services:
            self.services[name].stop()

    def kill(self, name: str) -> None:
        self.services[name].kill()

    def wait_ready(self, timeout: float = 60) -> None:
        wait_until(lambda: http_up(self.url), timeout, what="the gateway")
        token = self.token(role="enterprise", credit_code="91110118923E942H3G")
        headers = {"Authorization": f"Bearer {token}"}
        probe = f"{self.url}/projects/00000000-0000-0000-0000-000000000000"

        def answering():
            filing = requests.get(probe, headers=headers, timeout=5)
            query = requests.get(f"{self.url}/hot-works", headers=headers, timeout=5)
            return filing.status_code == 404 and query.status_code == 200

        wait_until(answering, timeout, what="filing and query")

    def token(self, **claims) -> str:
        return mint(TokenRequest(**claims), self.token_key)

    def headers(self, **claims) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(**claims)}"}

    @contextlib.contextmanager
    def rpc(self, timeout: float = 120):
        from nameko.standalone.rpc import ClusterRpcClient

        with ClusterRpcClient(uri=self.amqp_uri, timeout=timeout) as client:
            yield client

    def logs(self, name: str) -> str:
        return self.services[name].log_path.read_text(errors="replace")


@contextlib.contextmanager
def running_suite():
    """A whole suite on a throwaway database and vhost, torn down after."""
    import tempfile

    from tests.support import databases

    database_url = databases.create_database()
    amqp_uri, vhost = databases.create_vhost()
    try:
        with tempfile.TemporaryDirectory(prefix="hotwork-suite-") as workdir:
            suite = Suite(Path(workdir), database_url, amqp_uri)
            try:
                suite.start()
                yield suite
            finally:
                suite.stop()
    finally:
        databases.delete_vhost(vhost)
        databases.drop_database(database_url)
