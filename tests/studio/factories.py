"""Creators, consent evidence and uploads for studio tests, made through the real services."""

import copy
import hashlib
from fractions import Fraction
from pathlib import Path
from unittest import mock

import av
import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.generation.media_factory import face_path, tone, write_audio

PASSWORD = "a-long-test-password-42"


def upload(path: Path, name: str | None = None, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type=content_type)


def write_recording(
    path: Path, photo: str = "obama.jpg", *, seconds: float = 2.0, size: int = 480, samples=None
) -> Path:
    """A webcam-like consent recording: the photo, slightly moving, with a voice-like tone
    (or the given 16 kHz samples, whose length then sets the recording's)."""
    image = Image.open(face_path(photo)).convert("RGB")
    image.thumbnail((size, size))
    canvas = Image.new("RGB", (size, size), (200, 200, 200))
    canvas.paste(image, ((size - image.width) // 2, (size - image.height) // 2))
    base = np.asarray(canvas)
    rate = 16_000
    if samples is None:
        samples = tone(seconds, frequency=180.0)
    else:
        seconds = len(samples) / rate
    with av.open(str(path), mode="w") as container:
        video = container.add_stream("libx264", rate=25)
        video.width = video.height = size
        video.pix_fmt = "yuv420p"
        audio = container.add_stream("aac", rate=rate, layout="mono")
        for index in range(int(seconds * 25)):
            shifted = np.roll(base, shift=index % 3, axis=1)
            for packet in video.encode(
                av.VideoFrame.from_ndarray(np.ascontiguousarray(shifted), format="rgb24")
            ):
                container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = rate
        frame.pts = 0
        frame.time_base = Fraction(1, rate)
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=rate)
        for converted in resampler.resample(frame) + resampler.resample(None):
            for packet in audio.encode(converted):
                container.mux(packet)
        for packet in audio.encode(None):
            container.mux(packet)
    return path


def write_speech(path: Path, *, seconds: float = 2.0) -> Path:
    """A voice-like clip with a pause in the middle, as WAV."""
    half = seconds / 2
    samples = np.concatenate(
        [tone(half * 0.8), np.zeros(int(16_000 * half * 0.4), np.float32), tone(half * 0.8, seed=1)]
    )
    return write_audio(path, samples, fmt="wav")


def make_creator(email: str = "creator@example.com"):
    from studio.services.accounts import creator_create

    return creator_create(email=email, password=PASSWORD)


# The challenge every factory consent is made for: its actions come from this seed, its code
# is this one (written onto the issued challenge, as if the server had drawn it).
FACTORY_SEED = 20261203
FACTORY_CODE = "482913"
_RECORDINGS: dict[tuple[str, int], Path] = {}


def cached_recording(photo: str, challenge, variant: int = 0) -> Path:
    """A genuine-like live recording (see tests/safety/liveness_media.py: SYNTHETIC, a real
    photo animated and warped to perform the challenge) per photo and variant, made once per
    test session. Variants sit differently in the frame, so two in one test are no replay."""
    key = (photo, variant)
    if key not in _RECORDINGS:
        import tempfile

        from safety.liveness import Challenge
        from tests.safety.liveness_media import genuine_like_recording

        folder = Path(tempfile.mkdtemp(prefix="signet-recordings-"))
        _RECORDINGS[key] = genuine_like_recording(
            folder / f"{Path(photo).stem}-{variant}.webm",
            photo,
            Challenge.from_list(challenge.steps, challenge.seconds),
            FACTORY_CODE,
            seed=variant,
        )
    return _RECORDINGS[key]


def live_challenge(creator, *, session_key: str = "", language: str = "en", code=FACTORY_CODE):
    """A challenge issued and started as the consent page does, for the factory's fixed seed,
    with the recording's time already elapsed."""
    import random
    from datetime import timedelta

    from studio.models import ConsentChallenge
    from studio.services.consent import consent_challenge_issue, consent_challenge_start

    challenge = consent_challenge_issue(
        creator=creator,
        session_key=session_key,
        language=language,
        rng=random.Random(FACTORY_SEED),
    )
    ConsentChallenge.objects.filter(pk=challenge.pk).update(code=code)
    consent_challenge_start(creator=creator, nonce=challenge.nonce, session_key=session_key)
    ConsentChallenge.objects.filter(pk=challenge.pk).update(
        issued_at=challenge.issued_at - timedelta(seconds=challenge.seconds + 2),
        started_at=challenge.issued_at - timedelta(seconds=challenge.seconds + 1),
    )
    challenge.refresh_from_db()
    return challenge


def enrol_and_consent(
    creator, tmp_path: Path, *, selfie: str = "obama.jpg", recording_photo: str | None = None
):
    """Enrol `selfie` as the creator's face and grant consent with a live, genuine-like
    recording through the real services (challenge issued, started, recording checked)."""
    from studio.services.consent import identity_enrol

    identity_enrol(creator=creator, selfie=face_path(selfie))
    return grant_live_consent(creator, photo=recording_photo or selfie)


def grant_live_consent(creator, *, photo: str = "obama.jpg"):
    """Consent recorded (again) for the face already enrolled, as the consent page does; each
    call films a new variant, so a renewal is not taken for a replay."""
    from studio.models import ConsentRecord
    from studio.services import consent_evidence
    from studio.services.consent import consent_grant

    challenge = live_challenge(creator)
    variant = ConsentRecord.objects.count()
    recording = cached_recording(photo, challenge, variant)
    with mock.patch.object(consent_evidence, "assess_recording", _assess_remembered):
        return consent_grant(
            creator=creator,
            signature_name="Test Creator",
            nonce=challenge.nonce,
            session_key="",
            recording=recording,
            ip_address="127.0.0.1",
            user_agent="pytest",
        )


def grant_held_consent(creator):
    """Consent recorded live, whose spoken code the checks did not hear: an honest recording a
    moderator must look at (the outcome the liveness tests reach with a recording that says
    another code)."""
    import dataclasses

    from safety.liveness.verdict import HELD, LivenessVerdict
    from studio.services import consent as consent_service

    real_check = consent_service.check_evidence

    def code_not_heard(**inputs):
        assessment = real_check(**inputs)
        verdict = LivenessVerdict(HELD, ("code_not_heard",), assessment.verdict.report)
        return dataclasses.replace(assessment, verdict=verdict)

    with mock.patch.object(consent_service, "check_evidence", code_not_heard):
        record = grant_live_consent(creator)
    assert record.verification == "held"
    return record


_ASSESSMENTS: dict = {}


def _assess_remembered(path, **inputs):
    """The real liveness assessment, computed once per identical input and remembered.

    About 150 tests start from a consented creator, granted with the same recording for the same
    challenge; assessing it costs 3-7 CPU seconds each time, which is the suite's largest single
    cost. The liveness tests themselves (tests/studio/test_consent_liveness.py and the browser
    consent flow) never go through this factory, so every check still runs there."""
    from safety.liveness.assess import assess_recording

    earlier = [(label, sha, np.asarray(hashes)) for label, sha, hashes in inputs["earlier"]]
    key = (
        hashlib.sha256(Path(path).read_bytes()).hexdigest(),
        repr(inputs["challenge"]),
        inputs["code"],
        inputs["language"],
        inputs["sentence"],
        np.asarray(inputs["reference_embedding"]).tobytes(),
        repr(inputs["thresholds"]),
        tuple((sha, hashes.tobytes()) for _label, sha, hashes in earlier),
    )
    if key not in _ASSESSMENTS:
        _ASSESSMENTS[key] = assess_recording(path, **{**inputs, "earlier": earlier})
    return copy.deepcopy(_ASSESSMENTS[key])


def submit_job(
    creator,
    folder: Path,
    *,
    portrait: str = "obama2.jpg",
    seconds: float = 1.2,
    enqueue: bool = False,
    audio: Path | None = None,
    **options,
):
    """Submit a job through the real service, with a shared test photo and a speech-like clip
    (or the given ``audio`` file)."""
    from studio.services.jobs import job_submit
    from studio.services.uploads import audio_check_upload, image_check_upload

    return job_submit(
        creator=creator,
        portrait=image_check_upload(face_path(portrait)),
        audio=audio_check_upload(
            audio or write_speech(folder / f"speech-{seconds}.wav", seconds=seconds)
        ),
        enqueue=enqueue,
        **options,
    )


def released_job(creator, folder: Path, *, seconds: float = 1.2, **options):
    """A job submitted and rendered through the real services, checked to be released."""
    from studio.services.jobs import job_render

    job = submit_job(creator, folder, seconds=seconds, **options)
    job_render(job.pk)
    job.refresh_from_db()
    assert job.state == "released", job.failure_reason
    return job
