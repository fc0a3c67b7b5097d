"""Mails from a worker give dates on the creator's clock, not the server's: the zone the
creator's browser last reported on a signed-in page (UTC, said so, where none did)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from studio.models import ApiToken, ConsentRecord, CreatorTimeZone
from studio.services.api_tokens import api_token_create, api_tokens_warn_expiring
from studio.services.consent_expiry import consent_warn_expiring
from tests.studio.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def two_in_the_morning_utc(days_ahead: int) -> datetime:
    """02:00 UTC: still the day before in the Americas."""
    day = (timezone.now() + timedelta(days=days_ahead)).date()
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=ZoneInfo("UTC"))


def visit_with_browser_zone(client, creator, zone: str, path: str = "/dashboard/") -> None:
    assert client.login(username=creator.username, password=PASSWORD)
    client.cookies["signet_tz"] = zone
    assert client.get(path).status_code == 200


def day_in(moment: datetime, zone: ZoneInfo, language: str = "en") -> str:
    with translation.override(language):
        return date_format(moment.astimezone(zone), "DATE_FORMAT")


def test_a_token_mail_gives_the_day_it_ends_in_new_york_not_in_utc(client, creator, mailoutbox):
    visit_with_browser_zone(client, creator, "America/New_York")
    ends = two_in_the_morning_utc(days_ahead=4)
    token, _key = api_token_create(creator=creator, label="nightly export")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=ends)

    assert api_tokens_warn_expiring() == 1
    mail = mailoutbox[0]
    evening_before = day_in(ends, NEW_YORK)
    assert evening_before != day_in(ends, ZoneInfo("UTC"))
    assert evening_before in mail.subject, mail.subject
    assert day_in(ends, ZoneInfo("UTC")) not in mail.subject
    assert f"{evening_before}, 9 p.m. (America/New_York)" in mail.body, mail.body


def test_a_creator_whose_browser_never_said_reads_utc_and_is_told_so(creator, mailoutbox):
    ends = two_in_the_morning_utc(days_ahead=4)
    token, _key = api_token_create(creator=creator, label="laptop")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=ends)
    api_tokens_warn_expiring()
    assert f"{day_in(ends, ZoneInfo('UTC'))}, 2 a.m. (UTC)" in mailoutbox[0].body


def test_the_consent_mail_in_german_on_berlin_time(client, consented_creator, mailoutbox):
    visit_with_browser_zone(client, consented_creator, "Europe/Berlin")
    ConsentRecord.objects.filter(creator=consented_creator).update(language="de")
    record = ConsentRecord.objects.get(creator=consented_creator, revoked_at__isnull=True)
    ends = two_in_the_morning_utc(days_ahead=5).replace(hour=23, minute=30)  # 00:30 next day
    ConsentRecord.objects.filter(pk=record.pk).update(expires_at=ends)

    assert consent_warn_expiring() == 1
    mail = mailoutbox[0]
    next_day = day_in(ends, ZoneInfo("Europe/Berlin"), "de")
    assert next_day in mail.subject, mail.subject
    assert f"{next_day}, 00:30 Uhr (Europe/Berlin)" in mail.body, mail.body


def test_only_a_real_zone_from_a_signed_in_browser_is_kept(client, creator):
    # Not signed in: nobody to keep it for.
    client.cookies["signet_tz"] = "America/New_York"
    client.get("/")
    assert not CreatorTimeZone.objects.exists()
    # Forged cookies name no zone: nothing is kept, and the mails stay on UTC.
    for forged in ("../../etc/passwd", "Mars/Olympus_Mons", "x" * 5000, "Europe/Berlin\x00"):
        visit_with_browser_zone(client, creator, forged)
        assert not CreatorTimeZone.objects.filter(creator=creator).exists(), forged


def test_the_kept_zone_follows_the_browser_and_is_written_once_per_session(client, creator):
    visit_with_browser_zone(client, creator, "Asia/Tokyo")
    assert CreatorTimeZone.objects.get(creator=creator).name == "Asia/Tokyo"
    first_noted = CreatorTimeZone.objects.get(creator=creator).reported_at
    client.get("/dashboard/")
    assert CreatorTimeZone.objects.get(creator=creator).reported_at == first_noted
    # The creator travels: the next page they open says so.
    client.cookies["signet_tz"] = "America/Sao_Paulo"
    client.get("/dashboard/")
    assert CreatorTimeZone.objects.get(creator=creator).name == "America/Sao_Paulo"
    assert CreatorTimeZone.objects.count() == 1


def test_the_zone_is_in_the_creators_data_export_and_goes_with_the_account(client, creator):
    visit_with_browser_zone(client, creator, "Europe/Berlin")
    from studio.selectors.data_export import creator_data_export
    from studio.services.accounts import account_delete

    assert creator_data_export(creator)["account"]["time_zone"] == "Europe/Berlin"
    account_delete(user=creator)
    assert not CreatorTimeZone.objects.exists()
