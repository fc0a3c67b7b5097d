"""Consent that cannot be faked: each forged recording an attacker can make from public photos
and clips is refused (or held for a moderator), with its own message and an audit event; then a
genuine-like live recording of a fixed challenge passes.

The "genuine-like" recordings are SYNTHETIC (tests/safety/liveness_media.py): a real photo
animated and warped to perform the challenge on time, with the sentence spoken by espeak-ng.
"""

import subprocess
from datetime import timedelta

import numpy as np
import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from safety.liveness import Challenge
from studio.errors import InputRefused
from studio.models import AuditEvent, ConsentChallenge, ConsentRecord, ModerationCase
from studio.services.accounts import moderator_create
from studio.services.consent import consent_grant, identity_enrol
from studio.services.gate import creator_valid_consent
from tests.generation.media_factory import face_path
from tests.safety import liveness_media as media
from tests.studio.factories import (
    FACTORY_CODE,
    PASSWORD,
    cached_recording,
    live_challenge,
    make_creator,
    submit_job,
)
from tests.studio.two_factor import login_with_second_factor

pytestmark = pytest.mark.django_db

_FORGED: dict[str, object] = {}


def _steps(challenge) -> Challenge:
    return Challenge.from_list(challenge.steps, challenge.seconds)


def _forged(kind: str, challenge, folder):
    """Each forged recording once per session (the challenge seed is fixed)."""
    if kind in _FORGED:
        return _FORGED[kind]
    path = folder / f"{kind}.webm"
    seconds = challenge.seconds
    if kind == "tone_still":
        media.tone_still_recording(path, "obama.jpg", seconds)
    elif kind == "spoken_still":
        media.still_recording(path, "obama.jpg", FACTORY_CODE, seconds, shift=2)
    elif kind == "ken_burns":
        media.still_recording(path, "obama.jpg", FACTORY_CODE, seconds, ken_burns=True)
    elif kind in ("skips_steps", "looped", "no_audio", "signet_output"):
        audio = media.sentence_audio(FACTORY_CODE, seconds, seed=7)
        frames = media.genuine_like_frames(
            "obama.jpg", _steps(challenge), audio, perform=kind != "skips_steps", seed=7
        )
        if kind == "looped":
            frames = media.loop_frames(frames, 3.0, seconds)
        if kind == "signet_output":
            from studio.provenance_config import watermark_codec

            codec = watermark_codec()
            frames = [codec.embed_frame(frame, 4242, index) for index, frame in enumerate(frames)]
        media.write_webm(path, frames, None if kind == "no_audio" else audio)
    elif kind == "wrong_code":
        media.genuine_like_recording(path, "obama.jpg", _steps(challenge), "135790", seed=8)
    elif kind == "other_person":
        media.genuine_like_recording(path, "biden.jpg", _steps(challenge), FACTORY_CODE, seed=9)
    else:
        raise AssertionError(kind)
    _FORGED[kind] = path
    return path


@pytest.fixture(scope="module")
def forged_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("forged-consent")


@pytest.fixture
def enrolled(creator):
    identity_enrol(creator=creator, selfie=face_path("obama.jpg"))
    return creator


def _grant(creator, challenge, recording, session_key=""):
    return consent_grant(
        creator=creator,
        signature_name="Barack Obama",
        nonce=challenge.nonce,
        session_key=session_key,
        recording=recording,
    )


def _refused(creator, challenge, recording, match: str, reason: str):
    with pytest.raises(InputRefused, match=match) as refused:
        _grant(creator, challenge, recording)
    event = AuditEvent.objects.filter(action="consent.refused").latest("sequence")
    assert reason in event.details.get("reasons", [event.details["reason"]]), event.details
    assert not ConsentRecord.objects.filter(creator=creator, revoked_at__isnull=True).exists()
    return refused.value


# -- forged recordings ---------------------------------------------------------------------


def test_the_filed_attack_a_still_photo_nudged_a_pixel_with_a_tone_is_refused(
    enrolled, forged_folder
):
    challenge = live_challenge(enrolled)
    error = _refused(
        enrolled, challenge, _forged("tone_still", challenge, forged_folder),
        "did not move like a live face", "no_face_motion",
    )
    assert "No voice was heard" in error.message or "lips did not move" in error.message


