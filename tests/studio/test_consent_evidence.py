"""Consent evidence: the recording must show a face; the spoken code is checked offline and shown
to moderators. The forged recordings are in test_consent_liveness.py."""

import numpy as np
import pytest
from django.test import override_settings

from studio.errors import InputRefused
from studio.models import AuditEvent, ConsentRecord
from studio.services.accounts import moderator_create
from studio.services.consent import consent_grant, identity_enrol
from tests.generation.media_factory import face_path
from tests.safety.liveness_media import sentence_audio, write_webm
from tests.studio.factories import FACTORY_CODE, PASSWORD, live_challenge, submit_job
from tests.studio.two_factor import login_with_second_factor

pytestmark = pytest.mark.django_db


def test_the_spoken_code_is_heard_and_shown_to_moderators(consented_creator, tmp_path, client):
    record = ConsentRecord.objects.get(creator=consented_creator)
    assert record.spoken_code_check["matched"] is True
    assert record.spoken_code_check["heard_digits"].find(FACTORY_CODE) >= 0
    assert AuditEvent.objects.get(action="consent.granted").details["code_heard"] is True

    with override_settings(SIGNET_IDENTITY_ACCEPT=0.2, SIGNET_IDENTITY_REJECT=0.7):
        submit_job(consented_creator, tmp_path)
    login_with_second_factor(client, moderator_create(email="mod@example.com", password=PASSWORD))
    case = record.jobs.get().moderation_cases.get()
    page = client.get(f"/moderation/cases/{case.public_id}/").content.decode()
    assert "heard in the recording (automatic, advisory): <strong>yes</strong>" in page
    assert 'id="liveness-av-sync"' in page


def test_a_recording_without_a_face_is_refused(creator, tmp_path):
    identity_enrol(creator=creator, selfie=face_path("obama.jpg"))
    challenge = live_challenge(creator)
    grey = [np.full((240, 240, 3), 128, np.uint8)] * int(challenge.seconds * 15)
    audio = sentence_audio(FACTORY_CODE, challenge.seconds)
    write_webm(tmp_path / "grey.webm", grey, audio)
    with pytest.raises(InputRefused, match="Your face was not visible"):
        consent_grant(
            creator=creator,
            signature_name="X Y",
            nonce=challenge.nonce,
            session_key="",
            recording=tmp_path / "grey.webm",
        )


