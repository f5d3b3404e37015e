"""Business errors that cross RPC as themselves, not as RemoteError.

Each carries a code, a message and, where it concerns one input, the field.
The gateway maps each type to one HTTP status in a single table.
"""

from nameko.exceptions import deserialize_to_instance


class DomainError(Exception):
    code = "DOMAIN_ERROR"

    def __init__(self, message: str, field: str | None = None):
        # Across RPC the arguments travel as strings: no field travels as "".
        super().__init__(message, field or "")
        self.message = message
        self.field = field or None

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


@deserialize_to_instance
class InvalidInput(DomainError):
    """A value has the wrong shape or fails its check."""

    code = "INVALID_INPUT"


@deserialize_to_instance
class RuleViolated(DomainError):
    """Well-formed input that a rule of the filing forbids."""

    code = "RULE_VIOLATED"


@deserialize_to_instance
class NotFound(DomainError):
    code = "NOT_FOUND"


@deserialize_to_instance
class Forbidden(DomainError):
    code = "FORBIDDEN"


@deserialize_to_instance
class VersionConflict(DomainError):
    """Somebody else changed the record since the caller read it."""

    code = "VERSION_CONFLICT"


@deserialize_to_instance
class AlreadyExists(DomainError):
    code = "ALREADY_EXISTS"
