"""Gives every request an id (kept from X-Request-ID when it is sane) and logs it when done."""

import logging
import re
import time
import uuid

from studio.observability import context

logger = logging.getLogger("studio.request")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


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
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            context.current_request.reset(request_token)
            context.request_id.reset(id_token)
