"""Command handlers: load a stream, ask the domain, append what it decided."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from contracts.errors import NotFound, VersionConflict
from contracts.filing import (
    AmendHotWork,
    AmendProject,
    AmendSupervisionReport,
    DraftHotWork,
    DraftProject,
    FireWatch,
    HotWorkPhotoKind,
    LinkCamera,
    PhotoRef,
    SupervisionReport,
)
from contracts.ocr import DocumentUnreadable
from services.common.eventstore import EventStore, Metadata, StreamChange
from services.common.requests import Request, outcome, parse_uuid
from services.common.validation import parse
from services.filing import domain
from services.filing.state import (
    State,
    evolve_hot_work,
    evolve_project,
    fold,
    hot_work_missing,
    project_missing,
)


def project_stream(project_id: str) -> str:
    return f"project-{project_id}"


def hot_work_stream(hot_work_id: str) -> str:
    return f"hot-work-{hot_work_id}"


class FilingCommands:
    def __init__(self, store: EventStore):
        self.store = store

    # Reading own state

    def project(self, request: Request, project_id: str) -> State:
        events = self.store.load(project_stream(parse_uuid(project_id)))
        project = domain.check_owner(
            fold(events, evolve_project), request.actor, "project"
        )
        return {**project, "missing": project_missing(project)}

    def hot_work(self, request: Request, hot_work_id: str) -> State:
        events = self.store.load(hot_work_stream(parse_uuid(hot_work_id)))
        hot_work = fold(events, evolve_hot_work)
        hot_work = domain.check_owner(hot_work, request.actor, "hot work")
        return {**hot_work, "missing": hot_work_missing(hot_work)}

    # Projects

    def draft_project(self, request: Request, body: dict) -> dict[str, Any]:
        owner = domain.owner_of(request.actor)
        idempotency = request.idempotency("draft_project", body)
        if idempotency and (earlier := self.store.previous_answer(*idempotency)):
            return outcome(earlier)
        command = parse(DraftProject, body)
        project_id = str(uuid.uuid4())
        events = domain.draft_project(project_id, owner, command)
        result = self.store.append(
            project_stream(project_id),
            0,
            events,
            request.metadata,
            idempotency,
            result={"id": project_id},
        )
        return outcome(result)

    def amend_project(self, request, project_id, body) -> dict[str, Any]:
        command = parse(AmendProject, body)
        return self._on_project(
            request,
            project_id,
            "amend_project",
            body,
            lambda project: domain.amend_project(project, command),
        )

    def attach_permit_photo(self, request, project_id, photo) -> dict[str, Any]:
        ref = parse(PhotoRef, photo, "photo")
        return self._on_project(
            request,
            project_id,
            "attach_permit_photo",
            photo,
            lambda project: domain.attach_permit_photo(project, ref),
        )

    def delete_project(self, request, project_id) -> dict[str, Any]:
        return self._on_project(
            request, project_id, "delete_project", {}, domain.delete_project
        )

    # Hot works

    def draft_hot_work(self, request, project_id, body) -> dict[str, Any]:
        idempotency = request.idempotency("draft_hot_work", [project_id, body])
        if idempotency and (earlier := self.store.previous_answer(*idempotency)):
            return outcome(earlier)
        command = parse(DraftHotWork, body)
        hot_work_id = str(uuid.uuid4())

        def attempt():
            # The project only records the link, which commutes with any
            # concurrent change to it (an OCR fill, say): so retry freely.
            project = self.project(request, project_id)
            own, link = domain.draft_hot_work(hot_work_id, project, command)
            changes = [
                StreamChange(hot_work_stream(hot_work_id), 0, tuple(own)),
                StreamChange(
                    project_stream(project["id"]), project["version"], tuple(link)
                ),
            ]
            return self.store.append_changes(
                changes, request.metadata, idempotency, result={"id": hot_work_id}
            )

        return outcome(_retrying(attempt))

    def amend_hot_work(self, request, hot_work_id, body) -> dict[str, Any]:
        command = parse(AmendHotWork, body)
        return self._on_hot_work(
            request,
            hot_work_id,
            "amend_hot_work",
            body,
            lambda hot_work: domain.amend_hot_work(hot_work, command),
        )

    def attach_hot_work_photo(self, request, hot_work_id, kind, photo):
        kind = HotWorkPhotoKind(kind)
        ref = parse(PhotoRef, photo, "photo")
        return self._on_hot_work(
            request,
            hot_work_id,
            "attach_hot_work_photo",
            [kind, photo],
            lambda hot_work: domain.attach_hot_work_photo(hot_work, kind, ref),
        )

    def file_fire_watch(self, request, hot_work_id, body) -> dict[str, Any]:
        command = parse(FireWatch, body)

        def decide(hot_work):
            project = self.project(request, hot_work["project_id"])
            return domain.file_fire_watch(project, hot_work, command)

        return self._on_hot_work(request, hot_work_id, "file_fire_watch", body, decide)

    def delete_hot_work(self, request, hot_work_id) -> dict[str, Any]:
        idempotency = request.idempotency("delete_hot_work", hot_work_id)
        if idempotency and (earlier := self.store.previous_answer(*idempotency)):
            return outcome(earlier)

        def attempt():
            hot_work = self.hot_work(request, hot_work_id)
            version = request.check_version(hot_work)
            project = self.project(request, hot_work["project_id"])
            own, link = domain.delete_hot_work(hot_work)
            changes = [
                StreamChange(hot_work_stream(hot_work["id"]), version, tuple(own)),
                StreamChange(
                    project_stream(project["id"]), project["version"], tuple(link)
                ),
            ]
            return self.store.append_changes(
                changes, request.metadata, idempotency, result={"id": hot_work["id"]}
            )

        # If-Match guards the hot work; its project only loses the link, which
        # commutes with other changes to it, so that part retries freely.
        return outcome(_retrying(attempt))

    # Cameras: `find_camera(actor, device_id)` answers only cameras the actor
    # may read, which for an enterprise means its own.

    def link_camera(self, request, hot_work_id, body, find_camera) -> dict[str, Any]:
        wanted = parse(LinkCamera, body)

        def decide(hot_work):
            # The hot work is checked first, so a stranger learns nothing
            # about which cameras exist.
            try:
                found = find_camera(request.actor, wanted.device_id)
            except NotFound:
                raise NotFound("no such camera of yours", field="device_id") from None
            camera = {
                "device_id": found["id"],
                "code": found["code"],
                "channel_code": found["channel_code"],
                "name": found["name"],
            }
            return domain.link_camera(hot_work, camera)

        return self._on_hot_work(request, hot_work_id, "link_camera", body, decide)

    def unlink_camera(self, request, hot_work_id, device_id) -> dict[str, Any]:
        return self._on_hot_work(
            request,
            hot_work_id,
            "unlink_camera",
            device_id,
            lambda hot_work: domain.unlink_camera(hot_work, device_id),
        )

    # Supervision reports

    def file_report(self, request, hot_work_id, body) -> dict[str, Any]:
        report = parse(SupervisionReport, body)
        return self._on_hot_work(
            request,
            hot_work_id,
            "file_report",
            body,
            lambda hot_work: domain.file_report(hot_work, report, _now()),
        )

    def amend_report(self, request, hot_work_id, body) -> dict[str, Any]:
        change = parse(AmendSupervisionReport, body)
        return self._on_hot_work(
            request,
            hot_work_id,
            "amend_report",
            body,
            lambda hot_work: domain.amend_report(hot_work, change),
        )

    def withdraw_report(self, request, hot_work_id) -> dict[str, Any]:
        return self._on_hot_work(
            request, hot_work_id, "withdraw_report", {}, domain.withdraw_report
        )

    # Readings from the recognition service, applied as the system

    def apply_reading(self, reading, correlation_id: str) -> int:
        """Apply a recognition event to its draft; the count of events written.

        A user may change the draft meanwhile: on a conflict the reading is
        applied afresh to the newer state, which also respects what they typed.
        """
        metadata = Metadata(actor=SYSTEM_ACTOR, correlation_id=correlation_id)
        subject = reading.subject
        stream = (project_stream if subject.kind == "project" else hot_work_stream)(
            parse_uuid(subject.id)
        )
        evolve = evolve_project if subject.kind == "project" else evolve_hot_work
        for attempt in range(5):
            state = fold(self.store.load(stream), evolve)
            if state is None or state["deleted"]:
                return 0
            events = _decide_reading(state, reading)
            if not events:
                return 0
            try:
                self.store.append(stream, state["version"], events, metadata)
            except VersionConflict:
                if attempt == 4:
                    raise
                continue
            return len(events)
        return 0

    # The shape every single-stream command shares

    def _on_project(self, request, project_id, name, body, decide):
        return self._on_stream(
            request,
            name,
            [project_id, body],
            lambda: self.project(request, project_id),
            project_stream,
            decide,
        )

    def _on_hot_work(self, request, hot_work_id, name, body, decide):
        return self._on_stream(
            request,
            name,
            [hot_work_id, body],
            lambda: self.hot_work(request, hot_work_id),
            hot_work_stream,
            decide,
        )

    def _on_stream(self, request, name, command, load, stream_of, decide):
        idempotency = request.idempotency(name, command)
        if idempotency and (earlier := self.store.previous_answer(*idempotency)):
            return outcome(earlier)

        def attempt():
            state = load()
            version = request.check_version(state)
            return self.store.append(
                stream_of(state["id"]),
                version,
                decide(state),
                request.metadata,
                idempotency,
                result={"id": state["id"]},
            )

        # With If-Match the caller asked to fail on any change since its read;
        # without, it asked for its change on the latest state.
        if request.expected_version is not None:
            return outcome(attempt())
        return outcome(_retrying(attempt))


def _retrying(attempt, tries: int = 5):
    for remaining in range(tries - 1, -1, -1):
        try:
            return attempt()
        except VersionConflict:
            if not remaining:
                raise


SYSTEM_ACTOR = {"role": "system", "subject": "ocr"}


def _decide_reading(state, reading):
    if isinstance(reading, DocumentUnreadable):
        return domain.apply_unreadable(state, reading)
    if reading.subject.kind == "project":
        return domain.apply_permit_reading(state, reading)
    return domain.apply_certificate_reading(state, reading)


def _now() -> datetime:
    return datetime.now(UTC)
