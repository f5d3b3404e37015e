"""Edit distance, for matching what was read against known vocabulary."""

from __future__ import annotations

from collections.abc import Iterable


def edits(read: str, known: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions."""
    previous = list(range(len(known) + 1))
    for i, char in enumerate(read, start=1):
        current = [i]
        for j, other in enumerate(known, start=1):
            current.append(
                min(
                    previous[j] + 1,
                    current[j - 1] + 1,
                    previous[j - 1] + (char != other),
                )
            )
        previous = current
    return previous[-1]


def nearest(read: str, vocabulary: Iterable[str]) -> tuple[str, int] | None:
    """The known word closest to `read` and its distance; None if none."""
    ranked = sorted((edits(read, word), word) for word in vocabulary)
    if not ranked:
        return None
    distance, word = ranked[0]
    return word, distance
