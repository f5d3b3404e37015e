"""The service's use cases: the recognition of a stored photo, and its unit."""

from __future__ import annotations

from typing import Protocol

from contracts.ocr import UnitVerification
from services.common.blobstore import BlobNotFound
from services.common.logging import get_logger
from services.ocr.cache import RecognitionCache
from services.ocr.recogniser import failed
from services.ocr.results import Recognition
from services.ocr.units import UnitRegistry

log = get_logger(__name__)


class Blobs(Protocol):
    def get(self, digest: str) -> bytes: ...


class Reader(Protocol):
    def read(self, body: bytes) -> Recognition: ...


class Recognitions:
    def __init__(
        self,
        blobs: Blobs,
        cache: RecognitionCache,
        reader: Reader,
        registry: UnitRegistry,
    ):
        self.blobs = blobs
        self.cache = cache
        self.reader = reader
        self.registry = registry

    def of_photo(self, photo_sha256: str) -> Recognition:
        """The photo's recognition, read once and then taken from the cache."""
        cached = self.cache.get(photo_sha256)
        if cached is not None:
            log.info("ocr_cache_hit", photo_sha256=photo_sha256)
            return cached
        try:
            body = self.blobs.get(photo_sha256)
        except BlobNotFound:
            # Not cached: the blob may yet appear (another store replica).
            return failed("the photo is not in the blob store")
        try:
            recognition = self.reader.read(body)
        except Exception:
            # A fault of ours, not of the photo: answered, but not cached,
            # so that a fixed release reads the photo again.
            log.exception("ocr_recognition_failed", photo_sha256=photo_sha256)
            return failed("recognition failed unexpectedly")
        self.cache.put(photo_sha256, recognition)
        return recognition

    def unit_of(self, recognition: Recognition) -> UnitVerification | None:
        """For a permit, its construction unit checked against the registry."""
        if recognition.kind != "permit":
            return None
        read = recognition.fields.get("construction_unit")
        if read is None or not read.value:
            return None
        match = self.registry.lookup(read.value)
        if match is None:
            return UnitVerification(name=read.value, verified=False)
        return UnitVerification(
            name=read.value,
            verified=True,
            credit_code=match.credit_code,
            source=match.source,
        )
