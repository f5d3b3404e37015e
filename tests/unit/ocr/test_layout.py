"""Labels pair with the values on their right, by geometry alone."""

from __future__ import annotations

from services.ocr.boxes import TextBox
from services.ocr.layout import match_label, values_by_label


def box(
    text: str,
    left: float,
    top: float,
    width: float,
    height: float = 30,
    score: float = 0.99,
    red: bool = False,
) -> TextBox:
    quad = (
        (left, top),
        (left + width, top),
        (left + width, top + height),
        (left, top + height),
    )
    return TextBox(quad=quad, text=text, score=score, red=red)


LEADS = ("勘察单位项目负责人", "设计单位项目负责人", "勘察单位", "设计单位")


def test_two_pairs_on_one_line_each_get_their_own_value() -> None:
    boxes = [
        box("勘察单位项目负责人", 0, 0, 150),
        box("袁杰飞", 170, 4, 70),
        box("设计单位项目负责人", 330, 0, 150),
        box("于国", 500, 2, 50),
    ]
    cells = values_by_label(boxes, LEADS)
    assert cells["勘察单位项目负责人"].text == "袁杰飞"
    assert cells["设计单位项目负责人"].text == "于国"


def test_a_value_read_in_the_same_box_as_its_label_is_kept() -> None:
    cells = values_by_label([box("编号110118202502202465", 0, 0, 300)], ["编号"])
    assert cells["编号"].text == "110118202502202465"


def test_a_value_split_over_boxes_is_joined_in_reading_order() -> None:
    boxes = [
        box("有限公司", 330, 0, 90),
        box("建设单位", 0, 0, 90),
        box("北京嘉禾建筑", 150, 1, 150, score=0.8),
    ]
    cell = values_by_label(boxes, ["建设单位"])["建设单位"]
    assert cell.text == "北京嘉禾建筑有限公司"
    assert cell.score == 0.8


def test_lines_above_and_below_and_the_seal_lettering_are_left_out() -> None:
    boxes = [
        box("有效期限", 0, 100, 100),
        box("2016-03-03至2022-03-02", 150, 100, 280),
        box("北", 470, 108, 20, height=20, red=True),
        box("2016-03-03", 150, 50, 130),
        box("北京市应急管理局", 150, 150, 200),
    ]
    cells = values_by_label(boxes, ["有效期限"])
    assert cells["有效期限"].text == "2016-03-03至2022-03-02"


def test_a_tilted_line_still_pairs() -> None:
    slope = 0.08

    def tilted(text: str, left: float, width: float) -> TextBox:
        top = left * slope
        quad = (
            (left, top),
            (left + width, top + width * slope),
            (left + width, top + width * slope + 30),
            (left, top + 30),
        )
        return TextBox(quad=quad, text=text, score=0.99)

    boxes = [tilted("合同工期", 0, 100), tilted("382天", 400, 60)]
    assert values_by_label(boxes, ["合同工期"])["合同工期"].text == "382天"


def test_a_letter_spaced_label_read_as_two_boxes_is_joined() -> None:
    boxes = [
        box("日", 0, 0, 30),
        box("期", 60, 0, 30),
        box("2025年02月20日", 150, 0, 160),
    ]
    assert values_by_label(boxes, ["日期"])["日期"].text == "2025年02月20日"


def test_the_longer_label_wins_over_its_prefix() -> None:
    assert match_label("勘察单位项目负责人", LEADS) == ("勘察单位项目负责人", "")
    assert match_label("勘察单位项目负贵人", LEADS) == ("勘察单位项目负责人", "")
    assert match_label("设计单位项目负责人", LEADS) == ("设计单位项目负责人", "")


def test_two_character_labels_must_be_read_exactly() -> None:
    assert match_label("编写", ["编号"]) is None
