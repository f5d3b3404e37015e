"""Value types shared by several contracts, each validated where it enters."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field, StringConstraints

from contracts.base import Contract
from services.common.codes import credit_code_problem, id_number_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Beijing's sixteen districts and the Economic-Technological Development Area,
# whose administrative-area code is given here as 110302 (its management
# committee's code in city systems); the others are the GB/T 2260 codes.
DISTRICTS: dict[str, str] = {
    "110101": "东城区",
    "110102": "西城区",
    "110105": "朝阳区",
    "110106": "丰台区",
    "110107": "石景山区",
    "110108": "海淀区",
    "110109": "门头沟区",
    "110111": "房山区",
    "110112": "通州区",
    "110113": "顺义区",
    "110114": "昌平区",
    "110115": "大兴区",
    "110116": "怀柔区",
    "110117": "平谷区",
    "110118": "密云区",
    "110119": "延庆区",
    "110302": "北京经济技术开发区",
}


def _check_district(code: str) -> str:
    if code not in DISTRICTS:
        raise ValueError("must be a Beijing district code, e.g. 110105")
    return code


def _check_credit_code(code: str) -> str:
    problem = credit_code_problem(code.upper())
    if problem:
        raise ValueError(problem)
    return code.upper()


def _check_id_number(number: str) -> str:
    problem = id_number_problem(number.upper())
    if problem:
        raise ValueError(problem)
    return number.upper()


def _as_utc(moment: datetime) -> datetime:
    # A time without an offset is what a user in Beijing typed: Shanghai time.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    if not 2000 <= moment.year <= 2199:
        raise ValueError("must be a time between the years 2000 and 2199")
    return moment.astimezone(ZoneInfo("UTC"))


def _printable(text: str) -> str:
    if any(ord(char) < 32 or ord(char) == 127 for char in text):
        raise ValueError("must not contain control characters")
    return text


DistrictCode = Annotated[str, AfterValidator(_check_district)]
CreditCode = Annotated[str, AfterValidator(_check_credit_code)]
IdNumber = Annotated[str, AfterValidator(_check_id_number)]
Mobile = Annotated[
    str,
    StringConstraints(pattern=r"^1[3-9][0-9]{9}$"),
    Field(description="Mainland mobile number, 11 digits", examples=["13800138000"]),
]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Moment = Annotated[
    datetime,
    AfterValidator(_as_utc),
    Field(description="ISO 8601; without an offset it is Asia/Shanghai time"),
]
Name = Annotated[
    str, StringConstraints(min_length=1, max_length=50), AfterValidator(_printable)
]
Text = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(_printable)
]
# Free text may keep line breaks and tabs, nothing else below a space.
LongText = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class CoordinateSystem(StrEnum):
    WGS84 = "WGS-84"
    GCJ02 = "GCJ-02"


class Coordinates(Contract):
    latitude: float = Field(ge=-90, le=90, strict=True)
    longitude: float = Field(ge=-180, le=180, strict=True)
    system: CoordinateSystem = CoordinateSystem.GCJ02
