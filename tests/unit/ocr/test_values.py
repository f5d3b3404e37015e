"""Normalising what was read, and repairing it where the domain allows."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.codes import id_number_check_char, id_number_problem
from services.ocr import values
from services.ocr.beijing import emergency_bureau, housing_commission


@pytest.mark.parametrize(
    ("printed", "iso"),
    [
        ("2025年04月28日", "2025-04-28"),
        ("2025-04-28", "2025-04-28"),
        ("2025.4.8", "2025-04-08"),
        ("2O25年O4月28日", "2025-04-28"),
    ],
)
def test_dates_come_out_iso(printed: str, iso: str) -> None:
    reading = values.date(printed)
    assert reading is not None and reading.value == iso


def test_a_date_that_does_not_exist_is_not_read() -> None:
    assert values.date("2025-02-30") is None


def test_a_validity_range_yields_both_dates() -> None:
    found = values.dates_in("2016-03-03至2022-03-02")
    assert [reading.value for reading in found] == ["2016-03-03", "2022-03-02"]


def test_the_leading_t_of_a_certificate_number_is_dropped() -> None:
    reading = values.id_number("T11011819881018144X")
    assert reading == values.Reading("11011819881018144X")


def test_a_lowercase_check_x_is_read_as_x() -> None:
    reading = values.id_number("11011819881018144x")
    assert reading is not None and reading.value == "11011819881018144X"


ID_BODIES = st.builds(
    lambda district, year, month, day, serial: (
        f"{district}{year:04d}{month:02d}{day:02d}{serial:03d}"
    ),
    st.sampled_from(["110101", "110105", "110108", "110118"]),
    st.integers(1950, 2005),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 999),
)


@given(ID_BODIES)
def test_a_valid_id_number_is_trusted_as_read(body: str) -> None:
    number = body + id_number_check_char(body)
    assert values.id_number(number) == values.Reading(number)


@given(ID_BODIES, st.integers(0, 16))
def test_an_id_number_with_a_slip_is_never_trusted_fully(body: str, index: int) -> None:
    number = body + id_number_check_char(body)
    slipped_digit = "8" if number[index] != "8" else "3"
    slipped = number[:index] + slipped_digit + number[index + 1 :]
    reading = values.id_number(slipped)
    assert reading is not None
    if reading.value != slipped:
        assert id_number_problem(reading.value) is None
    assert reading.trust < 1


def test_an_organisation_keeps_its_name_without_spacing() -> None:
    reading = values.organisation("北京 嘉禾建筑装饰 有限责任公司")
    assert reading == values.Reading("北京嘉禾建筑装饰有限责任公司")


@pytest.mark.parametrize(
    ("read", "unit", "value", "trusted"),
    [
        ("12644平方米", "平方米", "12644平方米", True),
        ("12644 平方来", "平方米", "12644平方米", False),
        ("85910万元", "万元", "85910万元", True),
        ("382天", "天", "382天", True),
    ],
)
def test_quantities_keep_their_unit(
    read: str, unit: str, value: str, trusted: bool
) -> None:
    reading = values.quantity(read, unit)
    assert reading is not None and reading.value == value
    assert (reading.trust == 1) is trusted


def test_a_slip_in_a_catalogued_operation_is_snapped_to_the_catalogue() -> None:
    reading = values.one_of(
        "熔化焊接与热切剖作业", ["熔化焊接与热切割作业", "钎焊作业"]
    )
    assert reading == values.Reading("熔化焊接与热切割作业", values.REPAIRED)


def test_a_district_hidden_by_the_seal_comes_from_the_permit_number() -> None:
    reading = housing_commission("北京市区住房和城乡建设委员会", "110118")
    assert reading.value == "北京市密云区住房和城乡建设委员会"
    assert reading.trust < 1


def test_the_city_commission_is_kept_when_no_district_is_printed() -> None:
    reading = housing_commission("北京市住房和城乡建设委员会", "110118")
    assert reading == values.Reading("北京市住房和城乡建设委员会")


def test_a_district_bureau_is_read_with_its_district() -> None:
    reading = emergency_bureau("北京市朝阳区应急管理局")
    assert reading == values.Reading("北京市朝阳区应急管理局")


@pytest.mark.parametrize("printed", ["T110113197912039878", "7110113197912039878"])
def test_a_leading_t_read_as_a_lookalike_is_dropped(printed: str) -> None:
    assert values.id_number(printed) == values.Reading("110113197912039878")
