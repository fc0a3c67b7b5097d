"""Scale-out: two CPU worker processes, each with its own scratch folder and its own (unused,
empty) media folder, share nothing but PostgreSQL/Redis (or the embedded database and broker)
and the S3 server. Several jobs submitted at once are each rendered exactly once, sealed,
released, and playable through the web app from object storage.

The web app here is Django's test client in this process (same settings, same database); the
workers are real `celery worker` processes.
"""

import subprocess
import sys
import time
import urllib.request
import uuid

import av
import pytest
from kombu import Connection

from studio import tasks
from studio.models import AuditEvent, JobState
from tests.studio.factories import submit_job
from tests.worker_process import REPO_ROOT, worker_env

JOBS = 4


def _start_worker(env, queue, log_path):
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "studio", "worker", "-Q", queue, "-c", "1",
         "--prefetch-multiplier=1", "--without-mingle", "--without-gossip", "--loglevel=INFO",
         "-n", f"{log_path.stem}@%h"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    return process, log


def _wait_ready(process, log_path, seconds=90):
    deadline = time.monotonic() + seconds
    while "ready." not in log_path.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("worker did not start:\n" + log_path.read_text()[-3000:])
        time.sleep(0.3)


@pytest.mark.django_db(transaction=True)
def test_two_workers_without_a_shared_disk_render_every_job_once(
    s3_media, settings, creator_client, consented_creator, tmp_path
):
    queue = f"cpu-scale-out-{uuid.uuid4().hex[:8]}"  # this test's own queue: no other consumer
    folders = {}
    workers = []
    try:
        for name in ("worker-a", "worker-b"):
            scratch, media = tmp_path / name / "scratch", tmp_path / name / "media"
            scratch.mkdir(parents=True)
            media.mkdir()
            folders[name] = (scratch, media)
            env = worker_env(
                settings.CELERY_BROKER_URL,
                SIGNET_STORAGE_URL=s3_media.storage_url(),
                SIGNET_SCRATCH_DIR=str(scratch),
                MEDIA_ROOT=str(media),
            )
            log_path = tmp_path / f"{name}.log"
            process, log = _start_worker(env, queue, log_path)
            workers.append((process, log, log_path))
        for process, _log, log_path in workers:
            _wait_ready(process, log_path)

        jobs = [submit_job(consented_creator, tmp_path, seconds=1.5) for _ in range(JOBS)]
        with Connection(settings.CELERY_BROKER_URL) as connection:
            for job in jobs:
                tasks.job_render.apply_async(args=[job.pk], connection=connection, queue=queue)

        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            states = [type(job).objects.get(pk=job.pk).state for job in jobs]
            if all(state in (JobState.RELEASED, JobState.FAILED) for state in states):
                break
            time.sleep(0.5)
        logs = {path.stem: path.read_text() for _p, _l, path in workers}
    finally:
        for process, log, _path in workers:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()

    for job in jobs:
        job.refresh_from_db()
        assert job.state == JobState.RELEASED, job.failure_reason
        assert job.attempts == 1
        renders = AuditEvent.objects.filter(
            action="job.transition", subject_id=str(job.public_id), details__to="rendering"
        )
        assert renders.count() == 1  # rendered exactly once
        assert job.output.file.name in s3_media.keys()
        # Playable from the web app: a signed link to the object store, which serves the MP4.
        answer = creator_client.get(f"/outputs/{job.output.public_id}/video.mp4")
        assert answer.status_code == 302
        target = tmp_path / f"{job.public_id}.mp4"
        with urllib.request.urlopen(answer["Location"], timeout=30) as response:
            target.write_bytes(response.read())
        with av.open(str(target)) as container:
            assert sum(1 for _ in container.decode(video=0)) > 30

    # Both workers took jobs, and neither left anything in its scratch or media folder.
    for name, text in logs.items():
        assert "succeeded" in text, f"{name} rendered nothing"
    for scratch, media in folders.values():
        assert not any(scratch.iterdir()) and not any(media.rglob("*"))
