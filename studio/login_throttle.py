"""Passwords counted by django-axes: what a locked-out client gets (429 with Retry-After, as a
page or JSON), and the password a signed-in person types again, counted as a login is."""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from studio.errors import RateLimited
from studio.middleware import wants_json


def lockout_seconds() -> int:
    return int(float(settings.AXES_COOLOFF_TIME) * 3600)


def lockout_message() -> str:
    minutes = max(1, round(lockout_seconds() / 60))
    return _(
        "Too many failed logins. This login is locked for %(minutes)d minutes; try again later."
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    message = lockout_message()
    if wants_json(request):
        response = JsonResponse({"error": {"code": "locked_out", "message": message}}, status=429)
    else:
        response = render(
            request, "error.html", {"message": message, "code": "locked_out"}, status=429
        )
    response["Retry-After"] = str(lockout_seconds())
    return response


def password_reentry_check(request, user, password: str) -> bool:
    """Whether `password` is the signed-in `user`'s, asked again before changing the password or
    deleting the account. A wrong one counts as a failed login (per address and per account), so
    whoever finds a session left open cannot guess the password there at full speed and then
    lock the owner out; while the account or address is locked out the check raises RateLimited."""
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        raise RateLimited(lockout_message(), retry_after=lockout_seconds())
    if user.check_password(password):
        return True
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return False
