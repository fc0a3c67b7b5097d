"""A rendering job's heartbeat goes on during long steps that report no progress, so the sweep
never re-queues a live job; once the work stops, the beat stops."""

import time

import pytest
from django.utils import timezone

from studio.models import GenerationJob, JobState
from studio.services.job_heartbeat import job_heartbeat
from studio.services.jobs import jobs_sweep_stale
from tests.studio.factories import submit_job


@pytest.mark.django_db(transaction=True)
def test_a_long_silent_step_keeps_beating_and_a_stopped_one_is_swept(
    consented_creator, tmp_path, settings, monkeypatch
):
    settings.SIGNET_STALE_JOB_SECONDS = 1
    # The re-queued job is noted, not sent: a session worker started by an earlier test would
    # otherwise pick it up and still be writing while this test's tables are emptied.
    sent = []
    monkeypatch.setattr("studio.services.jobs.job_enqueue", lambda job: sent.append(job.pk))
    job = submit_job(consented_creator, tmp_path)
    old = timezone.now() - timezone.timedelta(seconds=60)
    GenerationJob.objects.filter(pk=job.pk).update(
        state=JobState.RENDERING, attempts=1, heartbeat_at=old
    )
    with job_heartbeat(job.pk, interval=0.2):
        time.sleep(1.5)  # a step with no progress callback (loading a model, signing)
        assert jobs_sweep_stale() == 0
    job.refresh_from_db()
    assert job.state == JobState.RENDERING and job.heartbeat_at > old
    time.sleep(1.5)  # the work died: no more beats
    assert jobs_sweep_stale() == 1
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and sent == [job.pk]
