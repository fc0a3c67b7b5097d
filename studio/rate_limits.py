"""Rate limits per client address, counted by django-ratelimit on the default cache.

Each limit is a named rate from SIGNET_RATE_LIMITS ("30/m"). django-ratelimit counts in fixed
windows with one cache key per window (created with `add`, counted with an atomic `incr`), so a
window really ends: a client refused now is let in again when its window closes, however often it
knocked meanwhile. The cache must count atomically: Redis in production, local memory in the
embedded default (one web process); the file and database caches do not.

A refused client gets RateLimited: HTTP 429 with Retry-After (seconds until its window ends).
"""

from functools import wraps

from django.conf import settings
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from studio.client_address import client_address
from studio.errors import RateLimited


def _client_key(group, request) -> str:
    return client_address(request)


def _rate(name: str) -> str:
    if name == "verify":  # its own long-standing setting
        return f"{settings.SIGNET_VERIFY_RATE_LIMIT_PER_MINUTE}/m"
    return settings.SIGNET_RATE_LIMITS[name]


def rate_limit_hit(request, name: str, *, message: str | None = None) -> None:
    """Count one request of `request`'s client against limit `name`; refuse it if over."""
    rate = _rate(name)
    usage = get_usage(request, group=f"signet:{name}", key=_client_key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return
    retry_after = max(1, int(usage["time_left"]))
    raise RateLimited(
        message or _("Too many requests from your address. Please wait and try again."),
        retry_after=retry_after,
    )


def rate_limit_exceeded_for(value: str, name: str) -> bool:
    """Count one use of limit `name` for `value` rather than a client address (the address a
    mail goes to: a crowd of clients must not flood one inbox); whether it is over the limit."""
    usage = get_usage(
        None, group=f"signet:{name}", key=lambda _group, _request: value, rate=_rate(name),
        increment=True,
    )  # fmt: skip
    return usage is not None and usage["should_limit"]


def rate_limited(name: str):
    """View decorator: every request to the view counts against limit `name`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            rate_limit_hit(request, name)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
