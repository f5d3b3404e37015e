"""structlog as JSON lines, with the standard library's records folded in."""

from __future__ import annotations

import logging
import sys

import structlog

_configured = False

_SHARED = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(level: str = "INFO") -> None:
    global _configured
    if _configured:
        return
    _configured = True
    structlog.configure(
        processors=[
            *_SHARED,
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_SHARED, structlog.stdlib.add_logger_name],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # nameko logs every expected business error with a traceback at WARNING,
    # and kombu warns about a default hostname; real failures are ERRORs.
    for noisy in ("nameko.containers", "kombu.connection"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def get_logger(name: str, **bound) -> structlog.stdlib.BoundLogger:
    # A lazy proxy: modules ask for loggers at import, before configuration.
    return structlog.get_logger(name, **bound)