def test_the_consent_page_requires_the_box_and_a_recording(creator_client):
    creator_client.get("/consent/")
    response = creator_client.post(
        "/consent/", {"signature_name": "A B"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400 and "Tick the box" in response.json()["error"]["message"]
    response = creator_client.post(
        "/consent/", {"signature_name": "A B", "agree": "1"}, HTTP_ACCEPT="application/json"
    )
    assert "Record yourself" in response.json()["error"]["message"]


def test_revoking_from_the_account_page_takes_effect_at_once(creator_client, consented_creator):
    response = creator_client.post("/consent/revoke/", {"confirm": "yes"}, follow=True)
    assert "Your consent is revoked" in response.content.decode()
    assert ConsentRecord.objects.get(creator=consented_creator).revoked_at is not None


def test_re_enrolling_a_new_face_voids_the_old_consent(consented_creator, tmp_path):
    from studio.services.gate import creator_valid_consent

    assert creator_valid_consent(consented_creator)[0] is not None
    identity_enrol(creator=consented_creator, selfie=face_path("obama2.jpg"))
    consent, why_not = creator_valid_consent(consented_creator)
    assert consent is None and "when you enrolled a new face" in why_not


def test_a_re_enrolment_that_fails_half_way_keeps_the_old_face_and_consent(
    consented_creator, media_files, django_capture_on_commit_callbacks
):
    # The database fails after the new selfie was stored: the creator keeps the face and the
    # consent they had, and neither the new selfie nor a hole where the old one was is left.
    from unittest import mock

    from django.db import DatabaseError

    from studio.models import EnrolledIdentity
    from studio.services import consent as consent_service
    from studio.services.gate import creator_valid_consent

    old = EnrolledIdentity.objects.get(creator=consented_creator)
    before = media_files()
    with (
        mock.patch.object(consent_service, "audit_record", side_effect=DatabaseError("lost")),
        pytest.raises(DatabaseError),
    ):
        identity_enrol(creator=consented_creator, selfie=face_path("obama2.jpg"))
    assert media_files() == before
    kept = EnrolledIdentity.objects.get(creator=consented_creator)
    assert kept.pk == old.pk and kept.selfie.storage.exists(kept.selfie.name)
    assert creator_valid_consent(consented_creator)[0] is not None

    with django_capture_on_commit_callbacks(execute=True):
        identity_enrol(creator=consented_creator, selfie=face_path("obama2.jpg"))
    assert not old.selfie.storage.exists(old.selfie.name)  # the replaced selfie is erased


def test_enrolling_by_uploading_a_selfie(client, creator, tmp_path):
    from studio.models import EnrolledIdentity
    from tests.studio.factories import upload

    client.login(username=creator.username, password=PASSWORD)
    empty = client.post("/enrol/", {})
    assert empty.status_code == 400 and "Take a selfie" in empty.content.decode()
    not_a_photo = tmp_path / "selfie.jpg"
    not_a_photo.write_text("no pixels here")
    refused = client.post("/enrol/", {"selfie": upload(not_a_photo)})
    assert refused.status_code == 400 and "The selfie was refused" in refused.content.decode()
    assert not EnrolledIdentity.objects.exists()
    enrolled = client.post("/enrol/", {"selfie": upload(face_path("obama.jpg"))}, follow=True)
    assert enrolled.redirect_chain[-1][0] == "/consent/"
    assert EnrolledIdentity.objects.get().creator == creator


def test_consent_given_behind_the_proxy_records_the_creators_address(client, creator, settings):
    # The record of who consented names the creator's address, not the reverse proxy's (the
    # page stored REMOTE_ADDR, the proxy itself, for every creator).
    from unittest import mock

    from studio.services import consent_evidence
    from tests.studio.factories import _assess_remembered, cached_recording, upload

    settings.SIGNET_TRUSTED_PROXY_COUNT = 1
    assert client.login(username=creator.username, password=PASSWORD)
    identity_enrol(creator=creator, selfie=face_path("obama.jpg"))
    client.get("/dashboard/")  # the session exists, so the challenge can be bound to it
    challenge = live_challenge(creator, session_key=client.session.session_key)
    recording = cached_recording("obama.jpg", challenge, 0)
    with mock.patch.object(consent_evidence, "assess_recording", _assess_remembered):
        response = client.post(
            "/consent/",
            {"agree": "1", "signature_name": "Test Creator", "nonce": challenge.nonce,
             "recording": upload(recording)},
            HTTP_ACCEPT="application/json", REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )  # fmt: skip
    assert response.status_code == 200, response.content
    assert ConsentRecord.objects.get(creator=creator).ip_address == "203.0.113.7"


def test_a_refusal_says_whether_the_page_needs_a_new_recording(creator, creator_client):
    """A missing box leaves the recording usable; a refusal that used the challenge up does not,
    and the next page load issues a fresh challenge for the new recording."""
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    identity_enrol(creator=creator, selfie=face_path("obama.jpg"))

    def nonce_on_page():
        page = creator_client.get("/consent/").content.decode()
        return re.search(r'id="id_nonce" value="([^"]+)"', page).group(1)

    nonce = nonce_on_page()
    as_page = {"HTTP_ACCEPT": "application/json"}
    recording = SimpleUploadedFile("consent.webm", b"\x1aE\xdf\xa3" + b"\0" * 64, "video/webm")
    no_box = creator_client.post(
        "/consent/", {"nonce": nonce, "signature_name": "A B", "recording": recording}, **as_page
    ).json()["error"]
    assert no_box["record_again"] is False and "Tick the box" in no_box["message"]

    recording.seek(0)
    spent = creator_client.post(
        "/consent/",
        {"nonce": nonce, "signature_name": "A B", "agree": "1", "recording": recording},
        **as_page,
    ).json()["error"]
    assert spent["record_again"] is True and "live" in spent["message"]
    assert nonce_on_page() != nonce
