"""What a recogniser found for one field, before it becomes a result."""

from __future__ import annotations

from dataclasses import dataclass

from services.ocr.layout import Cell
from services.ocr.values import Reading


@dataclass(frozen=True)
class Found:
    value: str
    confidence: float

    @classmethod
    def of(cls, reading: Reading, cell: Cell) -> Found:
        """The reading, trusted as far as both the OCR and its check allow."""
        return cls(reading.value, round(min(1.0, cell.score * reading.trust), 3))

    def doubted(self, factor: float) -> Found:
        return Found(self.value, round(self.confidence * factor, 3))


Fields = dict[str, Found]


def put(found: Fields, field: str, reading: Reading | None, cell: Cell) -> None:
    """Record `reading` for `field`, if the cell yielded one."""
    if reading is not None:
        found[field] = Found.of(reading, cell)
