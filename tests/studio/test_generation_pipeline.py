"""From upload to a sealed, playable video: inline, and through a real Celery worker."""

import threading
import time
from pathlib import Path

import av
import numpy as np
import pytest
from django.conf import settings

from safety.provenance.reading import read_manifest
from safety.watermark import read_watermark_from_file
from studio.models import AuditEvent, GenerationJob, JobState, OutputArtifact
from studio.provenance_config import trust_anchors_pem, watermark_codec
from studio.services.jobs import (
    job_cancel,
    job_render,
    job_time_limits,
    job_work_dir,
    jobs_sweep_stale,
)
from tests.generation.media_factory import face_path
from tests.studio.factories import submit_job, write_speech


def _submit(creator, tmp_path, *, seconds=2.0, enqueue=False):
    return submit_job(creator, tmp_path, seconds=seconds, enqueue=enqueue)


def _assert_playable_output(
    artifact: OutputArtifact, audio_seconds: float, *, sample_rate=16_000, channels=1
):
    path = Path(artifact.file.path)
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        assert video.codec_context.name == "h264"
        assert audio.codec_context.name == "aac"
        # The clip's own sound (rate and channels), not a resampled mono analysis copy.
        assert audio.codec_context.sample_rate == sample_rate
        assert audio.codec_context.channels == channels
        assert float(video.average_rate) == pytest.approx(25.0)
        frames = sum(1 for _ in container.decode(video=0))
    assert abs(frames / 25.0 - audio_seconds) <= 1 / 25 + 1e-6
    manifest = read_manifest(path, media_type="video/mp4", trust_anchors_pem=trust_anchors_pem())
    assert manifest.present and manifest.valid and manifest.trusted
    reading = read_watermark_from_file(path, watermark_codec())
    assert reading.found and reading.payload_id == artifact.watermark_id


@pytest.mark.django_db
def test_a_job_renders_seals_and_is_released_inline(consented_creator, tmp_path):
    job = _submit(consented_creator, tmp_path)
    assert job.state == JobState.QUEUED
    seen = []
    job_render(job.pk, observer=lambda done, total: seen.append((done, total)))
    job.refresh_from_db()
    assert job.state == JobState.RELEASED, job.failure_reason
    assert seen and seen[-1][0] == seen[-1][1]  # progress reached the end
    _assert_playable_output(job.output, job.audio_seconds)
    states = [
        e.details["to"]
        for e in AuditEvent.objects.filter(action="job.transition", subject_id=str(job.public_id))
    ]
    assert states == ["checking", "queued", "rendering", "sealing", "released"]
    assert not job_work_dir(job).exists()


@pytest.mark.django_db
def test_stereo_audio_stays_stereo_at_its_own_rate(consented_creator, tmp_path):
    import subprocess

    stereo = tmp_path / "stereo.m4a"
    subprocess.run(
        ["sox", "-n", "-r", "44100", "-c", "2", str(tmp_path / "stereo.wav"), "synth", "1.5",
         "sine", "300", "sine", "500", "gain", "-6"], check=True,
    )  # fmt: skip
    subprocess.run(
        ["ffmpeg", "-y", "-loglevel", "error", "-i", str(tmp_path / "stereo.wav"), str(stereo)],
        check=True,
    )
    job = _submit_audio(consented_creator, tmp_path, stereo)
    job_render(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.RELEASED, job.failure_reason
    _assert_playable_output(job.output, job.audio_seconds, sample_rate=44_100, channels=2)
    left, right = _decoded_channels(Path(job.output.file.path))
    # Two different tones in, so two different channels out (not one mono copy twice).
    assert float(np.mean(np.abs(left - right))) > 0.05


def _submit_audio(creator, tmp_path, audio):
    return submit_job(creator, tmp_path, audio=audio)


def _decoded_channels(path: Path):
    with av.open(str(path)) as container:
        planes = [f.to_ndarray() for f in container.decode(audio=0)]
    samples = np.concatenate(planes, axis=1)
    return samples[0], samples[1]


@pytest.mark.django_db
def test_a_stale_job_is_queued_again_then_failed_with_a_reason(
    consented_creator, tmp_path, settings
):
    from django.utils import timezone

    job = _submit(consented_creator, tmp_path)
    old = timezone.now() - timezone.timedelta(seconds=settings.SIGNET_STALE_JOB_SECONDS + 5)
    GenerationJob.objects.filter(pk=job.pk).update(
        state=JobState.RENDERING, heartbeat_at=old, attempts=1
    )
    assert jobs_sweep_stale() == 1
    job.refresh_from_db()
    assert job.state == JobState.QUEUED
    GenerationJob.objects.filter(pk=job.pk).update(
        state=JobState.RENDERING, heartbeat_at=old, attempts=settings.SIGNET_JOB_MAX_ATTEMPTS
    )
    jobs_sweep_stale()
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "worker stopped unexpectedly" in job.failure_reason


def test_time_limits_grow_with_the_audio():
    short_soft, short_hard = job_time_limits(5)
    long_soft, long_hard = job_time_limits(120)
    assert long_soft > short_soft and long_hard > long_soft > 0


def test_render_tasks_survive_a_dead_worker():
    from studio import tasks

    for task in (tasks.job_render, tasks.job_render_gpu):
        assert task.acks_late and task.reject_on_worker_lost


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_running_job_stops_it_and_leaves_no_file(consented_creator, tmp_path):
    job = _submit(consented_creator, tmp_path, seconds=12.0)

    def render_then_close_connection():
        from django.db import connection

        try:
            job_render(job.pk)
        finally:
            connection.close()  # a thread's connection would otherwise hold the test database open

    worker = threading.Thread(target=render_then_close_connection)
    worker.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state == JobState.RENDERING and job.progress_done > 0:
            break
        time.sleep(0.05)
    assert job.state == JobState.RENDERING
    cancelled_at = time.monotonic()
    job_cancel(job=job, actor=consented_creator)
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert time.monotonic() - cancelled_at < 5
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED
    assert not OutputArtifact.objects.filter(job=job).exists()
    assert not job_work_dir(job).exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_a_job_submitted_from_the_page(
    client, consented_creator, tmp_path, celery_worker
):
    from tests.studio.factories import PASSWORD, upload

    client.login(username=consented_creator.username, password=PASSWORD)
    audio = write_speech(tmp_path / "speech.wav", seconds=2.0)
    started = time.monotonic()
    response = client.post(
        "/jobs/new/",
        {
            "portrait": upload(face_path("obama2.jpg")),
            "audio": upload(audio),
            "label_corner": "top-left",
        },
    )
    assert response.status_code == 302
    assert time.monotonic() - started < 15  # the request returns while the worker renders
    job = GenerationJob.objects.get(creator=consented_creator)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and job.state not in {JobState.RELEASED, JobState.FAILED}:
        time.sleep(0.3)
        job.refresh_from_db()
    assert job.state == JobState.RELEASED, (job.state, job.failure_reason, _worker_log())
    _assert_playable_output(job.output, job.audio_seconds)
    status = client.get(f"/jobs/{job.public_id}/status").json()
    assert status["state"] == "released" and status["video_url"]
    video = client.get(status["video_url"], HTTP_RANGE="bytes=0-99")
    assert video.status_code == 206 and video["Content-Type"] == "video/mp4"


def _worker_log() -> str:
    path = Path(settings.VAR_DIR) / "worker.log"
    return path.read_text()[-3000:] if path.exists() else ""
