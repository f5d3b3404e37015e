"""The base of every contract: frozen, strict about unknown fields."""

from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    """A message that crosses a boundary: HTTP, RPC or the event bus."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
