"""A creator learns, in their language, that their consent ends: before (a mail and a notice)
and after (why no video can be made)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from studio.models import ConsentRecord
from tests.studio.factories import PASSWORD, submit_job

pytestmark = pytest.mark.django_db


def consent_ending(creator, left: timedelta) -> ConsentRecord:
    record = ConsentRecord.objects.get(creator=creator, revoked_at__isnull=True)
    record.expires_at = timezone.now() + left
    record.save(update_fields=["expires_at"])
    return record


def german_dashboard(client, creator) -> str:
    assert client.login(username=creator.username, password=PASSWORD)
    return client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="de").content.decode()


def test_a_german_creator_reads_why_expired_consent_stops_videos_in_german(
    client, consented_creator, tmp_path
):
    consent_ending(consented_creator, -timedelta(days=3))
    page = german_dashboard(client, consented_creator)
    assert "Consent expired" not in page
    assert "Ihre Einwilligung ist am" in page and "abgelaufen" in page

    from django.utils import translation

    from studio.errors import GateRefused

    with translation.override("de"), pytest.raises(GateRefused) as refused:
        submit_job(consented_creator, tmp_path)
    assert "abgelaufen" in str(refused.value.message)


def test_withdrawn_consent_is_explained_in_german(client, consented_creator):
    record = ConsentRecord.objects.get(creator=consented_creator)
    ConsentRecord.objects.filter(pk=record.pk).update(revoked_at=timezone.now())
    page = german_dashboard(client, consented_creator)
    assert "Consent was withdrawn" not in page
    assert "zurückgezogen" in page


def test_enrolling_a_new_face_is_named_as_why_consent_ended(client, consented_creator):
    from studio.services.consent import identity_enrol
    from tests.studio.factories import face_path

    identity_enrol(creator=consented_creator, selfie=face_path("obama2.jpg"))
    page = german_dashboard(client, consented_creator)
    assert "als Sie ein neues Gesicht hinterlegt haben" in page


def test_consent_in_its_last_two_weeks_is_announced_once(consented_creator, mailoutbox):
    from studio.services.consent_expiry import consent_warn_expiring

    consent_ending(consented_creator, timedelta(days=30))
    assert consent_warn_expiring() == 0 and mailoutbox == []
    consent_ending(consented_creator, timedelta(days=10))
    assert consent_warn_expiring() == 1
    mail = mailoutbox[0]
    assert mail.to == [consented_creator.email]
    assert "consent ends on" in mail.subject
    assert "record your consent again" in mail.body
    # The hourly run comes again: nothing new to say.
    assert consent_warn_expiring() == 0 and len(mailoutbox) == 1


def test_the_consent_warning_speaks_the_creators_locale(consented_creator, mailoutbox):
    from studio.services.consent_expiry import consent_warn_expiring

    ConsentRecord.objects.filter(creator=consented_creator).update(language="de")
    consent_ending(consented_creator, timedelta(days=5))
    consent_warn_expiring()
    assert "Einwilligung endet am" in mailoutbox[0].subject


def test_no_warning_for_consent_already_withdrawn_held_or_for_a_deactivated_creator(
    consented_creator, mailoutbox
):
    from studio.services.consent_expiry import consent_warn_expiring

    record = consent_ending(consented_creator, timedelta(days=5))
    ConsentRecord.objects.filter(pk=record.pk).update(verification="held")
    assert consent_warn_expiring() == 0
    ConsentRecord.objects.filter(pk=record.pk).update(verification="verified")
    consented_creator.is_active = False
    consented_creator.save(update_fields=["is_active"])
    assert consent_warn_expiring() == 0
    consented_creator.is_active = True
    consented_creator.save(update_fields=["is_active"])
    ConsentRecord.objects.filter(pk=record.pk).update(revoked_at=timezone.now())
    assert consent_warn_expiring() == 0 and mailoutbox == []


def test_a_mail_outage_is_retried_on_the_next_run(consented_creator, mailoutbox):
    from unittest import mock

    from studio.services.consent_expiry import consent_warn_expiring

    consent_ending(consented_creator, timedelta(days=2))
    with mock.patch("studio.services.notifications.send_mail", side_effect=OSError("down")):
        assert consent_warn_expiring() == 0
    assert consent_warn_expiring() == 1 and len(mailoutbox) == 1


def test_the_beat_runs_the_consent_warning_hourly():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["warn-expiring-consent"]
    assert entry["task"] == "studio.tasks.consent_warn_expiring"
    assert entry["schedule"] <= 3600


def test_pages_say_when_consent_ends_soon_and_not_long_before(client, consented_creator):
    consent_ending(consented_creator, timedelta(days=100))
    assert client.login(username=consented_creator.username, password=PASSWORD)
    for url in ("/dashboard/", "/jobs/new/"):
        assert 'id="consent-ends-soon"' not in client.get(url).content.decode()
    consent_ending(consented_creator, timedelta(days=6))
    for url in ("/dashboard/", "/jobs/new/"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
        assert 'id="consent-ends-soon"' in page and "Ihre Einwilligung endet am" in page


def test_renewing_consent_keeps_the_jobs_waiting_to_render(consented_creator, tmp_path):
    """The expiry mail asks creators to renew; a renewal must not fail what they queued."""
    from studio.services.jobs import job_render
    from tests.studio.factories import grant_live_consent

    waiting = submit_job(consented_creator, tmp_path)
    assert waiting.state == "queued"
    renewed = grant_live_consent(consented_creator)
    assert renewed.verification == "verified"
    job_render(waiting.pk)
    waiting.refresh_from_db()
    assert waiting.state == "released", waiting.failure_reason
    assert waiting.consent_id == renewed.pk  # the output names the consent in force


def test_consent_for_a_newly_enrolled_face_does_not_carry_the_old_faces_jobs(
    consented_creator, tmp_path
):
    from studio.services.consent import identity_enrol
    from studio.services.jobs import job_render
    from tests.generation.media_factory import face_path
    from tests.studio.factories import grant_live_consent

    waiting = submit_job(consented_creator, tmp_path)
    identity_enrol(creator=consented_creator, selfie=face_path("obama2.jpg"))
    grant_live_consent(consented_creator, photo="obama2.jpg")
    job_render(waiting.pk)
    waiting.refresh_from_db()
    assert waiting.state == "failed" and "withdrawn" in waiting.failure_reason
