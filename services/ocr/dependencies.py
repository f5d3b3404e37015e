"""nameko dependencies of the recognition service: its store and its reader."""

from __future__ import annotations

from nameko.extensions import DependencyProvider
from sqlalchemy import Engine

from services.common.blobstore import FolderBlobStore
from services.common.config import database_url, setting
from services.common.db import make_engine
from services.ocr import settings
from services.ocr.cache import RecognitionCache
from services.ocr.reader import PhotoReader
from services.ocr.recogniser import Recogniser
from services.ocr.recognitions import Recognitions
from services.ocr.tables import metadata
from services.ocr.units import UnitRegistry
from services.ocr.units.http import HttpRegistry
from services.ocr.units.table import TableRegistry


def unit_registry(engine: Engine) -> UnitRegistry:
    url = settings.unit_registry_url()
    if url:
        return HttpRegistry(url, settings.unit_registry_timeout())
    return TableRegistry(engine)


def _load_recogniser() -> Recogniser:
    from services.ocr.engine import shared_engine

    return Recogniser(shared_engine(), settings.suggestion_below())


class RecognitionRuntime(DependencyProvider):
    """One per process: the DB engine, the unit registry and the reader.

    The reader holds the concurrency gate and the loaded models, so every
    worker of the process shares them.
    """

    def setup(self):
        url = database_url(self.container.service_name)
        self.engine = make_engine(url, pool_size=int(setting("DB_POOL_SIZE", 10)))
        metadata.create_all(self.engine)
        self.blobs = FolderBlobStore(setting("BLOB_DIR", "var/blobs"))
        self.registry = unit_registry(self.engine)
        # Confirmed pairs are kept in the table even when lookups go over
        # HTTP, so switching back loses nothing users taught.
        self.learner = TableRegistry(self.engine)
        self.reader = PhotoReader(_load_recogniser, settings.concurrency())
        self.recognitions = Recognitions(
            self.blobs, RecognitionCache(self.engine), self.reader, self.registry
        )

    def get_dependency(self, worker_ctx) -> RecognitionRuntime:
        return self
