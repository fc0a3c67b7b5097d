"""The one error type media checks raise: its message is shown to the user as written."""

from __future__ import annotations


class MediaError(Exception):
    """An uploaded or produced media file cannot be used.

    ``message`` is plain English meant for the person who uploaded the file, so
    callers may show it verbatim; technical detail belongs in the exception chain.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
