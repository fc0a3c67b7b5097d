"""Telling moderators that cases wait in the queue, so a held video or consent does not wait
until someone happens to open the queue."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from studio.models import ModerationCase
from studio.services.notifications import reader_email, readers_locale, site_link

# A claimed case is in a moderator's hands already.
WAITING_STATES = (ModerationCase.State.OPEN,)


def moderation_cases_announce() -> int:
    """E-mail every active moderator once about the cases that began waiting since the last
    mail, and at least SIGNET_CASE_ANNOUNCE_AFTER ago (a case closed by itself within that
    time, such as a renewal recorded again, is never announced). Names no creator and no
    reason: a mail can be forwarded; the queue says the rest behind a second factor. Returns
    how many moderators were mailed. Safe to run from two beat processes at once."""
    now = timezone.now()
    due = ModerationCase.objects.filter(
        state__in=WAITING_STATES,
        moderators_told_at__isnull=True,
        created_at__lte=now - timedelta(seconds=settings.SIGNET_CASE_ANNOUNCE_AFTER),
    )
    claimed = list(due.values_list("pk", flat=True))
    if not claimed:
        return 0
    # Claimed first: of two runs at once only one mails about a case.
    told = ModerationCase.objects.filter(pk__in=claimed, moderators_told_at__isnull=True).update(
        moderators_told_at=now
    )
    if not told:
        return 0
    waiting = ModerationCase.objects.filter(state__in=WAITING_STATES)
    oldest = waiting.order_by("created_at").values_list("created_at", flat=True).first()
    moderators = list(
        get_user_model()
        .objects.with_perm(
            "studio.review_case",
            include_superusers=False,
            backend="django.contrib.auth.backends.ModelBackend",
        )
        .filter(is_active=True)
        .exclude(email="")
    )
    count = waiting.count()
    sent = 0
    for moderator in moderators:
        with readers_locale(moderator):
            subject, body = _waiting_words(count, oldest or now, now)
        # One moderator's mailbox must not keep the others from being told.
        sent += reader_email(moderator, subject=subject, body=body, about="waiting cases")
    if moderators and not sent:  # nobody was told: the next run tries again
        ModerationCase.objects.filter(pk__in=claimed, moderators_told_at=now).update(
            moderators_told_at=None
        )
    return sent


def _waiting_words(count: int, oldest, now) -> tuple[str, str]:
    """(subject, body) in the active language."""
    subject = ngettext(
        "%(count)d case waits in the moderation queue",
        "%(count)d cases wait in the moderation queue",
        count,
    ) % {"count": count}
    body = (
        _("The oldest has waited %(time)s.") % {"time": timesince(oldest, now)}
        + "\n\n"
        + _("The moderation queue: %(link)s") % {"link": site_link("moderation_queue")}
    )
    return subject, body
