"""Telling creators what happened to their jobs, by e-mail (console backend by default)."""

import logging

from django.conf import settings
from django.core.mail import send_mail

logger = logging.getLogger(__name__)


def creator_notify(job, *, subject: str, body: str) -> None:
    creator = job.creator
    if creator is None or not creator.email:
        return
    try:
        send_mail(f"Signet: {subject}", body, settings.DEFAULT_FROM_EMAIL, [creator.email])
    except Exception:  # a mail outage must not undo a moderator's decision
        logger.exception("could not e-mail the creator of job %s", job.public_id)
