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
    def of(cls, reading: Reading | None, cell: Cell) -> Found | None:
        if reading is None:
            return None
        return cls(reading.value, round(min(1.0, cell.score * reading.trust), 3))

    def doubted(self, factor: float) -> Found:
        return Found(self.value, round(self.confidence * factor, 3))


Fields = dict[str, Found]
