"""Exceptions the recogniser raises to its callers."""


class UnreadableImage(Exception):
    """The body is not a photo the recogniser can read; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
