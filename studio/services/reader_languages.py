"""Remembering the language a signed-in person reads Signet in, for mails (the pages read the
request's language on each request)."""

from django.utils import timezone

from studio.models import ReaderLanguage


def reader_language_note(*, reader, code: str) -> None:
    """Store `code` (one of settings.LANGUAGES, as LocaleMiddleware chose it) as `reader`'s."""
    ReaderLanguage.objects.update_or_create(
        reader=reader, defaults={"code": code, "noted_at": timezone.now()}
    )
