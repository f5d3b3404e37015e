"""What the query service answers: the filing list, details and map points."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator

from contracts.base import Contract
from contracts.values import SHANGHAI, DistrictCode


class HotWorkStatus(StrEnum):
    """From the clock, at read time (guide 3.2.2 (2))."""

    BEFORE = "before"  # 动火前
    DURING = "during"  # 动火中
    AFTER = "after"  # 动火后


class Completion(StrEnum):
    """Ended once a supervision report exists (guide 3.2.2 (3))."""

    ENDED = "ended"  # 已结束
    PENDING = "pending"  # 待结束


class SearchCriteria(Contract):
    """`from`/`to` are dates or times in Asia/Shanghai; default: today."""

    from_: date | datetime | None = Field(default=None, alias="from")
    to: date | datetime | None = None
    district: tuple[DistrictCode, ...] | None = None
    status: HotWorkStatus | None = None
    completion: Completion | None = None
    incomplete: bool | None = None
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=20, ge=1, le=200)

    model_config = Contract.model_config | {"populate_by_name": True}

    @field_validator("from_", "to")
    @classmethod
    def _plausible(cls, value):
        if value is not None and not 2000 <= value.year <= 2199:
            raise ValueError("must be a date between the years 2000 and 2199")
        return value

    @field_validator("to")
    @classmethod
    def _forward(cls, value, info):
        start = info.data.get("from_")
        if value and start and _as_datetime(value) < _as_datetime(start):
            raise ValueError("must not be before 'from'")
        return value


def _as_datetime(value: date | datetime) -> datetime:
    """Comparable instants: dates and naive times are Beijing time."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value


class FilingSummary(Contract):
    id: str
    project_id: str
    hot_work_id: str | None
    district: str | None
    start_at: datetime | None
    end_at: datetime | None
    status: HotWorkStatus | None
    completion: Completion
    incomplete: bool
    summary: dict[str, Any]


class SearchPage(Contract):
    items: list[FilingSummary]
    page: int
    page_size: int
    total: int
