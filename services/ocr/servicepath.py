"""The recognition service's path without the bus, for the bench.

A blob folder, a SQLite cache and a unit table in a temporary folder, the
reader off the hub: what a photo-attached event costs up to the dispatch,
on a cache miss.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from services.common.blobstore import FolderBlobStore
from services.common.db import make_engine
from services.ocr import outcome
from services.ocr.cache import RecognitionCache
from services.ocr.reader import PhotoReader
from services.ocr.recogniser import Recogniser
from services.ocr.recognitions import Recognitions
from services.ocr.tables import metadata, recognitions
from services.ocr.units.table import TableRegistry


class ServicePath:
    def __init__(self, recogniser: Recogniser):
        self._folder = tempfile.TemporaryDirectory(prefix="ocr-bench-")
        root = Path(self._folder.name)
        self.engine = make_engine(f"sqlite:///{root / 'ocr.db'}")
        metadata.create_all(self.engine)
        self.blobs = FolderBlobStore(root / "blobs")
        self.recognitions = Recognitions(
            self.blobs,
            RecognitionCache(self.engine),
            PhotoReader(lambda: recogniser),
            TableRegistry(self.engine),
        )

    def store(self, body: bytes) -> str:
        return self.blobs.put(body)

    def event_for(self, photo_sha256: str, photo: str) -> tuple[str, object]:
        """Read the photo as a handler does and build the event it would send."""
        recognition = self.recognitions.of_photo(photo_sha256)
        subject = outcome.subject_of(f"project-{photo_sha256[:8]}", photo)
        unit = self.recognitions.unit_of(recognition)
        return outcome.document_event(subject, photo_sha256, recognition, unit)

    def forget(self) -> None:
        """Empty the cache, so that the next round misses again."""
        with self.engine.begin() as connection:
            connection.execute(recognitions.delete())

    def close(self) -> None:
        self.engine.dispose()
        self._folder.cleanup()
