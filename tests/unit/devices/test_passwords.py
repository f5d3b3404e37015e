"""The registration password: sealed at rest, absent from events and logs."""

import hashlib
import json
import logging

import pytest
from sqlalchemy import select

from contracts.errors import NotFound
from services.common.logging import configure_logging
from services.devices import passwords, tables
from services.devices.passwords import PasswordBox
from tests.unit.devices.conftest import KEY, PLATFORM

SECRET = "Zq7Wx9Kp"


def test_sealing_round_trips_and_binds_the_device():
    box = PasswordBox(KEY)
    sealed = box.seal("device-a", SECRET)
    assert SECRET.encode() not in sealed
    assert box.open("device-a", sealed) == SECRET
    assert box.seal("device-a", SECRET) != sealed  # fresh nonce each time
    with pytest.raises(RuntimeError):
        box.open("device-b", sealed)
    with pytest.raises(RuntimeError):
        PasswordBox("another-key-" + "x" * 32).open("device-a", sealed)


def test_a_short_key_is_refused():
    with pytest.raises(RuntimeError):
        PasswordBox("too short")


def test_embedded_mode_keeps_a_generated_key(tmp_path, monkeypatch):
    path = tmp_path / "var" / "device-secret.key"
    monkeypatch.setenv("DEVICE_SECRET_KEY_FILE", str(path))
    monkeypatch.delenv("DEVICE_SECRET_KEY", raising=False)
    first = passwords.load_key()
    assert passwords.load_key() == first
    assert len(first) >= 32
    assert path.stat().st_mode & 0o777 == 0o600


def test_outside_embedded_mode_the_key_is_required(monkeypatch):
    monkeypatch.delenv("DEVICE_SECRET_KEY_FILE", raising=False)
    monkeypatch.delenv("DEVICE_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="DEVICE_SECRET_KEY"):
        passwords.load_key()


def _everything_stored(engine) -> str:
    with engine.connect() as connection:
        dumps = []
        for table in (
            tables.registry,
            tables.secrets,
            tables.live_macs,
        ):
            dumps += [repr(tuple(row)) for row in connection.execute(select(table))]
    return "\n".join(dumps)


def test_no_event_and_no_stored_row_holds_the_password(registry, company):
    request = registry.request(company, key="retry-me")
    answer = registry.commands.register(
        request, {**_body(), "password": SECRET, "name": "gate"}
    )
    registry.commands.change(
        registry.request(company, key="change-1"),
        answer["id"],
        {"password": "N3wPass1"},
    )
    events = registry.store.read_all(0, 100)
    text = json.dumps(events, ensure_ascii=False)
    assert SECRET not in text and "N3wPass1" not in text
    assert [e["type"] for e in events] == ["device.registered", "device.changed"]
    assert "password_ref" in events[0]["payload"]
    with registry.engine.connect() as connection:
        keys = connection.execute(select(registry.store.idempotency)).all()
    stored = _everything_stored(registry.engine) + repr(keys)
    assert SECRET not in stored and "N3wPass1" not in stored
    # Nor a bare hash of it, which a short password would give away.
    assert hashlib.sha256(SECRET.encode()).hexdigest() not in stored
    assert registry.details(company, answer["id"])["password"] == "N3wPass1"


def test_logs_never_carry_the_password(registry, company, capsys):
    configure_logging("DEBUG")
    logging.getLogger().setLevel(logging.DEBUG)
    answer = registry.commands.register(
        registry.request(company), {**_body(), "password": SECRET}
    )
    registry.commands.change(
        registry.request(company), answer["id"], {"password": "N3wPass1"}
    )
    registry.commands.remove(registry.request(company), answer["id"])
    output = capsys.readouterr().out
    assert json.loads(output.splitlines()[0])["event"] == "device_registered"
    assert answer["id"] in output
    assert SECRET not in output and "N3wPass1" not in output


def test_sip_credentials_give_the_digest_not_the_password(registry, company):
    answer = registry.commands.register(
        registry.request(company), {**_body(), "password": SECRET}
    )
    with registry.engine.connect() as connection:
        found = registry.reader.sip_credentials(connection, answer["code"])
    realm = PLATFORM.domain
    ha1 = hashlib.md5(f"{answer['code']}:{realm}:{SECRET}".encode()).hexdigest()
    assert found == {"device_id": answer["code"], "realm": realm, "ha1": ha1}
    registry.commands.remove(registry.request(company), answer["id"])
    with registry.engine.connect() as connection, pytest.raises(NotFound):
        registry.reader.sip_credentials(connection, answer["code"])


def _body():
    from tests.unit.devices.conftest import device_body

    return device_body()
