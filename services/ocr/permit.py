"""Fields of a construction permit (建筑工程施工许可证)."""

from __future__ import annotations

from collections.abc import Callable

from services.ocr import values
from services.ocr.beijing import DISTRICTS, housing_commission
from services.ocr.boxes import TextBox
from services.ocr.fields import Fields, Found, put
from services.ocr.layout import Cell, values_by_label
from services.ocr.values import DOUBTFUL, REPAIRED, Reading

TITLE = "施工许可证"

LABELS = {
    "编号": "number",
    "建设单位": "construction_unit",
    "工程名称": "project_name",
    "建设地址": "address",
    "建设规模": "scale",
    "合同价格": "contract_price",
    "勘察单位": "survey_unit",
    "设计单位": "design_unit",
    "施工单位": "contractor",
    "监理单位": "supervisor_unit",
    "勘察单位项目负责人": "survey_lead",
    "设计单位项目负责人": "design_lead",
    "施工单位项目负责人": "contractor_lead",
    "总监理工程师": "chief_supervisor",
    "合同工期": "duration",
    "发证机关": "issuing_authority",
    "日期": "issue_date",
}
STOPS = ("备注",)

_NORMALISERS: dict[str, Callable[[str], Reading | None]] = {
    "construction_unit": values.organisation,
    "project_name": values.organisation,
    "address": values.organisation,
    "scale": lambda text: values.quantity(text, "平方米"),
    "contract_price": lambda text: values.quantity(text, "万元"),
    "survey_unit": values.organisation,
    "design_unit": values.organisation,
    "contractor": values.organisation,
    "supervisor_unit": values.organisation,
    "survey_lead": values.person,
    "design_lead": values.person,
    "contractor_lead": values.person,
    "chief_supervisor": values.person,
    "duration": lambda text: values.quantity(text, "天"),
    "issue_date": values.date,
}


def read_permit(boxes: list[TextBox]) -> Fields:
    cells = values_by_label(boxes, LABELS, STOPS)
    by_field = {LABELS[label]: cell for label, cell in cells.items()}
    found: Fields = {}
    for field, normalise in _NORMALISERS.items():
        if field in by_field:
            put(found, field, normalise(by_field[field].text), by_field[field])
    _read_number(by_field.get("number"), found)
    _read_authority(by_field.get("issuing_authority"), found)
    return found


def _read_number(cell: Cell | None, found: Fields) -> None:
    # The national numbering: district code, issue date, then a sequence.
    if cell is None:
        return
    number = values.digits(cell.text)
    district, issued = number[:6], values.date(number[6:14])
    plausible = len(number) == 18 and district in DISTRICTS and issued is not None
    reading = Reading(number, 1.0 if plausible else DOUBTFUL)
    put(found, "number", reading, cell)
    if not plausible or issued is None:
        return
    found["district_code"] = Found(district, found["number"].confidence)
    printed = found.get("issue_date")
    if printed is None:
        found["issue_date"] = Found(issued.value, round(cell.score * REPAIRED**2, 3))
    elif printed.value != issued.value:
        found["issue_date"] = printed.doubted(DOUBTFUL)
        found["number"] = found["number"].doubted(REPAIRED)


def _read_authority(cell: Cell | None, found: Fields) -> None:
    if cell is None:
        return
    printed = values.organisation(cell.text)
    district = found.get("district_code")
    reading = housing_commission(
        printed.value if printed else "", district.value if district else None
    )
    put(found, "issuing_authority", reading, cell)
