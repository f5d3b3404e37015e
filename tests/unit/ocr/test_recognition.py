"""The recogniser on the fixture photos and on variants of them.

No clean render (photo_effects 0) is checked beyond the fixtures: without a
Chinese font on the machine none can be drawn here.

The engine is loaded once per session; every photo takes about a second.
"""

from __future__ import annotations

import io
import socket
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from services.ocr.accuracy import Tally, score
from services.ocr.engine import RapidTextEngine
from services.ocr.errors import UnreadableImage
from services.ocr.recogniser import Recogniser

from .conftest import document_photos, label_of
from .variants import VARIANTS

REQUIRED_SHARE = 0.97


@pytest.fixture(scope="module")
def tallies(recogniser: Recogniser, photos: list[Path]) -> dict[str, Tally]:
    by_photo = {}
    for photo in photos:
        recognition = recogniser.recognise(photo.read_bytes())
        by_photo[photo.name] = score(photo.name, recognition, label_of(photo))
    return by_photo


def test_fields_over_the_fixture_set_are_right(
    tallies: dict[str, Tally], photos: list[Path]
) -> None:
    by_kind: dict[str, Tally] = defaultdict(Tally)
    for photo in photos:
        by_kind[label_of(photo)["kind"]].add(tallies[photo.name])
    for kind, tally in by_kind.items():
        assert tally.share >= REQUIRED_SHARE, (kind, tally.misses)


def test_every_clean_scan_is_fully_right(
    tallies: dict[str, Tally], photos: list[Path]
) -> None:
    clean = [photo for photo in photos if label_of(photo)["photo_effects"] == 0]
    if not clean:
        pytest.skip("the fixture set holds no clean scan")
    for photo in clean:
        assert tallies[photo.name].misses == []


def _one_photo_of_each_kind() -> list[Path]:
    firsts: dict[str, Path] = {}
    for photo in document_photos():
        firsts.setdefault(label_of(photo)["kind"], photo)
    return list(firsts.values())


@pytest.mark.parametrize("photo", _one_photo_of_each_kind(), ids=lambda p: p.stem)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variants_read_like_the_original(
    recogniser: Recogniser, photo: Path, variant: str
) -> None:
    body = VARIANTS[variant](photo.read_bytes())
    recognition = recogniser.recognise(body)
    tally = score(f"{photo.name}/{variant}", recognition, label_of(photo))
    assert tally.share >= 0.9, tally.misses


@pytest.mark.parametrize("photo", _one_photo_of_each_kind()[:1], ids=lambda p: p.stem)
def test_a_page_turned_over_reports_its_turns(
    recogniser: Recogniser, photo: Path
) -> None:
    recognition = recogniser.recognise(VARIANTS["turned-90"](photo.read_bytes()))
    assert recognition.quarter_turns == 3


def test_a_blank_page_is_unknown_with_a_reason(recogniser: Recogniser) -> None:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(out, "PNG")
    recognition = recogniser.recognise(out.getvalue())
    assert recognition.kind == "unknown" and recognition.reason
    assert recognition.fields == {}


def test_a_corrupt_photo_raises_unreadable(
    recogniser: Recogniser, photos: list[Path]
) -> None:
    body = photos[0].read_bytes()
    with pytest.raises(UnreadableImage) as raised:
        recogniser.recognise(body[: len(body) // 3])
    assert raised.value.reason


def test_a_text_file_named_jpg_raises_unreadable(
    recogniser: Recogniser, tmp_path: Path
) -> None:
    named = tmp_path / "permit.jpg"
    named.write_text("施工许可证 编号 110118202502202465\n", encoding="utf-8")
    with pytest.raises(UnreadableImage, match="not a JPEG or PNG"):
        recogniser.recognise(named.read_bytes())


def test_fields_below_the_threshold_are_suggestions(
    engine: RapidTextEngine, photos: list[Path]
) -> None:
    strict = Recogniser(engine, suggestion_below=1.01)
    recognition = strict.recognise(photos[0].read_bytes())
    assert recognition.fields
    assert all(field.suggestion for field in recognition.fields.values())


def test_the_engine_loads_and_reads_without_the_network(
    monkeypatch: pytest.MonkeyPatch, photos: list[Path]
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the OCR engine tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    recognition = Recogniser(RapidTextEngine()).recognise(photos[0].read_bytes())
    assert recognition.kind != "unknown"


def test_recognition_runs_off_the_eventlet_hub(
    recogniser: Recogniser, photos: list[Path]
) -> None:
    import eventlet

    from services.ocr.threads import off_hub

    ticks = []

    def tick() -> None:
        for _ in range(5):
            ticks.append(1)
            eventlet.sleep(0.05)

    ticker = eventlet.spawn(tick)
    recognition = off_hub(recogniser.recognise, photos[0].read_bytes())
    ticked_meanwhile = len(ticks)
    ticker.wait()
    assert recognition.kind != "unknown"
    assert ticked_meanwhile == 5


def test_a_tiny_image_is_handled(recogniser: Recogniser) -> None:
    out = io.BytesIO()
    Image.fromarray(np.zeros((2, 2, 3), np.uint8)).save(out, "PNG")
    assert recogniser.recognise(out.getvalue()).kind == "unknown"
