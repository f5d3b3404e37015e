"""The recognition service: permit and certificate photos read into fields.

It listens for photos attached to filings, reads each photo once (the
result is cached by its sha256), and tells filing what it says; the gateway
asks it for an immediate preview. The CPU-heavy reading runs in a real
thread, one photo at a time by default, so HTTP and SIP stay responsive.
"""

from __future__ import annotations

from nameko.events import EventDispatcher, event_handler
from nameko.rpc import rpc
from pydantic import TypeAdapter, ValidationError
from structlog.contextvars import bind_contextvars

from contracts.errors import DomainError, InvalidInput
from contracts.filing import EventType, HotWorkPhotoKind
from contracts.values import Sha256
from services.common.dependencies import Logger
from services.ocr import outcome
from services.ocr.dependencies import RecognitionRuntime

_SHA256 = TypeAdapter(Sha256)
# Fields of a project event that, together, are a unit a user confirmed.
_UNIT, _CODE = "construction_unit", "construction_unit_credit_code"


class RecognitionService:
    name = "ocr"

    runtime = RecognitionRuntime()
    dispatch = EventDispatcher()
    log = Logger()

    @event_handler("filing", EventType.PERMIT_PHOTO_ATTACHED.value)
    def handle_permit_photo_attached(self, event):
        self._recognise_attached(event, "permit")

    @event_handler("filing", EventType.HOT_WORK_PHOTO_ATTACHED.value)
    def handle_hot_work_photo_attached(self, event):
        if event["payload"].get("kind") == HotWorkPhotoKind.CERTIFICATE.value:
            self._recognise_attached(event, "certificate")

    @event_handler("filing", EventType.PROJECT_DRAFTED.value)
    def handle_project_drafted(self, event):
        self._learn_unit(event)

    @event_handler("filing", EventType.PROJECT_AMENDED.value)
    def handle_project_amended(self, event):
        self._learn_unit(event)

    @rpc(expected_exceptions=DomainError)
    def preview(self, photo_sha256):
        """The recognition of a stored photo, and for a permit its unit."""
        try:
            photo_sha256 = _SHA256.validate_python(photo_sha256)
        except ValidationError:
            raise InvalidInput("must be a sha256", field="photo_sha256") from None
        bind_contextvars(photo_sha256=photo_sha256)
        recognitions = self.runtime.recognitions
        recognition = recognitions.of_photo(photo_sha256)
        return outcome.preview(
            photo_sha256, recognition, recognitions.unit_of(recognition)
        )

    def _recognise_attached(self, event, photo: str) -> None:
        bind_contextvars(stream_id=event["stream_id"], event_id=event["event_id"])
        subject = outcome.subject_of(event["stream_id"], photo)
        sha256 = event["payload"].get("photo", {}).get("sha256")
        if subject is None or not sha256:
            self.log.warning("ocr_event_ignored", type=event["type"])
            return
        recognitions = self.runtime.recognitions
        recognition = recognitions.of_photo(sha256)
        unit = recognitions.unit_of(recognition)
        event_type, payload = outcome.document_event(subject, sha256, recognition, unit)
        self.dispatch(event_type, payload.model_dump(mode="json"))
        self.log.info(
            "ocr_result_dispatched",
            type=event_type,
            photo_sha256=sha256,
            document=recognition.kind,
            fields=len(recognition.fields),
            unit_verified=unit.verified if unit else None,
        )

    def _learn_unit(self, event) -> None:
        # A known shortcoming: an amendment carries only the changed fields,
        # so a user who types just the code, under a name typed earlier,
        # teaches nothing; the stream's earlier events are not read back.
        fields = event["payload"].get("fields") or {}
        # Only what a person typed teaches the registry, never a value that
        # came back from this service or from another service.
        if event.get("actor", {}).get("role") != "enterprise":
            return
        if fields.get(_UNIT) and fields.get(_CODE):
            self.runtime.learner.learn(fields[_UNIT], fields[_CODE])
            self.log.info("unit_confirmed", stream_id=event["stream_id"])
