"""Turns an ApplicationError raised anywhere in a view into one page or one JSON shape."""

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
