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
