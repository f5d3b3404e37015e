"""Turning pydantic's errors into the one error shape clients see."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from contracts.errors import InvalidInput

Model = TypeVar("Model", bound=BaseModel)


def parse(model: type[Model], data: Any, prefix: str = "") -> Model:
    """Validate `data` as `model`, or raise InvalidInput naming the field."""
    if not isinstance(data, dict):
        raise InvalidInput("must be a JSON object", field=prefix or "body")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise as_invalid_input(error, prefix) from None


def as_invalid_input(error: ValidationError, prefix: str = "") -> InvalidInput:
    first = error.errors(include_url=False)[0]
    path = [str(part) for part in first["loc"]]
    field = ".".join([prefix, *path] if prefix else path) or prefix or "body"
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "is not a known field"
    elif message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    return InvalidInput(message, field=field)
