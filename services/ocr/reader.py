"""Reading photo bodies off the eventlet hub, a few at a time, engine loaded once.

The models load on the first photo, not at start: a replica that never
sees a photo does not pay the seconds and the memory they take.

A known shortcoming: the gate counts per process, so N replicas on one
machine read N photos at once; size OCR_CONCURRENCY and replicas together.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from eventlet.semaphore import Semaphore

from services.common.logging import get_logger
from services.ocr.errors import UnreadableImage
from services.ocr.recogniser import Recogniser, failed
from services.ocr.results import Recognition
from services.ocr.threads import off_hub

log = get_logger(__name__)

Run = Callable[..., object]


class PhotoReader:
    def __init__(
        self,
        load: Callable[[], Recogniser],
        concurrency: int = 1,
        run: Run = off_hub,
    ):
        self._load = load
        self._run = run
        # Two cores: one recognition already keeps one busy; more at once
        # would only slow HTTP and SIP without reading any faster.
        self._gate = Semaphore(max(1, concurrency))
        self._loading = Semaphore(1)
        self._recogniser: Recogniser | None = None

    def read(self, body: bytes) -> Recognition:
        """The recognition of `body`; an unreadable photo gives a reason."""
        with self._gate:
            recogniser = self._loaded()
            # The thread runs in a copy of this worker's context, so the
            # recogniser's log lines carry its correlation and stream ids.
            context = contextvars.copy_context()
            return self._run(context.run, _recognise, recogniser, body)

    def _loaded(self) -> Recogniser:
        with self._loading:
            if self._recogniser is None:
                self._recogniser = self._run(self._load)
        return self._recogniser


def _recognise(recogniser: Recogniser, body: bytes) -> Recognition:
    try:
        return recogniser.recognise(body)
    except UnreadableImage as error:
        return failed(error.reason)
