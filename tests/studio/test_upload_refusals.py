"""Bad input is refused at upload with a clear message, and nothing is stored."""

import pytest
from django.test import override_settings

from studio.models import AudioClip, AuditEvent, GenerationJob, Portrait
from tests.generation.media_factory import face_path, png_bomb_bytes, silence, tone, write_audio
from tests.studio.factories import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def speech(tmp_path):
    return write_audio(tmp_path / "speech.wav", tone(1.5), fmt="wav")


def _submit(client, portrait, audio):
    return client.post(
        "/jobs/new/", {"portrait": portrait, "audio": audio, "label_corner": "bottom-right"}
    )


def _assert_refused(response, media_files, before_files, fragment):
    assert response.status_code == 400
    body = response.content.decode()
    assert fragment in body, body[-1500:]
    assert GenerationJob.objects.count() == 0
    assert Portrait.objects.count() == 0 and AudioClip.objects.count() == 0
    assert media_files() == before_files
    assert AuditEvent.objects.filter(action="upload.refused").exists()


def test_a_text_file_posing_as_a_photo_is_refused(creator_client, speech, media_files):
    before = media_files()
    response = _submit(
        creator_client, upload_bytes(b"hello, I am not a picture", "me.jpg"), upload(speech)
    )
    _assert_refused(response, media_files, before, "The portrait was refused")


def test_audio_that_does_not_decode_is_refused(creator_client, tmp_path, media_files):
    before = media_files()
    response = _submit(
        creator_client,
        upload(face_path("obama2.jpg")),
        upload_bytes(b"RIFF" + bytes(2000), "clip.wav"),
    )
    _assert_refused(response, media_files, before, "The audio was refused")


def test_a_truncated_audio_file_is_refused(creator_client, tmp_path, media_files):
    full = write_audio(tmp_path / "clip.mp3", tone(2.0), fmt="mp3").read_bytes()
    before = media_files()
    response = _submit(
        creator_client, upload(face_path("obama2.jpg")), upload_bytes(full[:200], "clip.mp3")
    )
    _assert_refused(response, media_files, before, "The audio was refused")


def test_a_decompression_bomb_is_refused(creator_client, speech, media_files):
    before = media_files()
    response = _submit(creator_client, upload_bytes(png_bomb_bytes(), "huge.png"), upload(speech))
    _assert_refused(response, media_files, before, "The portrait was refused")


@override_settings(SIGNET_MAX_IMAGE_BYTES=50_000)
def test_a_photo_over_the_size_limit_is_refused(creator_client, speech, media_files):
    before = media_files()
    response = _submit(creator_client, upload(face_path("obama2.jpg")), upload(speech))
    _assert_refused(response, media_files, before, "larger than")


@override_settings(SIGNET_MAX_AUDIO_SECONDS=3.0)
def test_audio_over_the_duration_limit_is_refused(creator_client, tmp_path, media_files):
    long_clip = write_audio(tmp_path / "long.flac", tone(5.0), fmt="flac")
    before = media_files()
    response = _submit(creator_client, upload(face_path("obama2.jpg")), upload(long_clip))
    _assert_refused(response, media_files, before, "The audio was refused")


def test_silent_audio_is_refused(creator_client, tmp_path, media_files):
    quiet = write_audio(tmp_path / "quiet.wav", silence(2.0), fmt="wav")
    before = media_files()
    response = _submit(creator_client, upload(face_path("obama2.jpg")), upload(quiet))
    _assert_refused(response, media_files, before, "silent")


def upload_bytes(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_an_hour_long_clip_is_refused_without_decoding_it_all(
    creator_client, tmp_path, media_files
):
    import time

    import numpy as np

    rate = 8_000
    samples = np.zeros(rate * 3600, dtype=np.float32)
    samples[:rate] = tone(1.0, sample_rate=rate)  # audible, so only its length is wrong
    hour = write_audio(tmp_path / "hour.flac", samples, sample_rate=rate, fmt="flac")
    assert hour.stat().st_size < 5_000_000
    before = media_files()
    started = time.monotonic()
    response = _submit(creator_client, upload(face_path("obama2.jpg")), upload(hour))
    assert time.monotonic() - started < 10
    _assert_refused(response, media_files, before, "The audio was refused")
    assert "long" in response.content.decode()


def test_a_request_declaring_a_huge_body_is_refused_before_it_is_read(
    creator_client, settings, media_files
):
    settings.SIGNET_MAX_REQUEST_BYTES = 1024
    before = media_files()
    response = creator_client.post(
        "/api/v1/verify",
        data=b"x" * 4096,
        content_type="application/octet-stream",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 413
    assert "too large" in response.json()["error"]["message"]
    assert media_files() == before


def test_a_submission_whose_transaction_fails_leaves_no_stored_upload(
    consented_creator, tmp_path, media_files
):
    # The database fails after both uploads were stored (a lost connection, a full disk):
    # the rows roll back, and object storage has no rollback of its own.
    from unittest import mock

    from django.db import DatabaseError

    from studio.services import jobs
    from tests.studio.factories import submit_job

    before = media_files()
    with (
        mock.patch.object(jobs, "job_transition", side_effect=DatabaseError("connection lost")),
        pytest.raises(DatabaseError),
    ):
        submit_job(consented_creator, tmp_path)
    assert GenerationJob.objects.count() == 0 and Portrait.objects.count() == 0
    assert media_files() == before
