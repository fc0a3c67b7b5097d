"""Gives every request an id (kept from X-Request-ID when it is sane) and logs it when done."""

import logging
import re
import time
import uuid

from studio.observability import context

logger = logging.getLogger("studio.request")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# URL parts that are secrets: e-mailed sign-up, password-reset and authenticator links. Whoever
# reads the logs must not be able to open them.
_SECRET_URL_PARTS = ("token", "uidb64")


def logged_path(request) -> str:
    """The request's path with the secrets in it blanked out."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name in _SECRET_URL_PARTS:
        value = match.kwargs.get(name) if match else None
        if value:
            path = path.replace(str(value), f"<{name}>")
    return path


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        started = time.perf_counter()
        id_token = context.request_id.set(request_id)
        request_token = context.current_request.set(request)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            path = logged_path(request)
            logger.info(
                "%s %s %s",
                request.method,
                path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            context.current_request.reset(request_token)
            context.request_id.reset(id_token)
