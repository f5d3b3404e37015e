"""The filing service: owns the event store of projects and hot works."""

from nameko.events import event_handler
from nameko.rpc import ServiceRpc, rpc
from structlog.contextvars import get_contextvars

from contracts.errors import DomainError
from contracts.ocr import DocumentRecognised, DocumentUnreadable
from services.common.dependencies import EventStoreWithRelay, Logger
from services.common.requests import Request
from services.filing.commands import FilingCommands

command = rpc(expected_exceptions=DomainError)


class FilingService:
    name = "filing"

    store = EventStoreWithRelay("filing")
    devices = ServiceRpc("devices")
    log = Logger()

    def _commands(self, actor, key=None, version=None) -> tuple:
        correlation_id = get_contextvars().get("correlation_id", "-")
        request = Request(actor, correlation_id, key, version)
        return FilingCommands(self.store), request

    @command
    def get_project(self, actor, project_id):
        handler, request = self._commands(actor)
        return handler.project(request, project_id)

    @command
    def get_hot_work(self, actor, hot_work_id):
        handler, request = self._commands(actor)
        return handler.hot_work(request, hot_work_id)

    @command
    def draft_project(self, actor, body, key=None):
        handler, request = self._commands(actor, key)
        return handler.draft_project(request, body)

    @command
    def amend_project(self, actor, project_id, body, key=None, version=None):
        handler, request = self._commands(actor, key, version)
        return handler.amend_project(request, project_id, body)

    @command
    def attach_permit_photo(self, actor, project_id, photo, key=None, version=None):
        handler, request = self._commands(actor, key, version)
        return handler.attach_permit_photo(request, project_id, photo)

    @command
    def delete_project(self, actor, project_id, key=None, version=None):
        handler, request = self._commands(actor, key, version)
        return handler.delete_project(request, project_id)

    @command
    def draft_hot_work(self, actor, project_id, body, key=None):
        handler, request = self._commands(actor, key)
        return handler.draft_hot_work(request, project_id, body)

    @command
    def amend_hot_work(self, actor, hot_work_id, body, key=None, version=None):
        handler, request = self._commands(actor, key, version)
        return handler.amend_hot_work(request, hot_work_id, body)

    @command
    def attach_hot_work_photo(
        self, actor, hot_work_id, kind, photo, key=None, version=None
    ):
        handler, request = self._commands(actor, key, version)
        return handler.attach_hot_work_photo(request, hot_work_id, kind, photo)

    @command
    def file_fire_watch(self, actor, hot_work_id, body, key=None, version=None):
        handler, request = self._commands(actor, key, version)
        return handler.file_fire_watch(request, hot_work_id, body)

    @command
    def delete_hot_work(self, actor, hot_work_id, key=None, version=None):
        handler, request = self._commands(actor, key, version)
        return handler.delete_hot_work(request, hot_work_id)

    @command
    def file_supervision_report(self, actor, hot_work_id, body, key=None):
        handler, request = self._commands(actor, key)
        return handler.file_report(request, hot_work_id, body)

    @command
    def amend_supervision_report(
        self, actor, hot_work_id, body, key=None, version=None
    ):
        handler, request = self._commands(actor, key, version)
        return handler.amend_report(request, hot_work_id, body)

    @command
    def withdraw_supervision_report(self, actor, hot_work_id, key=None, version=None):
        handler, request = self._commands(actor, key, version)
        return handler.withdraw_report(request, hot_work_id)

    @command
    def link_camera(self, actor, hot_work_id, body, key=None, version=None):
        handler, request = self._commands(actor, key, version)
        return handler.link_camera(request, hot_work_id, body, self.devices.get_device)

    @command
    def unlink_camera(self, actor, hot_work_id, device_id, key=None, version=None):
        handler, request = self._commands(actor, key, version)
        return handler.unlink_camera(request, hot_work_id, device_id)

    # What the recognition service read from photos

    @event_handler("ocr", "document.recognised", requeue_on_error=True)
    def handle_document_recognised(self, payload):
        self._apply_reading(DocumentRecognised.model_validate(payload))

    @event_handler("ocr", "document.unreadable", requeue_on_error=True)
    def handle_document_unreadable(self, payload):
        self._apply_reading(DocumentUnreadable.model_validate(payload))

    def _apply_reading(self, reading):
        correlation_id = get_contextvars().get("correlation_id", "-")
        written = FilingCommands(self.store).apply_reading(reading, correlation_id)
        self.log.info(
            "reading_applied",
            subject=reading.subject.kind,
            stream_id=reading.subject.id,
            events=written,
        )

    # For readers that keep their own model of these events

    @rpc
    def read_events(self, after_position, limit=1000):
        """Events in store order after `after_position` (replays, catch-up)."""
        return self.store.read_all(int(after_position), min(int(limit), 5000))

    @rpc
    def read_stream(self, stream_id, after_version=0):
        return self.store.load(str(stream_id), int(after_version))
