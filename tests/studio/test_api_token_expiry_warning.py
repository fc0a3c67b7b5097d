"""A creator is e-mailed once, in their language, a week before an API token expires."""

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from studio.models import ApiToken
from studio.services.api_tokens import api_token_create, api_tokens_warn_expiring

pytestmark = pytest.mark.django_db


def token_expiring_in(creator, label: str, left: timedelta) -> ApiToken:
    token, _key = api_token_create(creator=creator, label=label)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + left)
    return token


def test_a_token_in_its_last_week_is_announced_once(creator, mailoutbox):
    token_expiring_in(creator, "nightly export", timedelta(days=5))
    token_expiring_in(creator, "laptop", timedelta(days=40))
    token_expiring_in(creator, "already gone", -timedelta(days=1))
    assert api_tokens_warn_expiring() == 1
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [creator.email]
    assert "nightly export" in mail.subject and "expires on" in mail.subject
    assert "revoke the old token" in mail.body
    # The hourly run comes again: nothing new to say.
    assert api_tokens_warn_expiring() == 0
    assert len(mailoutbox) == 1


def test_the_warning_speaks_the_creators_locale(consented_creator, mailoutbox):
    from studio.models import ConsentRecord

    ConsentRecord.objects.filter(creator=consented_creator).update(language="de")
    token_expiring_in(consented_creator, "Skript", timedelta(days=3))
    api_tokens_warn_expiring()
    assert "läuft am" in mailoutbox[0].subject and "Skript" in mailoutbox[0].subject


def test_a_mail_outage_is_retried_on_the_next_run(creator, mailoutbox):
    token_expiring_in(creator, "cron", timedelta(days=2))
    with mock.patch("studio.services.notifications.send_mail", side_effect=OSError("down")):
        assert api_tokens_warn_expiring() == 0
    assert api_tokens_warn_expiring() == 1 and len(mailoutbox) == 1


def test_a_deactivated_creator_gets_no_mail(creator, mailoutbox):
    token_expiring_in(creator, "old", timedelta(days=2))
    creator.is_active = False
    creator.save(update_fields=["is_active"])
    assert api_tokens_warn_expiring() == 0 and mailoutbox == []


def test_the_beat_runs_the_warning_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["warn-expiring-api-tokens"]
    assert entry["task"] == "studio.tasks.api_tokens_warn_expiring"
    assert entry["schedule"] <= 3600
