"""The safety gate: consent, portrait quality, identity and the do-not-animate gallery, on every entry point."""

import io
import json
import re

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from PIL import Image, ImageFilter

from studio.errors import GateRefused
from studio.models import (
    AuditEvent,
    DoNotAnimateEntry,
    GenerationJob,
    JobState,
    ModerationCase,
)
from studio.services.api_tokens import api_token_create
from studio.services.consent import consent_revoke
from studio.services.jobs import job_submit
from studio.services.uploads import audio_check_upload, image_check_upload
from tests.generation.media_factory import face_path
from tests.studio.factories import make_creator, upload, write_speech

pytestmark = pytest.mark.django_db


@pytest.fixture
def speech(tmp_path):
    return write_speech(tmp_path / "speech.wav", seconds=1.5)


def _submit(creator, portrait_path_or_bytes, speech):
    checked = (
        image_check_upload(portrait_path_or_bytes)
        if not isinstance(portrait_path_or_bytes, bytes)
        else image_check_upload(_bytes_upload(portrait_path_or_bytes))
    )
    return job_submit(
        creator=creator, portrait=checked, audio=audio_check_upload(speech), enqueue=False
    )


def _bytes_upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("portrait.png", data)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _gate_events(decision):
    return AuditEvent.objects.filter(action=f"gate.{decision}")


def test_the_creators_own_face_is_accepted_and_queued(consented_creator, speech):
    job = _submit(consented_creator, face_path("obama2.jpg"), speech)
    assert job.state == JobState.QUEUED
    event = _gate_events("accepted").get()
    assert event.details["distance"] <= event.details["accept_threshold"]


def test_someone_elses_face_is_refused_and_only_the_audit_log_has_the_distance(
    consented_creator, speech
):
    with pytest.raises(GateRefused) as refused:
        _submit(consented_creator, face_path("biden.jpg"), speech)
    assert "does not match the face you enrolled" in refused.value.message
    # A number per try would guide a morph of someone else's photo towards passing.
    assert not re.search(r"\d", refused.value.message)
    job = GenerationJob.objects.get()
    assert job.state == JobState.REJECTED and job.failure_reason == refused.value.message
    assert not job.portrait.image and not job.audio.file  # nothing of the refused upload is kept
    event = _gate_events("refused").get()
    assert event.details["reason_code"] == "identity_mismatch"
    assert event.details["distance"] > event.details["reject_threshold"]


def test_without_consent_every_job_is_refused(creator, speech):
    with pytest.raises(GateRefused, match="not enrolled"):
        _submit(creator, face_path("obama2.jpg"), speech)
    assert _gate_events("refused").get().details["reason_code"] == "not_enrolled"


def test_after_revocation_every_job_is_refused_and_waiting_jobs_are_cancelled(
    consented_creator, speech
):
    waiting = _submit(consented_creator, face_path("obama2.jpg"), speech)
    consent_revoke(creator=consented_creator)
    waiting.refresh_from_db()
    assert waiting.state == JobState.CANCELLED
    with pytest.raises(GateRefused, match="You withdrew your consent"):
        _submit(consented_creator, face_path("obama2.jpg"), speech)


@override_settings(SIGNET_IDENTITY_ACCEPT=0.2, SIGNET_IDENTITY_REJECT=0.7)
def test_a_grey_zone_match_is_held_for_a_moderator(consented_creator, speech):
    job = _submit(consented_creator, face_path("obama2.jpg"), speech)
    assert job.state == JobState.HELD
    case = ModerationCase.objects.get(job=job)
    assert case.reason == ModerationCase.Reason.IDENTITY_GREY_ZONE
    assert _gate_events("held").get().details["decision"] == "review"


def test_a_do_not_animate_match_is_refused_and_opens_a_case(consented_creator, speech):
    from studio.models import EnrolledIdentity

    identity = EnrolledIdentity.objects.get(creator=consented_creator)
    DoNotAnimateEntry.objects.create(
        label="public figure", embedding=identity.embedding, face_backend="dlib"
    )
    with pytest.raises(GateRefused, match="may not be animated"):
        _submit(consented_creator, face_path("obama2.jpg"), speech)
    job = GenerationJob.objects.get()
    assert job.state == JobState.REJECTED
    case = ModerationCase.objects.get(job=job)
    assert case.reason == ModerationCase.Reason.DO_NOT_ANIMATE
    assert job.portrait.image  # kept as evidence for the moderator


