"""The recognition service's handlers and RPC with a fake reader or engine.

No model is loaded here: the reader returns set recognitions, or a real
recogniser runs on a text engine that finds nothing, which is enough for
every body that fails before the engine is reached.
"""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from types import SimpleNamespace
from unittest.mock import Mock

import eventlet
import pytest
from nameko.testing.services import worker_factory
from PIL import Image
from structlog.contextvars import bind_contextvars, get_contextvars

from contracts.errors import InvalidInput
from contracts.ocr import DocumentRecognised, DocumentUnreadable
from services.common.blobstore import FolderBlobStore
from services.common.db import make_engine
from services.ocr.cache import RecognitionCache
from services.ocr.reader import PhotoReader
from services.ocr.recogniser import Recogniser
from services.ocr.recognitions import Recognitions
from services.ocr.results import FieldResult, Recognition
from services.ocr.service import RecognitionService
from services.ocr.tables import metadata
from services.ocr.units.table import TableRegistry

JIAHE = "北京嘉禾建筑装饰有限责任公司"
JIAHE_CODE = "91110118923E942H3G"

PERMIT = Recognition(
    kind="permit",
    fields={
        "number": FieldResult(
            value="110118202502202465", confidence=0.99, suggestion=False
        ),
        "construction_unit": FieldResult(
            value=JIAHE, confidence=0.97, suggestion=False
        ),
        "scale": FieldResult(value="12644平方米", confidence=0.6, suggestion=True),
    },
)
CERTIFICATE = Recognition(
    kind="certificate",
    fields={"name": FieldResult(value="冯军", confidence=0.95, suggestion=False)},
)


class CountingReader:
    def __init__(self, answer: Recognition | Exception):
        self.answer = answer
        self.reads = 0

    def read(self, body: bytes) -> Recognition:
        self.reads += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


class BlindEngine:
    """A text engine that never finds a line."""

    def find_lines(self, image):
        return []

    def upside_down(self, crops):
        return []

    def read_lines(self, crops):
        return []


def _direct(work, *args):
    return work(*args)


@pytest.fixture
def parts(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'ocr.db'}")
    metadata.create_all(engine)
    registry = TableRegistry(engine)
    registry.import_units([(JIAHE, JIAHE_CODE)])
    return SimpleNamespace(
        engine=engine,
        blobs=FolderBlobStore(tmp_path / "blobs"),
        registry=registry,
    )


def _service(parts, reader):
    recognitions = Recognitions(
        parts.blobs, RecognitionCache(parts.engine), reader, parts.registry
    )
    runtime = SimpleNamespace(recognitions=recognitions, learner=parts.registry)
    return worker_factory(RecognitionService, runtime=runtime, dispatch=Mock())


def _attached(stream_id: str, sha256: str, kind: str | None = None, **extra):
    payload = {"photo": {"sha256": sha256, "content_type": "image/jpeg", "size": 9}}
    if kind:
        payload["kind"] = kind
    return {
        "event_id": str(uuid.uuid4()),
        "stream_id": stream_id,
        "stream_version": 2,
        "type": "project.permit_photo_attached",
        "occurred_at": "2025-05-01T08:00:00+00:00",
        "actor": {"role": "enterprise", "credit_code": JIAHE_CODE},
        "correlation_id": "c-1",
        "payload": payload,
        **extra,
    }


def _dispatched(service):
    (event_type, payload), _ = service.dispatch.call_args
    model = DocumentRecognised if event_type == "document.recognised" else None
    return event_type, (model or DocumentUnreadable).model_validate(payload)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(out, "JPEG")
    return out.getvalue()


