"""Turns an ApplicationError raised anywhere in a view into one page or one JSON shape."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from studio.errors import ApplicationError


def wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


class ApplicationErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ApplicationError):
            return None
        response = self._response(request, exception)
        retry_after = getattr(exception, "retry_after", None)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response

    def _response(self, request, exception):
        if wants_json(request):
            return JsonResponse(
                {
                    "error": {
                        "code": exception.code,
                        "message": exception.message,
                        **exception.extra,
                    }
                },
                status=exception.status,
            )
        return render(
            request,
            "error.html",
            {"message": exception.message, "code": exception.code},
            status=exception.status,
        )


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
            message = f"This upload is too large: at most {limit // (1024 * 1024)} MB can be sent at once."
            if wants_json(request):
                return JsonResponse(
                    {"error": {"code": "too_large", "message": message}}, status=413
                )
            return render(
                request, "error.html", {"message": message, "code": "too_large"}, status=413
            )
        return self.get_response(request)
