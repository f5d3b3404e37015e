"""Settings: nameko's config file first, the environment second, then defaults.

The YAML files under `config/` substitute `${VAR:default}` from the
environment, so every setting can be overridden without editing them.
"""

from __future__ import annotations

import os
from typing import Any

import nameko


def setting(name: str, default: Any = None) -> Any:
    value = nameko.config.get(name)
    if value in (None, ""):
        value = os.environ.get(name)
    return default if value in (None, "") else value


def flag(name: str, default: bool = False) -> bool:
    value = setting(name, default)
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def database_url(service: str) -> str:
    """The service's database; `{service}` in the URL names a file per service."""
    url = setting("DATABASE_URL", "sqlite:///var/{service}.db")
    return url.replace("{service}", service)


def required_secret(name: str) -> str:
    """A secret with no default outside the embedded mode."""
    value = setting(name)
    if not value:
        raise RuntimeError(f"{name} must be set (no default outside embedded mode)")
    return str(value)