# A still photo with the code really spoken, a photo panned and zoomed, real motion without the
# asked actions, a looped clip, no sound, an animated Signet output, someone else's face: each with
# the words the creator reads and the reason the audit log records.
FORGERIES = [
    ("spoken_still", "did not move like a live face", "no_face_motion"),
    ("ken_burns", "did not move like a live face", "no_face_motion"),
    ("skips_steps", "None of the actions we asked for", "steps_missed"),
    ("looped", "looped clip", "looped"),
    ("no_audio", "No voice was heard", "no_voice"),
    ("signet_output", "carries Signet's own watermark", "signet_watermark"),
    ("other_person", "not the face you enrolled", "face_mismatch"),
]


@pytest.mark.parametrize(("kind", "message", "reason"), FORGERIES, ids=[f[0] for f in FORGERIES])
def test_a_forged_recording_is_refused_with_its_reason(
    enrolled, forged_folder, kind, message, reason
):
    challenge = live_challenge(enrolled)
    _refused(enrolled, challenge, _forged(kind, challenge, forged_folder), message, reason)


def test_a_replayed_recording_is_refused_as_the_same_bytes_and_re_encoded(enrolled, tmp_path):
    first = live_challenge(enrolled)
    genuine = cached_recording("obama.jpg", first, 0)
    assert _grant(enrolled, first, genuine).verification == "verified"

    attacker = make_creator("attacker@example.com")
    identity_enrol(creator=attacker, selfie=face_path("obama2.jpg"))
    _refused(attacker, live_challenge(attacker), genuine, "was used before", "replayed")

    re_encoded = tmp_path / "re-encoded.webm"
    subprocess.run(
        ["ffmpeg", "-y", "-loglevel", "error", "-i", str(genuine), "-vf", "scale=400:400",
         "-c:v", "libvpx", "-b:v", "500k", "-c:a", "libopus", str(re_encoded)],
        check=True,
    )
    _refused(attacker, live_challenge(attacker), re_encoded, "was used before", "replayed")


# -- the challenge ---------------------------------------------------------------------------


def test_an_expired_challenge_is_refused(enrolled):
    challenge = live_challenge(enrolled)
    ConsentChallenge.objects.filter(pk=challenge.pk).update(
        issued_at=timezone.now() - timedelta(minutes=11)
    )
    _refused(
        enrolled, challenge, cached_recording("obama.jpg", challenge), "expired",
        "challenge_expired",
    )


def test_a_challenge_counts_once_even_when_the_first_try_was_refused(enrolled, forged_folder):
    challenge = live_challenge(enrolled)
    with pytest.raises(InputRefused):
        _grant(enrolled, challenge, _forged("ken_burns", challenge, forged_folder))
    _refused(
        enrolled, challenge, cached_recording("obama.jpg", challenge), "already used",
        "challenge_used",
    )


def test_another_accounts_or_sessions_challenge_is_refused(enrolled):
    other = make_creator("other@example.com")
    identity_enrol(creator=other, selfie=face_path("obama.jpg"))
    foreign = live_challenge(other)
    _refused(
        enrolled, foreign, cached_recording("obama.jpg", foreign), "does not belong",
        "challenge_foreign",
    )
    bound = live_challenge(enrolled, session_key="session-a")
    with pytest.raises(InputRefused, match="does not belong"):
        _grant(enrolled, bound, cached_recording("obama.jpg", bound), session_key="session-b")



