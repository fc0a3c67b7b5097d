"""Turns an ApplicationError raised anywhere in a view into one page or one JSON shape."""

from http import HTTPStatus
from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from studio.errors import ApplicationError, InputRefused, UploadTooLarge


def wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def application_error_response(request, error: ApplicationError):
    """The one page or JSON shape of every refusal, with Retry-After where it has one."""
    if wants_json(request):
        response = JsonResponse(
            {"error": {"code": error.code, "message": error.message, **error.extra}},
            status=error.status,
        )
    else:
        response = render(
            request,
            "error.html",
            {"message": error.message, "code": error.code},
            status=error.status,
        )
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


class ApplicationErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ApplicationError):
            return None
        return application_error_response(request, exception)


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is over the limit before Django spools it to disk.

    Django caps form fields but not file uploads; without this a huge upload would fill the
    temporary folder before the per-file size checks in the services ever ran.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = settings.SIGNET_MAX_REQUEST_BYTES
        if declared > limit:
            message = _(
                "This upload is too large: at most %(megabytes)d MB can be sent at once."
            ) % {"megabytes": limit // (1024 * 1024)}
            return application_error_response(request, UploadTooLarge(message))
        return self.get_response(request)


class NullCharactersRefused:
    """Refuse a NUL character in the path, the query or a form field with a 400.

    PostgreSQL text cannot hold one, so any such value that reaches a lookup or a saved row
    raised a DataError: a 500 for what is simply bad input. Views exempt from CSRF (the C2PA
    API) answer bad queries and bodies themselves, with the status codes their specification
    documents (byContent: 415); only their path is checked here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        fields = [request.path]
        if not getattr(view_func, "csrf_exempt", False):
            fields += _query_dict_texts(request.GET)
            if request.method == "POST":
                fields += _query_dict_texts(request.POST)
        if not any("\x00" in text for text in fields):
            return None
        message = _("The request contains a null character, which no field accepts.")
        return application_error_response(request, InputRefused(message))


def _query_dict_texts(query_dict) -> list[str]:
    return [text for key, values in query_dict.lists() for text in (key, *values)]


class ApiErrorsAsJson:
    """Every error under /api/ is JSON, whoever produced it (Django's 400 for a malformed upload,
    405 for a wrong method, an unexpected exception): API clients never parse an HTML page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        code = phrase.lower().replace(" ", "_").replace("-", "_")
        replacement = JsonResponse(
            {"error": {"code": code, "message": f"{phrase}."}}, status=status
        )
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                replacement[header] = response[header]
        return replacement


PRIVATE_PATH_PREFIXES = ("/outputs/", "/moderation/", "/admin/", "/api/v1/jobs")


class PrivatePages:
    """Pages and files for a signed-in person, and output videos, are never stored by a shared
    cache or kept by the browser: `Cache-Control: private, no-store`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if signed_in or request.path.startswith(PRIVATE_PATH_PREFIXES):
            patch_cache_control(response, private=True, no_store=True)
        return response


# Changing the password or deleting the account too: with the password alone, a thief could
# otherwise lock the moderator out or erase the account the second factor protects.
SECOND_FACTOR_PATHS = ("/moderation/", "/admin/", "/accounts/password/", "/accounts/delete/")


class SecondFactorRequired:
    """Moderators and staff see selfies, consent recordings and face embeddings: their pages, and
    the pages that change or delete their account, need a login confirmed with a second factor
    (TOTP), not a password alone. One without a confirmed device is sent to enrol (which needs a
    one-time link from an administrator), one with a device to type its code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from studio.services.two_factor import second_factor_needed

        user = getattr(request, "user", None)
        if (
            request.path.startswith(SECOND_FACTOR_PATHS)
            and user is not None
            and second_factor_needed(user)
        ):
            if wants_json(request):
                return JsonResponse(
                    {
                        "error": {
                            "code": "second_factor_required",
                            "message": _("Confirm your login with your authenticator app first."),
                        }
                    },
                    status=403,
                )
            return redirect(
                f"{reverse('two_factor_verify')}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)
