"""Telling creators what happened to their jobs and tokens, by e-mail (console backend by
default)."""

import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation

logger = logging.getLogger(__name__)


def creator_notify(job, *, subject: str, body: str) -> None:
    creator_email(job.creator, subject=subject, body=body, about=f"job {job.public_id}")


def creator_email(creator, *, subject: str, body: str, about: str) -> bool:
    """Whether the mail went out; ``about`` names what it concerns in the log if it did not."""
    if creator is None or not creator.email:
        return False
    try:
        send_mail(f"Signet: {subject}", body, settings.DEFAULT_FROM_EMAIL, [creator.email])
    except Exception:  # a mail outage must not undo a moderator's decision
        logger.exception("could not e-mail the creator about %s", about)
        return False
    return True


@contextmanager
def creators_language(creator, *, otherwise: str | None = None):
    """Word what is inside in the creator's language, not the moderator's or the worker's.

    Signet stores no language preference; the language of the creator's latest consent (which
    follows the page they gave it on) is the best sign of the language they read. A creator who
    never consented is written to in `otherwise` (the page's language, where there is a page).
    """
    from studio.models import ConsentRecord

    language = creator is not None and (
        ConsentRecord.objects.filter(creator=creator)
        .order_by("-granted_at")
        .values_list("language", flat=True)
        .first()
    )
    with translation.override(language or otherwise or settings.LANGUAGE_CODE):
        yield


def creator_email_once(row, *, marker: str, now, words) -> bool:
    """E-mail `row.creator` once about `row`: `marker` (a nullable time field of the row) is
    claimed first, so of two runs at once only one sends, and released again if the mail did
    not go out, so the next run tries again. `words()` gives (subject, body); it is called in
    the creator's language. Whether the mail went out."""
    model = type(row)
    claimed = model.objects.filter(pk=row.pk, **{f"{marker}__isnull": True}).update(
        **{marker: now}
    )
    if not claimed:
        return False
    with creators_language(row.creator):
        subject, body = words()
    if creator_email(
        row.creator, subject=subject, body=body, about=f"{model.__name__} {row.public_id}"
    ):
        return True
    model.objects.filter(pk=row.pk).update(**{marker: None})
    return False
