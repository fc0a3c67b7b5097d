"""Consent evidence: the recording must show the enrolled face; the spoken code is checked offline
and shown to moderators as advice."""

import shutil
import subprocess

import numpy as np
import pytest
from django.test import override_settings

from generation.media.audio import decode_audio
from safety.consent import spoken_sentence
from studio.errors import InputRefused
from studio.models import AuditEvent, ConsentRecord
from studio.services.accounts import moderator_create
from studio.services.consent import consent_grant, identity_enrol
from tests.generation.media_factory import face_path
from tests.studio.factories import PASSWORD, submit_job, write_recording
from tests.studio.two_factor import login_with_second_factor

pytestmark = pytest.mark.django_db


def _espeak(text, path):
    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is required (bin/test installs it)"
    # en-us+f2: the espeak voice pocketsphinx hears best (see tests/safety/test_speech.py).
    subprocess.run([espeak, "-v", "en-us+f2", "-s", "160", "-w", str(path), text], check=True)
    return decode_audio(path).samples


def test_the_spoken_code_is_heard_and_shown_to_moderators(creator, tmp_path, client):
    code = "291417"
    identity_enrol(creator=creator, selfie=face_path("obama.jpg"))
    speech = _espeak(spoken_sentence(code), tmp_path / "said.wav")
    recording = write_recording(tmp_path / "consent.mp4", "obama.jpg", size=360, samples=speech)
    record = consent_grant(
        creator=creator, signature_name="Test Creator", one_time_code=code, recording=recording
    )
    assert record.spoken_code_check["matched"] is True
    assert record.spoken_code_check["heard_digits"] == code
    assert AuditEvent.objects.get(action="consent.granted").details["code_heard"] is True

    with override_settings(SIGNET_IDENTITY_ACCEPT=0.2, SIGNET_IDENTITY_REJECT=0.7):
        submit_job(creator, tmp_path)
    login_with_second_factor(client, moderator_create(email="mod@example.com", password=PASSWORD))
    case = record.jobs.get().moderation_cases.get()
    page = client.get(f"/moderation/cases/{case.public_id}/").content.decode()
    assert "heard in the recording (automatic, advisory): <strong>yes</strong>" in page


def test_a_recording_of_someone_else_is_refused(creator, tmp_path):
    identity_enrol(creator=creator, selfie=face_path("obama.jpg"))
    someone_else = write_recording(tmp_path / "other.mp4", "biden.jpg", seconds=1.2, size=640)
    with pytest.raises(InputRefused, match="different person"):
        consent_grant(
            creator=creator, signature_name="X Y", one_time_code="123456", recording=someone_else
        )
    assert not ConsentRecord.objects.exists()


def test_a_recording_without_a_face_is_refused(creator, tmp_path):
    identity_enrol(creator=creator, selfie=face_path("obama.jpg"))
    import av

    with av.open(str(tmp_path / "grey.mp4"), mode="w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width = stream.height = 240
        stream.pix_fmt = "yuv420p"
        for _ in range(25):
            frame = av.VideoFrame.from_ndarray(
                np.full((240, 240, 3), 128, np.uint8), format="rgb24"
            )
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    with pytest.raises(InputRefused, match="one clear face"):
        consent_grant(
            creator=creator,
            signature_name="X Y",
            one_time_code="123456",
            recording=tmp_path / "grey.mp4",
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
    response = creator_client.post("/consent/revoke/", follow=True)
    assert "Your consent is revoked" in response.content.decode()
    assert ConsentRecord.objects.get(creator=consented_creator).revoked_at is not None


def test_re_enrolling_a_new_face_voids_the_old_consent(consented_creator, tmp_path):
    from studio.services.gate import creator_valid_consent

    assert creator_valid_consent(consented_creator)[0] is not None
    identity_enrol(creator=consented_creator, selfie=face_path("obama2.jpg"))
    consent, why_not = creator_valid_consent(consented_creator)
    assert consent is None and "withdrawn" in why_not


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
