"""Clean renders of invented documents, in every Chinese font installed, read
exactly: a flat scan leaves the recogniser no excuse for any field.

The fonts come from the system (Debian: fonts-wqy-zenhei, fonts-wqy-microhei,
fonts-arphic-uming); without any, nothing can be drawn and the test skips.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from services.common.codes import id_number_problem, sex_of_id_number
from services.ocr.accuracy import score
from services.ocr.recogniser import Recogniser

from . import render

FONTS = render.cjk_fonts()
# Three of each kind, spread over the fonts, with fixed seeds.
SEEDS = (11, 12, 13)
RENDERERS: dict[str, Callable[[int, render.Font], tuple[bytes, dict]]] = {
    "permit": render.labelled_permit,
    "certificate": render.labelled_certificate,
}


def _cases() -> list[tuple[str, int, render.Font | None]]:
    if not FONTS:
        return [(kind, seed, None) for kind in RENDERERS for seed in SEEDS]
    return [
        (kind, seed, FONTS[index % len(FONTS)])
        for kind in RENDERERS
        for index, seed in enumerate(SEEDS)
    ]


def _case_id(case: tuple[str, int, render.Font | None]) -> str:
    kind, seed, font = case
    return f"{kind}-{seed}-{font.name if font else 'nofont'}"


@pytest.mark.parametrize("case", _cases(), ids=_case_id)
def test_every_field_of_a_clean_render_is_right(
    recogniser: Recogniser, case: tuple[str, int, render.Font | None]
) -> None:
    kind, seed, font = case
    if font is None:
        pytest.skip(
            "no Chinese font installed (e.g. apt-get install fonts-wqy-zenhei "
            "fonts-wqy-microhei fonts-arphic-uming)"
        )
    body, label = RENDERERS[kind](seed, font)
    recognition = recogniser.recognise(body)
    tally = score(_case_id(case), recognition, label)
    assert tally.misses == []
    assert label["photo_effects"] == 0


def test_generated_values_are_consistent() -> None:
    for seed in range(50):
        permit = render.permit_fields(random.Random(seed))
        assert permit["number"][:6] == permit["district_code"]
        assert permit["number"][6:14] == permit["issue_date"].replace("-", "")
        certificate = render.certificate_fields(random.Random(seed))
        number = certificate["certificate_number"]
        assert id_number_problem(number) is None
        assert sex_of_id_number(number) == certificate["sex"]
        assert certificate["valid_from"] <= certificate["valid_to"]
