"""Recognise every photo in a folder: python -m services.ocr.recognise DIR OUT.

Writes one JSON object keyed by file name with the kind and each field's
value and confidence; where a .json label lies beside a photo, prints the
accuracy against the labels.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import structlog

from services.ocr.accuracy import Tally, label_beside, report, score
from services.ocr.engine import shared_engine
from services.ocr.errors import UnreadableImage
from services.ocr.recogniser import SUGGESTION_BELOW, Recogniser, failed
from services.ocr.results import Recognition

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")


def photos_in(folder: Path) -> list[Path]:
    return sorted(
        path for path in folder.iterdir() if path.suffix.lower() in PHOTO_SUFFIXES
    )


def recognise_file(recogniser: Recogniser, photo: Path) -> Recognition:
    try:
        return recogniser.recognise(photo.read_bytes())
    except UnreadableImage as error:
        return failed(error.reason)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.ocr.recognise")
    parser.add_argument("folder", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--suggestion-below", type=float, default=SUGGESTION_BELOW)
    args = parser.parse_args(argv)
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )

    recogniser = Recogniser(shared_engine(), args.suggestion_below)
    results: dict[str, dict] = {}
    tallies: dict[str, Tally] = defaultdict(Tally)
    for photo in photos_in(args.folder):
        recognition = recognise_file(recogniser, photo)
        results[photo.name] = recognition.model_dump(exclude={"quarter_turns"})
        label = label_beside(photo)
        if label is not None:
            tallies[label["kind"]].add(score(photo.name, recognition, label))
    args.out.write_text(
        json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    for line in report(tallies) if tallies else ():
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
