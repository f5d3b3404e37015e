"""The registry of construction units (guide 2.1 (3)): name → credit code.

A verified unit gets a green tick and brings its code into the form; an
unverified one gets a yellow warning and the user types the code. A wrong
green tick is worse than a warning, so names match exactly after
normalising, never by similarity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class UnitMatch:
    """A unit found in a registry; `source` says how far to trust it."""

    credit_code: str
    source: str


class UnitRegistry(Protocol):
    def lookup(self, name: str) -> UnitMatch | None:
        """The unit's code, or None when the registry cannot vouch for it."""
        ...

    def learn(self, name: str, credit_code: str) -> None:
        """Record a pair a user confirmed; a registry may ignore it."""
        ...
