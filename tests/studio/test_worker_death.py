"""A worker killed mid-render does not leave the job "rendering" forever: the next worker to start
finds it (its heartbeat stopped), queues it again, and renders it."""

import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
from kombu import Connection

from studio import tasks
from studio.models import AuditEvent, JobState
from tests.studio.factories import PASSWORD, submit_job
from tests.worker_process import REPO_ROOT, celery_worker_process, kill_worker, worker_env


def _private_broker(settings, tmp_path) -> str:
    """A broker of this test's own, so the session's worker cannot take the job."""
    if settings.CELERY_BROKER_URL.startswith("redis"):
        return settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/14"
    return f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"


def _wait_for(job, predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if predicate(job):
            return
        time.sleep(0.1)
    raise AssertionError(f"job stuck in {job.state} ({job.progress_done}/{job.progress_total})")


@pytest.mark.django_db(transaction=True)
def test_a_job_survives_its_worker_being_killed(consented_creator, tmp_path, settings):
    broker = _private_broker(settings, tmp_path)
    if broker.startswith("redis"):
        with Connection(broker) as connection:
            connection.default_channel.queue_purge("cpu")  # leftovers of an earlier run
    env = worker_env(broker, SIGNET_STALE_JOB_SECONDS="2")
    job = submit_job(consented_creator, tmp_path, seconds=20.0)
    with Connection(broker) as connection:
        tasks.job_render.apply_async(args=[job.pk], connection=connection, queue="cpu")

    with celery_worker_process(env, tmp_path / "first-worker.log") as first:
        _wait_for(job, lambda j: j.state == JobState.RENDERING and j.progress_done > 0, 90)
        kill_worker(first)
    job.refresh_from_db()
    assert job.state == JobState.RENDERING and job.attempts == 1  # orphaned by the crash

    time.sleep(3)  # longer than SIGNET_STALE_JOB_SECONDS: the heartbeat is now stale
    with celery_worker_process(env, tmp_path / "second-worker.log"):
        _wait_for(job, lambda j: j.state in (JobState.RELEASED, JobState.FAILED), 150)
    assert job.state == JobState.RELEASED, job.failure_reason
    assert job.attempts == 2
    assert AuditEvent.objects.filter(
        action="job.transition", subject_id=str(job.public_id), details__to="queued",
        details__reason__icontains="worker stopped unexpectedly",
    ).exists()  # fmt: skip


@contextmanager
def _celery_beat(env, tmp_path):
    """`celery beat` in its own process, as bin/run starts it: it sends the stale-job sweep."""
    log_path = tmp_path / "beat.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "studio", "beat", "--loglevel=INFO",
             "--schedule", str(tmp_path / "celerybeat-schedule")],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            yield process
        finally:
            process.terminate()
            process.wait(timeout=20)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_job_is_requeued_within_60_seconds_and_says_so(
    consented_creator, tmp_path, settings, client
):
    """Default heartbeat, staleness and sweep settings: the job is queued again within a minute
    and the creator's job page says it is being retried."""
    broker = _private_broker(settings, tmp_path)
    if broker.startswith("redis"):
        with Connection(broker) as connection:
            connection.default_channel.queue_purge("cpu")
    env = worker_env(broker)
    for name in ("SIGNET_STALE_JOB_SECONDS", "SIGNET_SWEEP_SECONDS", "SIGNET_HEARTBEAT_SECONDS"):
        env.pop(name, None)
    job = submit_job(consented_creator, tmp_path, seconds=20.0)
    with Connection(broker) as connection:
        tasks.job_render.apply_async(args=[job.pk], connection=connection, queue="cpu")

    with celery_worker_process(env, tmp_path / "first-worker.log") as first:
        _wait_for(job, lambda j: j.state == JobState.RENDERING and j.progress_done > 0, 90)
        kill_worker(first)
    killed_at = time.monotonic()

    with celery_worker_process(env, tmp_path / "second-worker.log") as second, \
            _celery_beat(env, tmp_path):
        _wait_for(job, lambda j: j.attempts == 2 or j.state == JobState.QUEUED, 75)
        requeued_after = time.monotonic() - killed_at
        assert client.login(username=consented_creator.username, password=PASSWORD)
        page = client.get(f"/jobs/{job.public_id}/").content.decode()
        status = client.get(f"/jobs/{job.public_id}/status").json()
        # That the second attempt renders to the end is the test above's part: not waited for.
        kill_worker(second)
    print(f"re-queued {requeued_after:.1f} s after the worker was killed")
    assert requeued_after < 60
    assert "being retried" in page and "attempt 2 of 2" in page
    assert "being retried" in status["retry_notice"]