def test_a_permit_photo_is_recognised_with_its_unit_verified(parts) -> None:
    service = _service(parts, CountingReader(PERMIT))
    project_id = str(uuid.uuid4())
    sha = parts.blobs.put(b"permit photo")

    service.handle_permit_photo_attached(_attached(f"project-{project_id}", sha))

    event_type, event = _dispatched(service)
    assert event_type == "document.recognised"
    assert event.subject.model_dump() == {
        "kind": "project",
        "id": project_id,
        "photo": "permit",
    }
    assert event.photo_sha256 == sha and event.document == "permit"
    assert event.fields["scale"].suggestion is True
    assert event.fields["construction_unit"].value == JIAHE
    assert event.unit.verified and event.unit.credit_code == JIAHE_CODE
    assert event.unit.source == "registry"


def test_an_unknown_unit_is_reported_unverified(parts) -> None:
    other = PERMIT.model_copy(
        update={
            "fields": {
                "construction_unit": FieldResult(
                    value="北京嘉禾建筑装饰有限公司", confidence=0.9, suggestion=False
                )
            }
        }
    )
    service = _service(parts, CountingReader(other))
    sha = parts.blobs.put(b"another permit")
    service.handle_permit_photo_attached(_attached(f"project-{uuid.uuid4()}", sha))
    _, event = _dispatched(service)
    assert event.unit.verified is False and event.unit.credit_code is None


def test_a_photo_is_read_once_however_often_it_arrives(parts) -> None:
    reader = CountingReader(PERMIT)
    service = _service(parts, reader)
    sha = parts.blobs.put(b"permit photo")
    event = _attached(f"project-{uuid.uuid4()}", sha)
    service.handle_permit_photo_attached(event)
    service.handle_permit_photo_attached(event)
    service.handle_permit_photo_attached(_attached(f"project-{uuid.uuid4()}", sha))
    assert reader.reads == 1
    assert service.dispatch.call_count == 3


def test_only_certificate_photos_of_hot_works_are_read(parts) -> None:
    reader = CountingReader(CERTIFICATE)
    service = _service(parts, reader)
    hot_work_id = str(uuid.uuid4())
    sha = parts.blobs.put(b"certificate photo")

    service.handle_hot_work_photo_attached(
        _attached(f"hot-work-{hot_work_id}", sha, kind="group")
    )
    assert not service.dispatch.called

    service.handle_hot_work_photo_attached(
        _attached(f"hot-work-{hot_work_id}", sha, kind="certificate")
    )
    event_type, event = _dispatched(service)
    assert event_type == "document.recognised"
    assert event.subject.kind == "hot_work" and event.subject.id == hot_work_id
    assert event.document == "certificate" and event.unit is None


def test_a_certificate_in_the_permit_slot_is_not_applied(parts) -> None:
    service = _service(parts, CountingReader(CERTIFICATE))
    sha = parts.blobs.put(b"certificate photo")
    service.handle_permit_photo_attached(_attached(f"project-{uuid.uuid4()}", sha))
    event_type, event = _dispatched(service)
    assert event_type == "document.unreadable"
    assert "certificate, not a permit" in event.reason


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


