"""Telling creators before their consent runs out, so their videos do not stop by surprise."""

from datetime import timedelta
from functools import partial

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from studio.models import ConsentRecord
from studio.services.notifications import (
    creator_email_once,
    creators_day,
    creators_moment,
    site_link,
)

# Renewing means recording a new live consent in front of a camera; two weeks leave time to.
CONSENT_EXPIRY_WARNING = timedelta(days=14)


def consent_ends_soon(record: ConsentRecord | None, *, now=None) -> bool:
    """Whether `record` lets videos be made now but stops doing so within the warning time."""
    now = now or timezone.now()
    return (
        record is not None
        and record.revoked_at is None
        and now < record.expires_at <= now + CONSENT_EXPIRY_WARNING
    )


def consent_warn_expiring() -> int:
    """E-mail each creator once when the consent that lets their videos be made enters its last
    two weeks. Returns how many mails went out. Safe to run from two beat processes at once.

    A creator whose renewal waits for a moderator has done what the mail asks; they are not told
    unless a moderator rejects it (the next run then finds the consent still ending)."""
    now = timezone.now()
    renewal_waiting = ConsentRecord.objects.filter(
        creator=OuterRef("creator"),
        revoked_at__isnull=True,
        verification=ConsentRecord.Verification.HELD,
    )
    due = (
        ConsentRecord.objects.filter(
            revoked_at__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + CONSENT_EXPIRY_WARNING,
            expiry_warned_at__isnull=True,
            verification__in=[
                ConsentRecord.Verification.VERIFIED,
                ConsentRecord.Verification.APPROVED,
            ],
            creator__is_active=True,
        )
        .exclude(Exists(renewal_waiting))
        .select_related("creator")
        .order_by("expires_at")
    )
    return sum(
        creator_email_once(
            record, marker="expiry_warned_at", now=now, words=partial(_expiry_words, record)
        )
        for record in due
    )


def _expiry_words(record: ConsentRecord) -> tuple[str, str]:
    subject = _("your consent ends on %(date)s") % {"date": creators_day(record.expires_at)}
    body = _(
        "Your consent to Signet animating your face ends on %(date)s. From then on "
        "Signet makes no new videos of you, and jobs still waiting are not rendered; "
        "videos already made stay as they are. To go on, record your consent again on "
        "the consent page of your Signet account before that day."
    ) % {"date": creators_moment(record.expires_at)}
    body += "\n\n" + _("Your consent page: %(link)s") % {"link": site_link("consent")}
    return subject, body
