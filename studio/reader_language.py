"""Noting the language a signed-in visitor reads Signet in, for the mails sent to them later.

LocaleMiddleware picks each request's language from the switch's cookie or the browser's
Accept-Language. A request that carries neither (a script, a health check) says nothing about
the reader and leaves the stored language alone. Written once per session and language.
"""

from django.conf import settings

from studio.services.reader_languages import reader_language_note

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
            _note_for_mails(request, code)
        return response


def _note_for_mails(request, code: str) -> None:
    user = getattr(request, "user", None)  # set by AuthenticationMiddleware, further in
    session = getattr(request, "session", None)
    if user is None or session is None or not user.is_authenticated:
        return
    if session.get(NOTED_IN_SESSION) == code:
        return
    reader_language_note(reader=user, code=code)
    session[NOTED_IN_SESSION] = code
