"""Telling creators what happened to their jobs and tokens, by e-mail (console backend by
default)."""

import logging
import zoneinfo
from contextlib import contextmanager
from datetime import UTC, tzinfo

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def site_link(url_name: str, **kwargs) -> str:
    """The full address of one of Signet's pages, for a mail (SIGNET_SITE_URL: a worker sending
    it has no request to take the host from)."""
    return settings.SIGNET_SITE_URL + reverse(url_name, kwargs=kwargs or None)


def creator_notify(job, *, subject: str, body: str) -> None:
    """A mail about one job, ending with the link to its page (call it in `readers_locale`)."""
    link = site_link("job_detail", public_id=job.public_id)
    body = body + "\n\n" + _("Your video's page: %(link)s") % {"link": link}
    reader_email(job.creator, subject=subject, body=body, about=f"job {job.public_id}")


def reader_email(reader, *, subject: str, body: str, about: str) -> bool:
    """Mail a creator or a moderator. Whether the mail went out; ``about`` names what it
    concerns in the log if it did not."""
    if reader is None or not reader.email:
        return False
    try:
        send_mail(f"Signet: {subject}", body, settings.DEFAULT_FROM_EMAIL, [reader.email])
    except Exception:  # a mail outage must not undo a moderator's decision
        logger.exception("could not e-mail %s about %s", reader.pk, about)
        return False
    return True


@contextmanager
def readers_locale(reader, *, otherwise: str | None = None):
    """Word what is inside in the language `reader` (a creator or a moderator) reads Signet in,
    and give its times on their clock, not the sender's or the worker's.

    The language is the one their browser last asked for on a signed-in page (ReaderLanguage);
    for someone not seen since that was noted, the language of their latest consent (which
    followed the page they gave it on); else `otherwise` (the page's language, where there is
    a page). The clock is the zone their browser last reported (UTC for one that never did).
    """
    from studio.models import ConsentRecord, CreatorTimeZone, ReaderLanguage

    language = reader is not None and (
        ReaderLanguage.objects.filter(reader=reader).values_list("code", flat=True).first()
        or ConsentRecord.objects.filter(creator=reader)
        .order_by("-granted_at")
        .values_list("language", flat=True)
        .first()
    )
    zone_name = reader is not None and (
        CreatorTimeZone.objects.filter(creator=reader).values_list("name", flat=True).first()
    )
    with translation.override(language or otherwise or settings.LANGUAGE_CODE), \
            timezone.override(_zone(zone_name)):  # fmt: skip
        yield


def _zone(name) -> tzinfo:
    try:
        return zoneinfo.ZoneInfo(name) if name else UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):  # a zone the tz database later dropped
        return UTC


def creators_day(moment) -> str:
    """The creator's day of `moment`, inside `readers_locale` (for a subject line)."""
    return date_format(timezone.localtime(moment), "DATE_FORMAT")


def creators_moment(moment) -> str:
    """`moment` as a mail to the creator words it, inside `readers_locale`: date, time and the
    zone it is on ("5. Januar 2027, 21:00 (America/New_York)"), so nobody reads a UTC date as
    their own day."""
    return _("%(date)s, %(time)s (%(zone)s)") % {
        "date": creators_day(moment),
        "time": time_format(timezone.localtime(moment), "TIME_FORMAT"),
        "zone": timezone.get_current_timezone_name(),
    }


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
    with readers_locale(row.creator):
        subject, body = words()
    if reader_email(
        row.creator, subject=subject, body=body, about=f"{model.__name__} {row.public_id}"
    ):
        return True
    model.objects.filter(pk=row.pk).update(**{marker: None})
    return False