BAD_BODIES = {
    "empty": (b"", "empty"),
    "text named .jpg": ("这不是照片\n".encode(), "not a JPEG or PNG"),
    "corrupt JPEG": (_jpeg()[:200] + b"\x00" * 50, "corrupt"),
    "huge PNG": (_png_claiming(30_000, 30_000), "exceeds"),
    "blank page": (_jpeg(), "no permit or certificate"),
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_a_bad_body_gives_an_unreadable_event_with_a_reason(parts, name) -> None:
    body, reason = BAD_BODIES[name]
    reader = PhotoReader(lambda: Recogniser(BlindEngine()), run=_direct)
    service = _service(parts, reader)
    sha = parts.blobs.put(body)
    service.handle_permit_photo_attached(_attached(f"project-{uuid.uuid4()}", sha))
    event_type, event = _dispatched(service)
    assert event_type == "document.unreadable"
    assert reason in event.reason


def test_a_fault_of_ours_is_reported_and_not_cached(parts) -> None:
    reader = CountingReader(RuntimeError("model crashed"))
    service = _service(parts, reader)
    sha = parts.blobs.put(b"permit photo")
    event = _attached(f"project-{uuid.uuid4()}", sha)
    service.handle_permit_photo_attached(event)
    service.handle_permit_photo_attached(event)
    event_type, unreadable = _dispatched(service)
    assert event_type == "document.unreadable" and "unexpectedly" in unreadable.reason
    assert reader.reads == 2


def test_a_photo_missing_from_the_store_is_unreadable(parts) -> None:
    service = _service(parts, CountingReader(PERMIT))
    service.handle_permit_photo_attached(_attached(f"project-{uuid.uuid4()}", "a" * 64))
    event_type, event = _dispatched(service)
    assert event_type == "document.unreadable" and "blob store" in event.reason


def test_the_preview_answers_fields_and_unit(parts) -> None:
    service = _service(parts, CountingReader(PERMIT))
    sha = parts.blobs.put(b"permit photo")
    answer = service.preview(sha)
    assert answer["document"] == "permit" and answer["reason"] is None
    assert answer["fields"]["number"]["value"] == "110118202502202465"
    assert answer["unit"]["credit_code"] == JIAHE_CODE
    with pytest.raises(InvalidInput):
        service.preview("../../etc/passwd")


def _project_event(role: str, **fields) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "stream_id": f"project-{uuid.uuid4()}",
        "stream_version": 1,
        "type": "project.drafted",
        "actor": {"role": role},
        "correlation_id": "c-2",
        "payload": {"fields": fields},
    }


def test_units_users_confirm_are_learned(parts) -> None:
    service = _service(parts, CountingReader(PERMIT))
    name, code = "北京东方园林有限公司", "9111011262PFRN1154"
    service.handle_project_drafted(
        _project_event(
            "system", construction_unit=name, construction_unit_credit_code=code
        )
    )
    service.handle_project_amended(_project_event("enterprise", construction_unit=name))
    assert parts.registry.lookup(name) is None
    service.handle_project_amended(
        _project_event(
            "enterprise", construction_unit=name, construction_unit_credit_code=code
        )
    )
    assert parts.registry.lookup(name).source == "confirmed"


def test_the_reader_loads_once_and_reads_few_at_a_time() -> None:
    running, most, loads = [0], [0], []

    def run(work, *args):
        running[0] += 1
        most[0] = max(most[0], running[0])
        eventlet.sleep(0.01)
        running[0] -= 1
        return work(*args)

    def load():
        loads.append(1)
        return Recogniser(BlindEngine())

    reader = PhotoReader(load, concurrency=2, run=run)
    pool = eventlet.GreenPool()
    answers = list(pool.imap(reader.read, [b""] * 6))
    assert [a.reason for a in answers] == ["empty body"] * 6
    assert len(loads) == 1 and most[0] == 2


def test_reading_runs_in_a_real_thread_while_the_hub_serves() -> None:
    blocking_sleep = eventlet.patcher.original("time").sleep
    seen = {}

    class SlowRecogniser:
        def recognise(self, body):
            seen["thread"] = eventlet.patcher.original("threading").current_thread()
            seen["context"] = get_contextvars()
            blocking_sleep(0.3)  # holds its OS thread, as ONNX Runtime does
            return Recognition(kind="unknown", reason="blank")

    ticks = []

    def ticker():
        for _ in range(10):
            ticks.append(1)
            eventlet.sleep(0.02)

    bind_contextvars(correlation_id="c-9")
    clock = eventlet.spawn(ticker)
    PhotoReader(SlowRecogniser).read(b"body")
    ticked_meanwhile = len(ticks)
    clock.wait()
    main = eventlet.patcher.original("threading").main_thread()
    assert seen["thread"] is not main
    assert seen["context"]["correlation_id"] == "c-9"
    assert ticked_meanwhile >= 5
