"""Recognitions kept by the sha256 of the photo, so no photo is read twice.

A known shortcoming: the key is the photo alone, so a new recogniser release
or a changed OCR_SUGGESTION_BELOW keeps answering old results for photos
already read, until the table is emptied.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from services.ocr.results import Recognition
from services.ocr.tables import recognitions


class RecognitionCache:
    def __init__(self, engine: Engine):
        self.engine = engine

    def get(self, photo_sha256: str) -> Recognition | None:
        query = select(recognitions.c.result).where(
            recognitions.c.photo_sha256 == photo_sha256
        )
        with self.engine.connect() as connection:
            result = connection.scalar(query)
        return None if result is None else Recognition.model_validate(result)

    def put(self, photo_sha256: str, recognition: Recognition) -> None:
        row = {
            "photo_sha256": photo_sha256,
            "result": recognition.model_dump(mode="json"),
            "recognised_at": datetime.now(UTC),
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(recognitions).values(row))
        except IntegrityError:
            # Another replica read the same photo at the same time; the
            # recogniser is deterministic, so its row is as good as ours.
            pass
