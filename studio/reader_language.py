"""Noting the language a signed-in visitor reads Signet in, for the mails sent to them later.

LocaleMiddleware picks each request's language from the switch's cookie or the browser's
Accept-Language. A request that carries neither (a script, a health check) says nothing about
the reader and leaves the stored language alone. Written once per session and language.
"""

from django.conf import settings

from studio.services.reader_languages import reader_language_note
from studio.session_notes import note_once_per_session

NOTED_IN_SESSION = "signet_language_noted"


def asked_for_a_language(request) -> bool:
    return (settings.LANGUAGE_COOKIE_NAME in request.COOKIES
            or bool(request.META.get("HTTP_ACCEPT_LANGUAGE")))


class ReaderLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        code = getattr(request, "LANGUAGE_CODE", None)  # set by LocaleMiddleware
        if code and asked_for_a_language(request):
            note_once_per_session(
                request,
                key=NOTED_IN_SESSION,
                value=code,
                note=lambda reader, value: reader_language_note(reader=reader, code=value),
            )
        return response
