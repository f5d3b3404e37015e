"""Valid bodies for filings, with overrides, and photos to attach."""

from __future__ import annotations

import io
import itertools
import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image

from services.common.codes import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_char,
    organisation_code_check_char,
)

FIXTURES = Path(
    os.environ.get(
        "HOTWORK_FIXTURES", Path(__file__).resolve().parents[3] / "shared" / "fixtures"
    )
)


def new_credit_code(rng: random.Random | None = None) -> str:
    """A random code that passes GB 32100 and its embedded GB 11714 check."""
    rng = rng or random.Random()
    organisation = "".join(
        rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8)
    )
    organisation += organisation_code_check_char(organisation)
    if organisation[-1] not in CREDIT_CODE_ALPHABET:
        return new_credit_code(rng)
    body = "91" + "110105" + organisation
    return body + credit_code_check_char(body)


def project_body(**overrides) -> dict:
    body = {
        "project_type": "renovation",
        "permit_type": "construction_permit",
        "permit_number": "110105202502202465",
        "construction_unit": "北京嘉禾建筑装饰有限责任公司",
        "construction_unit_credit_code": "91110118923E942H3G",
        "industry_authority": "北京市朝阳区住房和城乡建设委员会",
        "project_name": "朝阳区综合楼改造工程",
        "contractor": "北京华宇建工有限公司",
        "district": "110105",
        "address": "北京市朝阳区青春路232号",
        "coordinates": {"latitude": 39.92, "longitude": 116.44, "system": "GCJ-02"},
        "scale": "12644平方米",
        "issuing_authority": "北京市朝阳区住房和城乡建设委员会",
    }
    body.update(overrides)
    return body


def hot_work_body(
    start_in: timedelta = timedelta(hours=1), hours: float = 4, **overrides
):
    start = datetime.now(UTC) + start_in
    body = {
        "location": "三层东侧管道井",
        "worker_name": "冯军",
        "worker_mobile": "13800138000",
        "start_at": start.isoformat(),
        "end_at": (start + timedelta(hours=hours)).isoformat(),
        "methods": ["grinding"],
    }
    body.update(overrides)
    return body


def certificate_body(**overrides) -> dict:
    """A welder's certificate that fits `hot_work_body()`'s worker and window."""
    today = datetime.now(UTC).date()
    return {
        "number": "110113197912039878",
        "name": "冯军",
        "sex": "男",
        "category": "焊接与热切割作业",
        "operation": "熔化焊接与热切割作业",
        "valid_from": (today - timedelta(days=365)).isoformat(),
        "valid_to": (today + timedelta(days=365)).isoformat(),
        "issuer": "北京市应急管理局",
        **overrides,
    }


def fire_watch_body(**overrides) -> dict:
    return {"name": "李明", "mobile": "13900139000", **overrides}


def permit_photo() -> bytes:
    """A permit photo from the shared fixtures, as users upload them."""
    return (FIXTURES / "documents" / "permit-11-000.jpg").read_bytes()


def small_photo(color=(200, 80, 40), kind: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, kind)
    return buffer.getvalue()


_macs = itertools.count(random.randrange(0x020000000000, 0x02F000000000, 2**16))


def device_body(**overrides) -> dict:
    body = {
        "name": "东门 Gate camera",
        "brand": "hikvision",
        "password": "Abc12345",
        "mac": f"{next(_macs):012x}",
        "unit": "北京某建设有限公司",
        "district": "110105",
        "contact": "张三",
        "contact_phone": "13800138000",
    }
    return {**body, **overrides}
