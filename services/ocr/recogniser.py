"""From a photo's bytes to the normalised fields of the document it shows."""

from __future__ import annotations

import time

import structlog

from services.ocr.certificate import read_certificate
from services.ocr.engine import Image, TextEngine
from services.ocr.fields import Fields
from services.ocr.imaging import decode
from services.ocr.kinds import kind_of
from services.ocr.permit import read_permit
from services.ocr.perspective import flatten
from services.ocr.reading import read_page
from services.ocr.results import FieldResult, Recognition

log = structlog.get_logger(__name__)

# Below this confidence a value is offered to the user, not filled in.
SUGGESTION_BELOW = 0.8

_READERS = {"permit": read_permit, "certificate": read_certificate}


class Recogniser:
    """Reads permits and certificates; one instance serves every photo."""

    def __init__(
        self, engine: TextEngine, suggestion_below: float = SUGGESTION_BELOW
    ) -> None:
        self._engine = engine
        self._suggestion_below = suggestion_below

    def recognise(self, body: bytes) -> Recognition:
        """The document in a JPEG or PNG body.

        Raises UnreadableImage when the body is not a photo that can be read.
        """
        return self.recognise_image(decode(body))

    def recognise_image(self, image: Image) -> Recognition:
        """The document in a decoded BGR image."""
        started = time.perf_counter()
        boxes, turns = read_page(flatten(image), self._engine)
        kind = kind_of(boxes)
        if kind == "unknown":
            log.info("ocr_document_unknown", lines=len(boxes))
            return failed("no permit or certificate labels found", turns)
        fields = _READERS[kind](boxes)
        log.info(
            "ocr_document_read",
            kind=kind,
            fields=len(fields),
            quarter_turns=turns,
            seconds=round(time.perf_counter() - started, 3),
        )
        return Recognition(kind=kind, fields=self._results(fields), quarter_turns=turns)

    def _results(self, fields: Fields) -> dict[str, FieldResult]:
        return {
            name: FieldResult(
                value=found.value,
                confidence=found.confidence,
                suggestion=found.confidence < self._suggestion_below,
            )
            for name, found in sorted(fields.items())
        }


def failed(reason: str, quarter_turns: int = 0) -> Recognition:
    """The result for a photo whose document could not be recognised."""
    return Recognition(kind="unknown", reason=reason, quarter_turns=quarter_turns)
