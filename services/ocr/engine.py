"""The text engine port and its RapidOCR (PP-OCR on ONNX Runtime) adapter.

The port is split into its three stages so that the recogniser can detect
lines once, decide which way up the page is from a few of them, and only then
read them.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import Protocol

import numpy as np
import structlog
from numpy.typing import NDArray

from services.ocr.boxes import Quad

log = structlog.get_logger(__name__)

Image = NDArray[np.uint8]

_MODEL_FILES = (
    "ch_PP-OCRv4_det_infer.onnx",
    "ch_ppocr_mobile_v2.0_cls_infer.onnx",
    "ch_PP-OCRv4_rec_infer.onnx",
)


class TextEngine(Protocol):
    """Finds, orients and reads lines of text in BGR images."""

    def find_lines(self, image: Image) -> list[Quad]:
        """Quads of the text lines, corners clockwise from the top left."""
        ...

    def upside_down(self, crops: list[Image]) -> list[float]:
        """For each line crop, the chance that it is upside down."""
        ...

    def read_lines(self, crops: list[Image]) -> list[tuple[str, float]]:
        """Text and score in [0, 1] of each upright line crop."""
        ...


class RapidTextEngine:
    """PP-OCRv4 with the weights that ship inside rapidocr_onnxruntime."""

    def __init__(self) -> None:
        from rapidocr_onnxruntime import RapidOCR

        _packaged_model_dir()
        self.bare = RapidOCR()

    def find_lines(self, image: Image) -> list[Quad]:
        quads, _ = self.bare.text_det(image)
        if quads is None:
            return []
        return [_quad(quad) for quad in quads]

    def upside_down(self, crops: list[Image]) -> list[float]:
        if not crops:
            return []
        _, labels, _ = self.bare.text_cls(crops)
        return [
            float(score) if label == "180" else 1 - float(score)
            for label, score in labels
        ]

    def read_lines(self, crops: list[Image]) -> list[tuple[str, float]]:
        if not crops:
            return []
        found, _ = self.bare.text_rec(crops)
        return [(str(text), float(score)) for text, score, *_ in found]


@functools.cache
def shared_engine() -> RapidTextEngine:
    """One engine per process: loading the three models takes a while."""
    engine = RapidTextEngine()
    log.info("ocr_engine_loaded", models=str(_packaged_model_dir()))
    return engine


def _packaged_model_dir() -> Path:
    # Filing sites are often offline: refuse to start rather than let any
    # code path look for weights anywhere but inside the installed package.
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or spec.origin is None:
        raise RuntimeError("rapidocr_onnxruntime is not installed")
    models = Path(spec.origin).parent / "models"
    missing = [name for name in _MODEL_FILES if not (models / name).is_file()]
    if missing:
        raise RuntimeError(f"OCR weights missing from the package: {missing}")
    return models


def _quad(points: object) -> Quad:
    (a, b), (c, d), (e, f), (g, h) = np.asarray(points, dtype=float).reshape(4, 2)
    return (a, b), (c, d), (e, f), (g, h)
