"""Time the recogniser against the bare engine: python -m services.ocr.bench.

All read the same photos in the same run, so the machine's load weighs on
each alike; the bare engine is RapidOCR's own pipeline on the decoded photo,
and the service path is what a photo-attached event costs on a cache miss
(blob read, reading off the hub, cache write, unit lookup, the event).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np
import structlog

from services.ocr.accuracy import Tally, label_beside, report, score
from services.ocr.engine import shared_engine
from services.ocr.recognise import photos_in
from services.ocr.recogniser import Recogniser
from services.ocr.servicepath import ServicePath

DEFAULT_FOLDER = (
    Path(
        os.environ.get(
            "HOTWORK_FIXTURES",
            Path(__file__).resolve().parents[3] / "shared" / "fixtures",
        )
    )
    / "documents"
)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _slot(photo: Path) -> str:
    """The photo slot a fixture fills, from its name (permit-…, certificate-…)."""
    return "certificate" if photo.name.startswith("certificate") else "permit"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.ocr.bench")
    parser.add_argument("folder", type=Path, nargs="?", default=DEFAULT_FOLDER)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(30))

    engine = shared_engine()
    recogniser = Recogniser(engine)
    photos = photos_in(args.folder)
    bodies = [photo.read_bytes() for photo in photos]
    service = ServicePath(recogniser)
    shas = [service.store(body) for body in bodies]
    bare, full, through = [], [], []
    tallies: dict[str, Tally] = defaultdict(Tally)
    engine.bare(np.zeros((64, 64, 3), np.uint8))  # warm the sessions up
    for _ in range(args.rounds):
        for photo, body, sha in zip(photos, bodies, shas, strict=True):
            started = time.perf_counter()
            engine.bare(cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR))
            bare.append(time.perf_counter() - started)

            started = time.perf_counter()
            recognition = recogniser.recognise(body)
            full.append(time.perf_counter() - started)

            started = time.perf_counter()
            service.event_for(sha, _slot(photo))
            through.append(time.perf_counter() - started)

            label = label_beside(photo)
            if label is not None:
                tallies[label["kind"]].add(score(photo.name, recognition, label))
        service.forget()
    service.close()

    print(f"{len(photos)} photos x {args.rounds} rounds, seconds per photo")
    rows = (("bare engine", bare), ("recogniser", full), ("service", through))
    for name, samples in rows:
        print(
            f"{name:>12}: p50 {statistics.median(samples):.2f}"
            f"  p95 {percentile(samples, 0.95):.2f}"
            f"  mean {statistics.fmean(samples):.2f}"
        )
    for name, samples in (("recogniser", full), ("service", through)):
        overhead = statistics.fmean(samples) / statistics.fmean(bare) - 1
        print(f"{'overhead':>12}: {name} {overhead:+.0%} of the bare engine's mean")
    for line in report(tallies):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
