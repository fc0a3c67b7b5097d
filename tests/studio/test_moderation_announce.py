"""Moderators are e-mailed when cases wait in the queue: once per case, only after it has
waited a few minutes, with nothing about the creator in the mail."""

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from studio.models import ModerationCase
from studio.services.accounts import moderator_create
from studio.services.moderation_announce import moderation_cases_announce
from tests.studio.factories import PASSWORD

pytestmark = pytest.mark.django_db

SITE = "https://signet.example.org"


@pytest.fixture
def moderators(db):
    on_duty = moderator_create(email="on-duty@example.com", password=PASSWORD)
    gone = moderator_create(email="left-the-team@example.com", password=PASSWORD)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    return on_duty, gone


def waiting_case(creator, *, minutes: float, reason=ModerationCase.Reason.CONSENT_REVIEW):
    case = ModerationCase.objects.create(reason=reason, details={"creator": creator.email})
    ModerationCase.objects.filter(pk=case.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )
    return case


@override_settings(SIGNET_SITE_URL=SITE)
def test_a_waiting_case_is_announced_once_to_active_moderators_only(
    consented_creator, moderators, mailoutbox
):
    waiting_case(consented_creator, minutes=2)
    assert moderation_cases_announce() == 0 and mailoutbox == []  # not yet: it may close itself

    waiting_case(consented_creator, minutes=90)
    assert moderation_cases_announce() == 1
    (mail,) = mailoutbox
    assert mail.to == ["on-duty@example.com"]
    assert "2 cases wait in the moderation queue" in mail.subject  # the young one waits too
    assert "The oldest has waited 1\xa0hour, 30\xa0minutes." in mail.body, mail.body
    assert f"{SITE}/moderation/" in mail.body
    # Nothing about whom or why: a mail can be forwarded.
    for private in (consented_creator.email, consented_creator.username, "consent", "Consent"):
        assert private not in mail.subject + mail.body

    assert moderation_cases_announce() == 0 and len(mailoutbox) == 1  # told already

    ModerationCase.objects.filter(created_at__gt=timezone.now() - timedelta(minutes=3)).update(
        created_at=timezone.now() - timedelta(minutes=10)
    )
    assert moderation_cases_announce() == 1  # the younger case, now due, is announced once
    assert len(mailoutbox) == 2
    assert moderation_cases_announce() == 0 and len(mailoutbox) == 2


def test_a_case_closed_or_claimed_before_it_was_due_is_never_announced(
    consented_creator, moderators, mailoutbox
):
    for state in (ModerationCase.State.RESOLVED, ModerationCase.State.CLAIMED):
        case = waiting_case(consented_creator, minutes=1)
        ModerationCase.objects.filter(pk=case.pk).update(
            state=state, created_at=timezone.now() - timedelta(hours=2)
        )
    assert moderation_cases_announce() == 0 and mailoutbox == []


def test_a_mail_outage_is_retried_on_the_next_run(consented_creator, moderators, mailoutbox):
    waiting_case(consented_creator, minutes=30)
    with mock.patch(
        "studio.services.notifications.send_mail", side_effect=OSError("smtp down")
    ):
        assert moderation_cases_announce() == 0
    assert moderation_cases_announce() == 1 and len(mailoutbox) == 1
    assert "1 case waits in the moderation queue" in mailoutbox[0].subject


def test_the_beat_asks_every_five_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["announce-waiting-cases"]
    assert entry["task"] == "studio.tasks.moderation_cases_announce"
    assert entry["schedule"] <= 300