def _two_faces() -> bytes:
    left, right = (
        Image.open(face_path("obama.jpg")).convert("RGB"),
        Image.open(face_path("biden.jpg")).convert("RGB"),
    )
    height = min(left.height, right.height)
    left = left.resize((left.width * height // left.height, height))
    right = right.resize((right.width * height // right.height, height))
    canvas = Image.new("RGB", (left.width + right.width, height))
    canvas.paste(left, (0, 0))
    canvas.paste(right, (left.width, 0))
    return _png(canvas)


def _tiny_face() -> bytes:
    face = Image.open(face_path("obama.jpg")).convert("RGB")
    face = face.resize((face.width // 5, face.height // 5))
    canvas = Image.new("RGB", (640, 480), (200, 200, 200))
    canvas.paste(face, (200, 100))
    return _png(canvas)


def _blurred() -> bytes:
    return _png(
        Image.open(face_path("obama2.jpg")).convert("RGB").filter(ImageFilter.GaussianBlur(6))
    )


def _no_face() -> bytes:
    y, x = np.mgrid[0:400, 0:400]
    return _png(Image.fromarray(np.stack([x % 256, y % 256, (x + y) % 256], -1).astype(np.uint8)))


@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (_no_face, "no_face", "could not find a face"),
        (_two_faces, "several_faces", "2 faces"),
        (_tiny_face, "face_too_small", "small"),
        (_blurred, "too_blurred", "blur"),
    ],
)
def test_unusable_portraits_are_refused_each_with_its_own_reason(
    consented_creator, speech, make, code, words
):
    with pytest.raises(GateRefused) as refused:
        _submit(consented_creator, make(), speech)
    assert words in refused.value.message.lower()
    assert _gate_events("refused").get().details["reason_code"] == code
    assert not GenerationJob.objects.filter(state=JobState.QUEUED).exists()


def test_the_page_hits_the_gate(client, consented_creator, speech):
    from tests.studio.factories import PASSWORD

    client.login(username=consented_creator.username, password=PASSWORD)
    response = client.post(
        "/jobs/new/",
        {
            "portrait": upload(face_path("biden.jpg")),
            "audio": upload(speech),
            "label_corner": "bottom-right",
        },
        follow=True,
    )
    assert "does not match the face you enrolled" in response.content.decode()
    assert GenerationJob.objects.get().state == JobState.REJECTED


def test_the_api_hits_the_gate(client, consented_creator, speech):
    _token, key = api_token_create(creator=consented_creator, label="test")
    response = client.post(
        "/api/v1/jobs",
        {"portrait": upload(face_path("biden.jpg")), "audio": upload(speech)},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 403
    assert "does not match" in response.json()["error"]["message"]
    accepted = client.post(
        "/api/v1/jobs",
        {"portrait": upload(face_path("obama2.jpg")), "audio": upload(speech)},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert accepted.status_code == 202 and accepted.json()["state"] == "queued"
    assert client.post("/api/v1/jobs", {}, HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_the_management_command_hits_the_gate(consented_creator, speech, tmp_path):
    with pytest.raises(CommandError, match="does not match the face you enrolled"):
        call_command(
            "generate",
            "--user",
            consented_creator.email,
            "--portrait",
            str(face_path("biden.jpg")),
            "--audio",
            str(speech),
            "--out",
            str(tmp_path / "out.mp4"),
        )
    assert not (tmp_path / "out.mp4").exists()


def test_another_creator_cannot_use_someone_elses_enrolment(consented_creator, tmp_path, speech):
    other = make_creator("other@example.com")
    with pytest.raises(GateRefused, match="not enrolled"):
        _submit(other, face_path("obama2.jpg"), speech)


def test_face_check_prints_the_gates_verdict(capsys):
    call_command("face_check", str(face_path("obama.jpg")), str(face_path("obama2.jpg")), "--json")
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["decision"] == "accepted"
    assert verdict["match"]["distance"] <= verdict["match"]["accept_threshold"]
    call_command("face_check", str(face_path("obama.jpg")), str(face_path("biden.jpg")), "--json")
    assert json.loads(capsys.readouterr().out)["decision"] == "refused"


def test_the_ai_label_can_be_moved_but_not_removed(client, consented_creator, speech):
    _token, key = api_token_create(creator=consented_creator, label="test")
    response = client.post(
        "/api/v1/jobs",
        {
            "portrait": upload(face_path("obama2.jpg")),
            "audio": upload(speech),
            "label_corner": "none",
        },
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 403
    assert "moved to a corner, not removed" in response.json()["error"]["message"]
    assert not GenerationJob.objects.exists()


def test_the_command_refuses_a_bad_upload_and_records_it(consented_creator, speech, tmp_path):
    not_a_photo = tmp_path / "me.jpg"
    not_a_photo.write_text("just text")
    with pytest.raises(CommandError, match="The portrait was refused"):
        call_command("generate", "--user", consented_creator.email, "--portrait", str(not_a_photo),
                     "--audio", str(speech), "--out", str(tmp_path / "out.mp4"))  # fmt: skip
    assert AuditEvent.objects.get(action="upload.refused").details["channel"] == "command"
    assert not GenerationJob.objects.exists()


def _client_sees_no_video(client, creator, job):
    from studio.models import OutputArtifact

    client.force_login(creator)
    page = client.get(f"/jobs/{job.public_id}/status").json()
    assert page["video_url"] is None
    for artifact in OutputArtifact.objects.filter(job=job):
        assert client.get(f"/outputs/{artifact.public_id}/video.mp4").status_code == 404
    return page


def test_a_job_queued_before_re_enrolment_is_not_rendered_under_the_voided_consent(
    client, consented_creator, speech
):
    from studio.services.consent import identity_enrol
    from studio.services.jobs import job_render

    queued = _submit(consented_creator, face_path("obama2.jpg"), speech)
    identity_enrol(creator=consented_creator, selfie=face_path("obama2.jpg"))  # voids the consent
    job_render(queued.pk)  # the worker picks the job up afterwards
    queued.refresh_from_db()
    assert queued.state == JobState.FAILED
    page = _client_sees_no_video(client, consented_creator, queued)
    assert "consent" in page["failure_reason"] and "withdrawn" in page["failure_reason"]
    refused = AuditEvent.objects.filter(
        action="job.transition", subject_id=str(queued.public_id)
    ).latest("sequence")
    assert refused.details["to"] == "failed" and "consent" in refused.details["reason"]


def test_consent_revoked_while_the_job_renders_publishes_nothing(client, consented_creator, speech):
    from studio.services.jobs import job_render

    job = _submit(consented_creator, face_path("obama2.jpg"), speech)

    def revoke_at_the_last_frame(done, total):
        if total and done == total:
            consent_revoke(creator=consented_creator)

    job_render(job.pk, observer=revoke_at_the_last_frame)
    job.refresh_from_db()
    assert job.state in {JobState.FAILED, JobState.CANCELLED}, job.state
    _client_sees_no_video(client, consented_creator, job)
