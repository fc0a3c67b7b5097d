"""Every API error in one JSON shape: {"error": {"code": ..., "message": ...}}."""

import logging

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

from studio.errors import ApplicationError

logger = logging.getLogger(__name__)


def _body(code: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": message, **extra}}


def _field_name(error: dict) -> str:
    """`portrait`, `binding.alg`: the field's name without ninja's location prefix."""
    location = [str(part) for part in error.get("loc", ())]
    if location and location[0] in {"body", "form", "file", "query", "path", "header"}:
        location = location[1:]
    if location and location[0] in {"binding", "payload"} and len(location) > 1:
        location = location[1:]
    return ".".join(location) or "request"


def install_error_handlers(api) -> None:
    @api.exception_handler(ApplicationError)
    def application_error(request, exc: ApplicationError):
        response = api.create_response(
            request, _body(exc.code, exc.message, **exc.extra), status=exc.status
        )
        retry_after = getattr(exc, "retry_after", None)  # 429 and 503 say when to come back
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        fields = sorted({_field_name(error) for error in exc.errors})
        message = _("The request is not valid: check %(fields)s.") % {
            "fields": ", ".join(f"`{name}`" for name in fields)
        }
        return api.create_response(
            request, _body("invalid_request", message, fields=fields), status=400
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request,
            _body("unauthenticated", _("Send your API token as `Authorization: Bearer <token>`.")),
            status=401,
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        code = "invalid_request" if exc.status_code == 400 else "http_error"
        return api.create_response(request, _body(code, str(exc)), status=exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, _body("not_found", _("Not found.")), status=404)

    # What Django itself answers with 400 (a malformed multipart body, more fields or files than
    # it reads, a form body over its memory limit): ninja's catch-all below would make it a 500.
    @api.exception_handler(MultiPartParserError)
    @api.exception_handler(SuspiciousOperation)
    @api.exception_handler(BadRequest)
    def unreadable(request, exc):
        return api.create_response(
            request, _body("bad_request", _("This request could not be read.")), status=400
        )

    @api.exception_handler(Exception)
    def internal(request, exc):
        logger.exception("API request failed: %s %s", request.method, request.path)
        return api.create_response(
            request, _body("internal", _("Something went wrong on our side.")), status=500
        )
