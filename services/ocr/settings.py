"""The recognition service's settings, with their documented defaults."""

from __future__ import annotations

from services.common.config import setting
from services.ocr.recogniser import SUGGESTION_BELOW


def suggestion_below() -> float:
    """OCR_SUGGESTION_BELOW: a field read with less confidence is a suggestion."""
    return float(setting("OCR_SUGGESTION_BELOW", SUGGESTION_BELOW))


def concurrency() -> int:
    """OCR_CONCURRENCY: photos read at once per process (the rest wait)."""
    return max(1, int(setting("OCR_CONCURRENCY", 1)))


def unit_registry_url() -> str:
    """UNIT_REGISTRY_URL: an HTTP verification service; empty for the table."""
    return str(setting("UNIT_REGISTRY_URL", "")).strip()


def unit_registry_timeout() -> float:
    """UNIT_REGISTRY_TIMEOUT: seconds to wait for the HTTP service."""
    return float(setting("UNIT_REGISTRY_TIMEOUT", 2.0))
