"""Noting something a signed-in visitor's browser tells about them (their clock, their language)
for the mails a worker sends them later, written at most once per session and value."""

from collections.abc import Callable


def note_once_per_session(request, *, key: str, value: str, note: Callable) -> None:
    """Call ``note(user, value)`` for a signed-in request unless this session noted ``value``
    already (under ``key``)."""
    user = getattr(request, "user", None)  # set by AuthenticationMiddleware, further in
    session = getattr(request, "session", None)
    if user is None or session is None or not user.is_authenticated:
        return
    if session.get(key) == value:
        return
    note(user, value)
    session[key] = value
