"""Fields of a special operation certificate (特种作业操作证)."""

from __future__ import annotations

import datetime as dt

from services.common.codes import sex_of_id_number
from services.ocr import values
from services.ocr.beijing import emergency_bureau
from services.ocr.boxes import TextBox
from services.ocr.fields import Fields, Found, put
from services.ocr.layout import Cell, values_by_label
from services.ocr.operations import CATEGORIES, OPERATIONS
from services.ocr.values import DOUBTFUL, REPAIRED, Reading

TITLE = "特种作业操作证"

# Older and provincial cards word some labels differently.
LABELS = {
    "证号": "certificate_number",
    "证件号码": "certificate_number",
    "姓名": "name",
    "性别": "sex",
    "作业类别": "category",
    "操作项目": "operation",
    "准操项目": "operation",
    "初领日期": "first_issued",
    "有效期限": "validity",
    "有效期": "validity",
    "签发机关": "issuer",
    "发证机关": "issuer",
}
# A certificate is valid for six years, to the day before the anniversary.
_VALID_YEARS = 6


def read_certificate(boxes: list[TextBox]) -> Fields:
    by_field: dict[str, Cell] = {}
    for label, cell in values_by_label(boxes, LABELS).items():
        by_field.setdefault(LABELS[label], cell)
    found: Fields = {}
    readers = {
        "certificate_number": values.id_number,
        "name": values.person,
        "sex": _sex,
        "category": lambda text: values.one_of(text, CATEGORIES),
        "operation": lambda text: values.one_of(text, OPERATIONS),
        "first_issued": values.date,
        "issuer": lambda text: emergency_bureau(_plain(text)),
    }
    for field, read in readers.items():
        if field in by_field:
            put(found, field, read(by_field[field].text), by_field[field])
    if "validity" in by_field:
        _read_validity(by_field["validity"], found)
    _check_sex(found)
    return found


def _plain(text: str) -> str:
    reading = values.organisation(text)
    return reading.value if reading else ""


def _sex(text: str) -> Reading | None:
    for sex in "男女":
        if sex in text:
            return Reading(sex)
    return None


def _read_validity(cell: Cell, found: Fields) -> None:
    dates = values.dates_in(cell.text)
    if len(dates) >= 2:
        put(found, "valid_from", dates[0], cell)
        put(found, "valid_to", dates[-1], cell)
    elif len(dates) == 1:
        # One date read: take it as the start and infer the customary end.
        start = dates[0]
        end = Reading(_customary_end(start.value), REPAIRED * REPAIRED)
        put(found, "valid_from", start, cell)
        put(found, "valid_to", end, cell)


def _customary_end(start: str) -> str:
    day = dt.date.fromisoformat(start)
    try:
        anniversary = day.replace(year=day.year + _VALID_YEARS)
    except ValueError:
        anniversary = day.replace(year=day.year + _VALID_YEARS, day=28)
    return (anniversary - dt.timedelta(days=1)).isoformat()


def _check_sex(found: Fields) -> None:
    # The 17th digit of the ID number is odd for men and even for women.
    number = found.get("certificate_number")
    if number is None or len(number.value) != 18 or not number.value[:17].isdigit():
        return
    implied = sex_of_id_number(number.value)
    printed = found.get("sex")
    if printed is None:
        found["sex"] = Found(implied, round(number.confidence * REPAIRED, 3))
    elif printed.value != implied:
        found["sex"] = printed.doubted(DOUBTFUL)
        found["certificate_number"] = number.doubted(DOUBTFUL)