def test_a_null_character_in_the_consent_nonce_is_refused_not_a_500(enrolled, client):
    client.force_login(enrolled)
    response = client.post("/consent/start/", {"nonce": "a\x00b"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "null character" in response.json()["error"]["message"]

def test_an_uploaded_file_is_not_live_capture(enrolled, tmp_path):
    from tests.studio.factories import write_recording

    challenge = live_challenge(enrolled)
    mp4 = write_recording(tmp_path / "phone-video.mp4", "obama.jpg", seconds=challenge.seconds)
    _refused(enrolled, challenge, mp4, "Only a recording made live", "not_live")

    # A WebM that is not the length the challenge ran for was not recorded on the page.
    short = tmp_path / "short.webm"
    audio = media.sentence_audio(FACTORY_CODE, 5.0)
    media.write_webm(short, media.still_frames("obama.jpg", 5.0), audio)
    _refused(enrolled, live_challenge(enrolled), short, "Only a recording made live", "not_live")

    # A challenge whose recording was never started on the page.
    from studio.services.consent import consent_challenge_issue

    unstarted = consent_challenge_issue(creator=enrolled, session_key="")
    _refused(
        enrolled, unstarted, cached_recording("obama.jpg", live_challenge(enrolled)),
        "Only a recording made live", "not_live",
    )


def test_the_code_checked_is_the_servers_not_one_the_browser_sends(enrolled, forged_folder):
    """The recording says 135790; the browser could claim that code, but the server issued
    482913: consent is held for a moderator, not granted."""
    challenge = live_challenge(enrolled)
    record = _grant(enrolled, challenge, _forged("wrong_code", challenge, forged_folder))
    assert record.one_time_code == FACTORY_CODE
    assert record.verification == "held"
    assert record.liveness_report["reasons"] == ["code_not_heard"]
    case = ModerationCase.objects.get(consent=record)
    assert case.reason == "consent_review"
    assert AuditEvent.objects.filter(action="consent.held").exists()


# -- genuine-like, held, one active ----------------------------------------------------------


def test_a_genuine_like_live_recording_passes_and_lets_jobs_run(enrolled, tmp_path):
    challenge = live_challenge(enrolled)
    record = _grant(enrolled, challenge, cached_recording("obama.jpg", challenge))
    assert record.verification == "verified", record.liveness_report
    report = record.liveness_report
    assert all(step["passed"] for step in report["steps"])
    assert report["av_sync"]["correlation"] >= 0.3
    assert record.spoken_code_check["matched"]
    assert creator_valid_consent(enrolled)[0] == record
    assert AuditEvent.objects.filter(action="consent.granted").exists()


def test_held_consent_runs_no_job_until_a_moderator_approves(
    enrolled, forged_folder, tmp_path, settings
):
    from studio.errors import GateRefused
    from studio.services.moderation import case_decide

    challenge = live_challenge(enrolled)
    record = _grant(enrolled, challenge, _forged("wrong_code", challenge, forged_folder))
    consent, why = creator_valid_consent(enrolled)
    assert consent is None and "moderator is checking" in why
    with pytest.raises(GateRefused, match="moderator is checking"):
        submit_job(enrolled, tmp_path)

    moderator = moderator_create(email="mod@example.com", password=PASSWORD)
    case = ModerationCase.objects.get(consent=record)
    case_decide(case=case, moderator=moderator, decision="approve", reason="code audible")
    record.refresh_from_db()
    assert record.verification == "approved"
    assert creator_valid_consent(enrolled)[0] == record
    settings.SIGNET_IDENTITY_ACCEPT, settings.SIGNET_IDENTITY_REJECT = 0.2, 0.7
    job = submit_job(enrolled, tmp_path)
    assert job.consent == record


def test_re_granting_leaves_exactly_one_active_record(enrolled):
    first = live_challenge(enrolled)
    old = _grant(enrolled, first, cached_recording("obama.jpg", first, 0))
    second = live_challenge(enrolled)
    new = _grant(enrolled, second, cached_recording("obama.jpg", second, 1))
    assert list(ConsentRecord.objects.filter(creator=enrolled, revoked_at__isnull=True)) == [new]
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert AuditEvent.objects.filter(action="consent.superseded").count() == 1
    # The database itself refuses a second active record (a held renewal may wait beside it:
    # tests/studio/test_consent_renewal_held.py).
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentRecord.objects.create(
            creator=enrolled, statement_version="x", statement_text="x", statement_sha256="x",
            signature_name="x", one_time_code="1", expires_at=timezone.now(),
            verification="verified",
        )


def test_the_moderator_sees_the_numbers(enrolled, forged_folder, client):
    challenge = live_challenge(enrolled)
    record = _grant(enrolled, challenge, _forged("wrong_code", challenge, forged_folder))
    login_with_second_factor(client, moderator_create(email="mod@example.com", password=PASSWORD))
    case = ModerationCase.objects.get(consent=record)
    page = client.get(f"/moderation/cases/{case.public_id}/").content.decode()
    assert "Consent evidence needs review" in page
    for number in ("av-sync", "motion-score", "duplicate-check", "face-distances", "transcript"):
        assert f'id="liveness-{number}"' in page
    assert page.count('class="liveness-step') == len(challenge.steps)


def test_the_page_issues_a_challenge_and_reveals_actions_only_at_start(creator_client):
    page = creator_client.get("/consent/")
    challenge = ConsentChallenge.objects.latest("issued_at")
    html = page.content.decode()
    assert challenge.nonce in html and challenge.code in html
    assert "<script>" not in html and "studio/consent.js" in html
    assert "turn_left" not in html and "blink_twice" not in html
    started = creator_client.post("/consent/start/", {"nonce": challenge.nonce})
    assert [s["action"] for s in started.json()["steps"]] == [s["action"] for s in challenge.steps]
    assert creator_client.post("/consent/start/", {"nonce": "made-up"}).status_code == 400
    german = creator_client.get("/consent/?language=de").content.decode()
    assert "Mein Code ist" in german
    assert np.isclose(started.json()["seconds"], challenge.seconds)
