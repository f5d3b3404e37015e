"""Clean, labelled renders of permits and certificates, drawn from field values.

A seeded generator invents plausible Beijing values; the renderers draw them
with a Chinese font into a clean scan (photo_effects 0) and return the label
in the fixtures' format beside it. Without a Chinese font nothing can be
drawn: `cjk_fonts()` is then empty.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

from services.common.codes import id_number_check_char
from services.ocr.beijing import DISTRICTS
from services.ocr.operations import OPERATIONS_BY_CATEGORY

from .conftest import FIXTURES

INK = (24, 24, 24)
PAPER = (252, 251, 247)
SEAL = (214, 48, 52)
RULE = (40, 40, 40)

_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
_FONT_SUFFIXES = (".ttc", ".ttf", ".otf")
# Fonts that fontconfig may not report with :lang=zh but that carry the
# CJK ideographs.
_CJK_FILE_HINTS = ("wqy", "uming", "ukai", "notosanscjk", "notoserifcjk", "droid")


@dataclass(frozen=True)
class Font:
    """One face of a font file: a .ttc holds several, picked by index."""

    path: Path
    index: int = 0

    @property
    def name(self) -> str:
        return f"{self.path.stem}-{self.index}"

    def at(self, size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(self.path), size, index=self.index)


def cjk_fonts() -> list[Font]:
    """One face per installed font file that draws Chinese, sorted by path."""
    files = _fontconfig_files() or _files_by_name()
    fonts = []
    for path in sorted(files):
        font = Font(path)
        if _draws_chinese(font):
            fonts.append(font)
    return fonts


def _fontconfig_files() -> set[Path]:
    if shutil.which("fc-list") is None:
        return set()
    listed = subprocess.run(
        ["fc-list", ":lang=zh", "file"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    ).stdout
    paths = {Path(line.split(":")[0].strip()) for line in listed.splitlines()}
    return {path for path in paths if path.suffix.lower() in _FONT_SUFFIXES}


def _files_by_name() -> set[Path]:
    found = set()
    for folder in _FONT_DIRS:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            lowered = path.name.lower().replace("-", "")
            if path.suffix.lower() in _FONT_SUFFIXES and any(
                hint in lowered for hint in _CJK_FILE_HINTS
            ):
                found.add(path)
    return found


def _draws_chinese(font: Font) -> bool:
    try:
        face = font.at(32)
    except OSError:
        return False
    # A font without the ideographs draws every one as the same blank box.
    masks = {bytes(face.getmask(char)) for char in "施工许可证"}
    return len(masks) == 5 and all(any(mask) for mask in masks)


# --- values --------------------------------------------------------------

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘"
    "袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊"
    "孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严赖覃洪武莫孔"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰飞鹏辉建国志文斌"
    "宇浩晨凯峰海波瑞欣怡婷雪梅林东亮成龙云佳琳颖博彬宁俊"
)
_ROADS = (
    "中关村大街",
    "青春路",
    "安定门外大街",
    "府前街",
    "建国路",
    "林荫北街",
    "双清路",
    "兴华大街",
    "新华大街",
    "长安街",
    "学院路",
    "光明路",
    "朝阳北路",
    "京顺路",
    "滨河路",
)
_STREETS = ("广外", "八角", "和平里", "新街口", "月坛", "展览路", "东直门", "鼓楼")
_BUILDINGS = ("办公楼", "学校教学楼", "综合楼", "住宅楼", "医院门诊楼", "厂房")
_WORKS = ("内装修工程", "改建工程", "改造工程", "新建工程", "扩建工程")
_FALLBACK_UNITS = (
    "北京华宇建工有限公司",
    "北京宏达环境工程有限公司",
    "北京远大城市建设有限公司",
    "北京嘉禾城建集团有限公司",
    "北京东方园林有限公司",
)
_UNITS_CSV = FIXTURES / "units.csv"


def units(path: Path = _UNITS_CSV) -> list[tuple[str, str]]:
    """Construction units and their credit codes, from the registry fixture."""
    if not path.is_file():
        return [(name, "") for name in _FALLBACK_UNITS]
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["name"], row["credit_code"]) for row in csv.DictReader(handle)]


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(_SURNAMES) + given


def day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def id_number(rng: random.Random, district: str, born: dt.date, sex: str) -> str:
    """A valid GB 11643 number: area, birth date, sequence of the right parity."""
    parity = rng.choice((1, 3, 5, 7, 9) if sex == "男" else (0, 2, 4, 6, 8))
    body = f"{district}{born:%Y%m%d}{rng.randrange(100) * 10 + parity:03d}"
    return body + id_number_check_char(body)


def permit_fields(rng: random.Random) -> dict[str, str]:
    """Invented values for every field of a construction permit."""
    district_code = rng.choice(sorted(DISTRICTS))
    district = DISTRICTS[district_code]
    issued = day_between(rng, dt.date(2018, 1, 1), dt.date(2025, 12, 31))
    registry = units()
    (builder, code), *others = rng.sample(registry, 5)
    city_wide = rng.random() < 0.6
    authority = "北京市" + ("" if city_wide else district) + "住房和城乡建设委员会"
    return {
        "number": f"{district_code}{issued:%Y%m%d}{rng.randrange(10000):04d}",
        "construction_unit": builder,
        "construction_unit_credit_code": code,
        "project_name": (
            district
            + rng.choice(_STREETS)
            + "街道"
            + rng.choice(_BUILDINGS)
            + rng.choice(_WORKS)
        ),
        "address": f"北京市{district}{rng.choice(_ROADS)}{rng.randint(1, 399)}号",
        "scale": f"{rng.randint(800, 98000)}平方米",
        "contract_price": f"{rng.randint(300, 99000)}万元",
        "survey_unit": others[0][0],
        "design_unit": others[1][0],
        "contractor": others[2][0],
        "supervisor_unit": others[3][0],
        "survey_lead": person_name(rng),
        "design_lead": person_name(rng),
        "contractor_lead": person_name(rng),
        "chief_supervisor": person_name(rng),
        "duration": f"{rng.randint(30, 1200)}天",
        "issuing_authority": authority,
        "issue_date": issued.isoformat(),
        "district_code": district_code,
    }


def certificate_fields(rng: random.Random) -> dict[str, str]:
    """Invented values for every field of a special operation certificate."""
    sex = rng.choice("男女")
    first = day_between(rng, dt.date(2012, 1, 1), dt.date(2025, 6, 30))
    born = day_between(rng, dt.date(1962, 1, 1), _years_later(first, -19))
    category = rng.choice(sorted(OPERATIONS_BY_CATEGORY))
    renewals = rng.choice((0, 0, 1))
    start = _years_later(first, 6 * renewals)
    issuer = "北京市" + ("" if rng.random() < 0.7 else rng.choice(_district_names()))
    return {
        "certificate_number": id_number(rng, rng.choice(sorted(DISTRICTS)), born, sex),
        "name": person_name(rng),
        "sex": sex,
        "category": category,
        "operation": rng.choice(OPERATIONS_BY_CATEGORY[category]),
        "first_issued": first.isoformat(),
        "valid_from": start.isoformat(),
        "valid_to": (_years_later(start, 6) - dt.timedelta(days=1)).isoformat(),
        "issuer": issuer + "应急管理局",
    }


def _district_names() -> list[str]:
    return [DISTRICTS[code] for code in sorted(DISTRICTS)]


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# --- drawing -------------------------------------------------------------


def _chinese_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    font: ImageFont.FreeTypeFont,
    fill: tuple[int, int, int] = INK,
    anchor: str = "lm",
) -> None:
    draw.text(xy, text, font=font, fill=fill, anchor=anchor)


def _fitted(font: Font, text: str, size: int, width: float) -> ImageFont.FreeTypeFont:
    """The font at `size`, or smaller until `text` fits in `width`."""
    face = font.at(size)
    while size > 10 and face.getlength(text) > width:
        size -= 1
        face = font.at(size)
    return face


def _seal(
    page: Image.Image,
    centre: tuple[float, float],
    radius: float,
    lettering: str,
    font: Font,
) -> None:
    """A red round seal with its lettering on an arc, blended over the page."""
    layer = Image.new("L", page.size, 0)
    draw = ImageDraw.Draw(layer)
    x, y = centre
    width = max(3, int(radius / 22))
    draw.ellipse(
        (x - radius, y - radius, x + radius, y + radius), outline=255, width=width
    )
    star = [
        (
            x + radius * (0.28 if i % 2 == 0 else 0.11) * math.sin(i * math.pi / 5),
            y - radius * (0.28 if i % 2 == 0 else 0.11) * math.cos(i * math.pi / 5),
        )
        for i in range(10)
    ]
    draw.polygon(star, fill=255)
    size = int(radius * 0.3)
    face = font.at(size)
    span = min(250.0, 22.0 * len(lettering))
    for i, char in enumerate(lettering):
        angle = -span / 2 + span * (i + 0.5) / len(lettering)
        glyph = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(glyph).text((size, size), char, font=face, fill=255, anchor="mm")
        glyph = glyph.rotate(-angle, resample=Image.Resampling.BICUBIC)
        reach = radius - size * 0.85
        gx = x + reach * math.sin(math.radians(angle)) - size
        gy = y - reach * math.cos(math.radians(angle)) - size
        layer.paste(glyph, (int(gx), int(gy)), glyph)
    # Multiply: the ink of the seal darkens what lies under it, as on paper.
    tint = Image.new("RGB", page.size, SEAL)
    stamped = Image.composite(tint, Image.new("RGB", page.size, (255, 255, 255)), layer)
    page.paste(ImageChops.multiply(page, stamped))


def render_permit(fields: dict[str, str], font: Font) -> Image.Image:
    """A construction permit as a flat scan: the sheet fills the image."""
    width, height = 1700, 1200
    page = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(page)
    draw.rectangle((24, 24, width - 25, height - 25), outline=(150, 120, 40), width=4)
    body = font.at(27)
    small = font.at(21)
    left_centre = 370
    _text(draw, (left_centre, 150), "中华人民共和国", font.at(36), anchor="mm")
    _text(draw, (left_centre, 235), "建筑工程施工许可证", font.at(54), anchor="mm")
    _text(draw, (110, 340), f"编号  {fields['number']}", body)
    notice = (
        "根据《中华人民共和国建筑法》第八条规定，",
        "经审查，本建筑工程符合施工条件，准予施工。",
        "特发此证",
    )
    for row, line in enumerate(notice):
        _text(draw, (80, 440 + row * 44), line, small)
    authority = fields["issuing_authority"]
    _text(draw, (100, 840), "发证机关", body)
    _text(draw, (230, 840), authority, _fitted(font, authority, 27, 470))
    _text(draw, (100, 920), "日    期", body)
    _text(draw, (230, 920), _chinese_date(fields["issue_date"]), body)
    _permit_table(draw, fields, font)
    _seal(page, (390, 855), 118, authority, font)
    return page


_SINGLE_ROWS = (
    ("建设单位", "construction_unit"),
    ("工程名称", "project_name"),
    ("建设地址", "address"),
    ("建设规模", "scale"),
    ("合同价格", "contract_price"),
    ("勘察单位", "survey_unit"),
    ("设计单位", "design_unit"),
    ("施工单位", "contractor"),
    ("监理单位", "supervisor_unit"),
)
_DOUBLE_ROWS = (
    (("勘察单位项目负责人", "survey_lead"), ("设计单位项目负责人", "design_lead")),
    (("施工单位项目负责人", "contractor_lead"), ("总监理工程师", "chief_supervisor")),
)


def _permit_table(
    draw: ImageDraw.ImageDraw, fields: dict[str, str], font: Font
) -> None:
    left, right, top, row_height = 800, 1640, 80, 70
    label_right = 990
    body = font.at(27)
    small = font.at(20)
    y = top

    def ruled(bottom: float, columns: tuple[float, ...]) -> None:
        draw.rectangle((left, y, right, bottom), outline=RULE, width=2)
        for column in columns:
            draw.line((column, y, column, bottom), fill=RULE, width=2)

    for label, field in _SINGLE_ROWS:
        ruled(y + row_height, (label_right,))
        middle = y + row_height / 2
        _text(draw, ((left + label_right) / 2, middle), label, body, anchor="mm")
        value = fields[field]
        face = _fitted(font, value, 27, right - label_right - 36)
        _text(draw, (label_right + 18, middle), value, face)
        y += row_height
    half = (right - left) / 2
    for pair in _DOUBLE_ROWS:
        columns = (left + 200, left + half, left + half + 200)
        ruled(y + row_height, columns)
        middle = y + row_height / 2
        for offset, (label, field) in zip((0, half), pair, strict=True):
            label_face = _fitted(font, label, 20, 180) if len(label) > 6 else small
            _text(draw, (left + offset + 10, middle), label, label_face)
            _text(draw, (left + offset + 218, middle), fields[field], body)
        y += row_height
    ruled(y + row_height, (label_right,))
    middle = y + row_height / 2
    _text(draw, ((left + label_right) / 2, middle), "合同工期", body, anchor="mm")
    _text(draw, (label_right + 18, middle), fields["duration"], body)
    y += row_height
    ruled(y + row_height * 2, (label_right,))
    _text(
        draw, ((left + label_right) / 2, y + row_height), "备    注", body, anchor="mm"
    )


_CERTIFICATE_ROWS = (
    ("证    号", "certificate_number"),
    ("姓    名", "name"),
    ("性    别", "sex"),
    ("作业类别", "category"),
    ("操作项目", "operation"),
    ("初领日期", "first_issued"),
    ("有效期限", "validity"),
    ("签发机关", "issuer"),
)


def render_certificate(
    fields: dict[str, str], font: Font, lettered_number: bool = False
) -> Image.Image:
    """A special operation certificate as a flat scan.

    Real cards often print the ID number with a leading T: `lettered_number`.
    """
    width, height = 1500, 1000
    page = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(page)
    draw.rectangle((24, 24, width - 25, height - 25), outline=(30, 80, 160), width=5)
    _text(
        draw, (width / 2, 110), "中华人民共和国特种作业操作证", font.at(48), anchor="mm"
    )
    draw.rectangle((90, 220, 350, 540), outline=(110, 110, 110), width=3)
    _text(draw, (220, 380), "照片", font.at(30), (140, 140, 140), anchor="mm")
    shown = {
        **fields,
        "certificate_number": ("T" if lettered_number else "")
        + fields["certificate_number"],
        "first_issued": fields["first_issued"],
        "validity": f"{fields['valid_from']} 至 {fields['valid_to']}",
    }
    body = font.at(30)
    for row, (label, field) in enumerate(_CERTIFICATE_ROWS):
        y = 250 + row * 82
        _text(draw, (420, y), label, body)
        _text(draw, (640, y), shown[field], _fitted(font, shown[field], 30, 780))
        draw.line((630, y + 30, 1420, y + 30), fill=(160, 160, 160), width=2)
    _text(draw, (420, 250 + 8 * 82 - 30), "应急管理部监制", font.at(20), (90, 90, 90))
    _seal(page, (1180, 760), 120, fields["issuer"], font)
    return page


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def label(kind: str, fields: dict[str, str]) -> dict:
    """The label of a render, in the fixtures' format."""
    return {"kind": kind, "photo_effects": 0, "fields": dict(fields)}


def labelled_permit(seed: int, font: Font) -> tuple[bytes, dict]:
    fields = permit_fields(random.Random(seed))
    return png(render_permit(fields, font)), label("permit", fields)


def labelled_certificate(seed: int, font: Font) -> tuple[bytes, dict]:
    rng = random.Random(seed)
    fields = certificate_fields(rng)
    image = render_certificate(fields, font, lettered_number=rng.random() < 0.5)
    return png(image), label("certificate", fields)
