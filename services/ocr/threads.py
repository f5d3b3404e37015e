"""Run recognition in a real OS thread so the eventlet hub keeps serving."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from eventlet import tpool

Result = TypeVar("Result")


def off_hub(work: Callable[..., Result], *args: object) -> Result:
    """Call `work(*args)` in eventlet's thread pool and wait for it greenly.

    ONNX Runtime releases the GIL while it computes, so other green threads
    (SIP keepalives, HTTP) run meanwhile.
    """
    return tpool.execute(work, *args)
