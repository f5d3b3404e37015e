"""Answers from the registry table: details, search, briefs, SIP credentials.

Every answer checks who asks: the owning enterprise sees its cameras with
their passwords; a regulator sees the cameras of its districts without;
anyone else finds nothing.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Connection, Select, and_, func, select

from contracts.devices import (
    Device,
    DeviceBrief,
    DevicePage,
    DeviceSearch,
    SipCredentials,
    SipPlatform,
)
from contracts.errors import Forbidden, NotFound
from services.devices import domain, presence
from services.devices.passwords import SecretVault
from services.devices.tables import presence as presence_table
from services.devices.tables import registry

Actor = dict[str, Any]

_joined = registry.outerjoin(presence_table, presence_table.c.code == registry.c.code)
_columns = [
    *registry.c,
    presence_table.c.online,
    presence_table.c.last_seen_at,
    presence_table.c.reported_at,
]


class Reader:
    def __init__(self, vault: SecretVault, platform: SipPlatform):
        self.vault = vault
        self.platform = platform

    def details(self, connection: Connection, actor: Actor, device_id: str) -> dict:
        row = _live_row(connection, registry.c.device_id == str(device_id))
        if row is None or not domain.may_read(actor, row.owner, row.district):
            raise NotFound("no such device", field="id")
        password = None
        if domain.is_owner(actor, row.owner):
            password = self.vault.get(connection, row.device_id, row.password_ref)
        return self._device(row, password)

    def search(self, connection: Connection, actor: Actor, criteria: DeviceSearch):
        query = _visible(select(*_columns).select_from(_joined), actor)
        if criteria.q:
            query = query.where(
                registry.c.name_key.contains(criteria.q.casefold(), autoescape=True)
            )
        total = connection.scalar(
            select(func.count()).select_from(query.order_by(None).subquery())
        )
        rows = connection.execute(
            query.order_by(registry.c.created_at.desc(), registry.c.device_id)
            .limit(criteria.page_size)
            .offset((criteria.page - 1) * criteria.page_size)
        )
        rows = rows.all()
        owned = {r.device_id: r.password_ref for r in rows if _owns(actor, r)}
        passwords = self.vault.get_many(connection, owned)
        items = [self._device(row, passwords.get(row.device_id)) for row in rows]
        page = DevicePage(
            items=items,
            page=criteria.page,
            page_size=criteria.page_size,
            total=total,
        )
        return page.model_dump(mode="json")

    def brief(self, connection: Connection, actor: Actor, device_id: str) -> dict:
        row = _live_row(connection, registry.c.device_id == str(device_id))
        if row is None or not domain.may_read(actor, row.owner, row.district):
            raise NotFound("no such device", field="id")
        return _brief(row)

    def briefs(self, connection: Connection, device_ids: list[str]) -> list[dict]:
        ids = [str(each) for each in device_ids]
        query = select(*_columns).select_from(_joined)
        rows = connection.execute(
            query.where(registry.c.device_id.in_(ids), ~registry.c.removed)
        )
        found = {row.device_id: _brief(row) for row in rows}
        return [found[each] for each in ids if each in found]

    def sip_credentials(self, connection: Connection, code: str) -> dict:
        row = _live_row(connection, registry.c.code == str(code))
        if row is None:
            raise NotFound("no such device code", field="device_id")
        password = self.vault.get(connection, row.device_id, row.password_ref)
        realm = self.platform.domain
        ha1 = _ha1(row.code, realm, password)
        return SipCredentials(device_id=row.code, realm=realm, ha1=ha1).model_dump()

    def _device(self, row: Any, password: str | None) -> dict:
        device = Device(
            id=row.device_id,
            version=row.version,
            code=row.code,
            channel_code=row.channel_code,
            owner=row.owner,
            name=row.name,
            brand=row.brand,
            mac=row.mac,
            ip=row.ip,
            unit=row.unit,
            district=row.district,
            contact=row.contact,
            contact_phone=row.contact_phone,
            password=password,
            sip=self.platform,
            presence=presence.describe(row),
            created_at=presence.utc(row.created_at),
            updated_at=presence.utc(row.updated_at),
        )
        return device.model_dump(mode="json")


def _owns(actor: Actor, row: Any) -> bool:
    return domain.is_owner(actor, row.owner)


def _live_row(connection: Connection, condition) -> Any:
    query = select(*_columns).select_from(_joined)
    return connection.execute(query.where(condition, ~registry.c.removed)).first()


def _visible(query: Select, actor: Actor) -> Select:
    live = ~registry.c.removed
    if actor.get("role") == "regulator" and actor.get("districts"):
        return query.where(and_(live, registry.c.district.in_(actor["districts"])))
    if actor.get("role") == "enterprise" and actor.get("credit_code"):
        return query.where(and_(live, registry.c.owner == actor["credit_code"]))
    raise Forbidden("this role cannot read cameras", field="role")


def _brief(row: Any) -> dict:
    brief = DeviceBrief(
        id=row.device_id,
        code=row.code,
        channel_code=row.channel_code,
        name=row.name,
        owner=row.owner,
        district=row.district,
        **presence.describe(row),
    )
    return brief.model_dump(mode="json")


def _ha1(username: str, realm: str, password: str) -> str:
    # RFC 2617 §3.2.2.2: HA1 = MD5(username ":" realm ":" password).
    return hashlib.md5(f"{username}:{realm}:{password}".encode()).hexdigest()
