"""Score recognitions against the true values labelled beside fixture photos."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from services.ocr.results import Recognition

# Labelled but not printed: the registry lookup supplies the credit code.
NOT_PRINTED = frozenset({"construction_unit_credit_code"})


@dataclass(frozen=True)
class Miss:
    photo: str
    field: str
    expected: str
    got: str | None


@dataclass
class Tally:
    right: int = 0
    listed: int = 0
    misses: list[Miss] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.right / self.listed if self.listed else 1.0

    def add(self, other: Tally) -> None:
        self.right += other.right
        self.listed += other.listed
        self.misses.extend(other.misses)


def label_beside(photo: Path) -> dict | None:
    """The JSON label next to `photo`, if there is one."""
    path = photo.with_suffix(".json")
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def score(photo: str, recognition: Recognition, label: dict) -> Tally:
    """Fields exactly right out of the fields the label lists."""
    tally = Tally()
    if recognition.kind != label["kind"]:
        tally.misses.append(Miss(photo, "kind", label["kind"], recognition.kind))
    for name, expected in label["fields"].items():
        if name in NOT_PRINTED:
            continue
        got = recognition.fields.get(name)
        value = got.value if got else None
        tally.listed += 1
        if value == expected and recognition.kind == label["kind"]:
            tally.right += 1
        else:
            tally.misses.append(Miss(photo, name, expected, value))
    return tally


def report(by_kind: dict[str, Tally]) -> Iterable[str]:
    """Lines summarising a run: per kind, overall, then every wrong field."""
    overall = Tally()
    for kind, tally in sorted(by_kind.items()):
        overall.add(tally)
        yield f"{kind}: {tally.right}/{tally.listed} fields right ({tally.share:.1%})"
    yield (
        f"overall: {overall.right}/{overall.listed} fields right ({overall.share:.1%})"
    )
    for miss in overall.misses:
        yield f"  wrong {miss.photo} {miss.field}: {miss.got!r} != {miss.expected!r}"
