"""Revoking consent cannot be undone and reaches every released video, so it takes a ticked
box: a stray click, a resent form or a request without it revokes nothing. The page says
beforehand what revoking will end."""

import pytest

from studio.models import ConsentRecord, GenerationJob
from tests.studio.factories import released_job, submit_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def released_and_waiting(consented_creator, tmp_path):
    released = released_job(consented_creator, tmp_path)
    waiting = submit_job(consented_creator, tmp_path)
    assert waiting.state == "queued"
    return released, waiting


def _active_consent(creator):
    return ConsentRecord.objects.filter(creator=creator, revoked_at__isnull=True).first()


@pytest.mark.parametrize("sent", [{}, {"confirm": ""}, {"confirm": "no"}, {"confirm": "on"}])
def test_a_revocation_without_the_ticked_box_revokes_nothing(
    creator_client, consented_creator, released_and_waiting, sent
):
    released, waiting = released_and_waiting
    page = creator_client.post("/consent/revoke/", sent, follow=True).content.decode()
    assert "Nothing was revoked: tick the box" in page
    assert _active_consent(consented_creator) is not None
    for job, state in ((released, "released"), (waiting, "queued")):
        assert GenerationJob.objects.get(pk=job.pk).state == state
    assert released.output.__class__.objects.get(pk=released.output.pk).status == "released"


def test_the_page_says_what_revoking_ends_and_the_ticked_box_revokes(
    creator_client, consented_creator, released_and_waiting
):
    released, waiting = released_and_waiting
    page = creator_client.get("/enrol/").content.decode()
    assert "1 video waiting to be made will be cancelled." in page
    assert "1 released video will be marked revoked for everyone who checks it." in page
    assert 'name="confirm" value="yes" id="confirm-revoke" required' in page
    german = creator_client.get("/enrol/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "1 freigegebenes Video wird für alle, die es prüfen, als widerrufen angezeigt." in german

    page = creator_client.post("/consent/revoke/", {"confirm": "yes"}, follow=True)
    assert "Your consent is revoked" in page.content.decode()
    assert _active_consent(consented_creator) is None
    assert GenerationJob.objects.get(pk=waiting.pk).state == "cancelled"
    assert GenerationJob.objects.get(pk=released.pk).state == "revoked"


def test_the_enrol_page_warns_that_a_new_selfie_ends_the_consent(creator_client):
    from django.test import Client

    from tests.studio.factories import make_creator

    assert 'id="re-enrol-warning"' in creator_client.get("/enrol/").content.decode()
    newcomer = Client()
    newcomer.force_login(make_creator("new@example.com"))  # nothing to lose yet: no warning
    assert 'id="re-enrol-warning"' not in newcomer.get("/enrol/").content.decode()


def test_the_page_names_no_count_that_is_zero(creator_client):
    page = creator_client.get("/enrol/").content.decode()
    assert "0 videos waiting" not in page and "0 released videos" not in page


def test_a_first_consent_waiting_for_a_moderator_can_be_withdrawn(creator, client, tmp_path):
    """Consent may be withdrawn at any time, also while a moderator has yet to look at it."""
    from studio.models import ModerationCase
    from studio.services.consent import identity_enrol
    from tests.generation.media_factory import face_path
    from tests.studio.factories import grant_held_consent

    identity_enrol(creator=creator, selfie=face_path("obama.jpg"))
    waiting = grant_held_consent(creator)
    client.force_login(creator)
    assert 'id="revoke-consent"' in client.get("/enrol/").content.decode()
    client.post("/consent/revoke/", {"confirm": "yes"})
    waiting.refresh_from_db()
    assert waiting.revoked_at is not None
    assert ModerationCase.objects.get(consent=waiting).state != "open"


def test_the_new_video_page_says_a_renewal_waits(creator_client, consented_creator):
    from tests.studio.factories import grant_held_consent

    grant_held_consent(consented_creator)
    page = creator_client.get("/jobs/new/").content.decode()
    assert 'id="consent-renewal-waiting"' in page
