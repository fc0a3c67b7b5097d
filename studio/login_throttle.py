"""What a client locked out by django-axes gets: 429 with Retry-After, as a page or JSON."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from studio.middleware import wants_json


def lockout_seconds() -> int:
    return int(float(settings.AXES_COOLOFF_TIME) * 3600)


def lockout_response(request, original_response=None, credentials=None):
    minutes = max(1, round(lockout_seconds() / 60))
    message = _(
        "Too many failed logins. This login is locked for %(minutes)d minutes; try again later."
    ) % {"minutes": minutes}
    if wants_json(request):
        response = JsonResponse({"error": {"code": "locked_out", "message": message}}, status=429)
    else:
        response = render(
            request, "error.html", {"message": message, "code": "locked_out"}, status=429
        )
    response["Retry-After"] = str(lockout_seconds())
    return response
