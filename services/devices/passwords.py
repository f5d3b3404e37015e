"""Registration passwords, encrypted at rest with AES-256-GCM.

The key is derived with HKDF from `DEVICE_SECRET_KEY`. The device id is the
associated data, so a ciphertext copied onto another device's row fails to
decrypt instead of lending it a password. Events carry only the id of a
row here, never the ciphertext: the bus and every read model stay free of
secrets, and deleting a removed device's rows erases its password for good.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import uuid
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection, delete, insert, select

from services.common.config import required_secret, setting
from services.devices.tables import secrets as secrets_table

NONCE_BYTES = 12


class PasswordBox:
    """Encrypts and decrypts passwords under one key."""

    def __init__(self, key_material: str):
        if len(key_material) < 32:
            raise RuntimeError("DEVICE_SECRET_KEY must be at least 32 characters")
        raw = key_material.encode()
        self.key_id = hashlib.sha256(b"key-id:" + raw).hexdigest()[:16]
        key = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=None,
            info=b"hotwork devices registration password v1",
        ).derive(raw)
        self._aead = AESGCM(key)
        self._blind_key = hashlib.sha256(b"blind:" + key).digest()

    def seal(self, device_id: str, password: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, password.encode(), device_id.encode())
        return nonce + sealed

    # A known shortcoming: there is one key and no rotation; the key id kept
    # with each row is what a rotation would use to pick the old key.
    def open(self, device_id: str, ciphertext: bytes) -> str:
        nonce, sealed = ciphertext[:NONCE_BYTES], ciphertext[NONCE_BYTES:]
        try:
            plain = self._aead.decrypt(nonce, sealed, device_id.encode())
        except InvalidTag:
            raise RuntimeError("a device password does not decrypt") from None
        return plain.decode()

    def blind(self, password: str) -> str:
        """A keyed digest that tells passwords apart without revealing them.

        Idempotency fingerprints use it: a bare hash of a short password would
        be easy to reverse by trying every candidate.
        """
        return hmac.new(self._blind_key, password.encode(), "sha256").hexdigest()

    def __repr__(self) -> str:
        return f"PasswordBox(key_id={self.key_id})"


def load_key() -> str:
    """The key from config; in embedded mode, from a file made on first use.

    `DEVICE_SECRET_KEY_FILE` is set only by the embedded configuration, so
    a suite or cluster without `DEVICE_SECRET_KEY` refuses to start.
    """
    key = setting("DEVICE_SECRET_KEY")
    if key:
        return str(key)
    path = setting("DEVICE_SECRET_KEY_FILE")
    if not path:
        return required_secret("DEVICE_SECRET_KEY")
    return _key_from_file(Path(path))


def _key_from_file(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


class SecretVault:
    """Password rows in the registry's database, sealed by a PasswordBox."""

    def __init__(self, box: PasswordBox):
        self.box = box

    def put(self, connection: Connection, device_id: str, password: str) -> str:
        secret_id = str(uuid.uuid4())
        connection.execute(
            insert(secrets_table).values(
                secret_id=secret_id,
                device_id=device_id,
                key_id=self.box.key_id,
                ciphertext=self.box.seal(device_id, password),
                created_at=datetime.now(UTC),
            )
        )
        return secret_id

    def get(self, connection: Connection, device_id: str, secret_id: str) -> str:
        ciphertext = connection.scalar(
            select(secrets_table.c.ciphertext).where(
                secrets_table.c.secret_id == secret_id,
                secrets_table.c.device_id == device_id,
            )
        )
        if ciphertext is None:
            raise RuntimeError(f"password {secret_id} of {device_id} is missing")
        return self.box.open(device_id, bytes(ciphertext))

    def get_many(self, connection: Connection, refs: dict[str, str]) -> dict[str, str]:
        """Passwords of several devices in one query: device id → password."""
        if not refs:
            return {}
        rows = connection.execute(
            select(secrets_table.c.device_id, secrets_table.c.ciphertext).where(
                secrets_table.c.secret_id.in_(list(refs.values()))
            )
        )
        return {
            row.device_id: self.box.open(row.device_id, bytes(row.ciphertext))
            for row in rows
            if refs.get(row.device_id) is not None
        }

    def keep_only(self, connection: Connection, device_id: str, secret_id: str):
        """Forget the device's earlier passwords once a new one is set."""
        connection.execute(
            delete(secrets_table).where(
                secrets_table.c.device_id == device_id,
                secrets_table.c.secret_id != secret_id,
            )
        )

    def erase(self, connection: Connection, device_id: str) -> None:
        connection.execute(
            delete(secrets_table).where(secrets_table.c.device_id == device_id)
        )
