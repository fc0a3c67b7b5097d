"""The hallo renderer as a job sees it: its own queue, local weights only, the same sealing."""

import pytest

from studio.celery_app import app
from studio.models import AuditEvent, JobState
from studio.renderers import renderer_for
from studio.services.jobs import job_render
from tests.generation.hallo_models import TINY_IMAGE_SIZE, tiny_model_dir
from tests.studio.factories import submit_job


def test_gpu_jobs_go_to_their_own_queue():
    assert app.amqp.router.route({}, "studio.tasks.job_render_gpu")["queue"].name == "gpu"
    assert app.amqp.router.route({}, "studio.tasks.job_render")["queue"].name == "cpu"


@pytest.fixture
def render_hallo_job(consented_creator, tmp_path):
    """Submit and render a hallo job with whatever SIGNET_MODEL_DIR the test set."""

    def run():
        renderer_for.cache_clear()  # the worker builds its renderer once; the test changed settings
        try:
            job = submit_job(consented_creator, tmp_path, seconds=0.8, renderer="hallo")
            job_render(job.pk)
        finally:
            renderer_for.cache_clear()
        job.refresh_from_db()
        return job

    return run


@pytest.mark.django_db
def test_a_hallo_job_is_queued_for_a_gpu_worker(consented_creator, tmp_path, monkeypatch):
    from django.test import TestCase

    from studio import tasks
    from studio.services.jobs import job_enqueue

    queued = []
    monkeypatch.setattr(tasks.job_render_gpu, "apply_async", lambda **kw: queued.append("gpu"))
    monkeypatch.setattr(tasks.job_render, "apply_async", lambda **kw: queued.append("cpu"))
    for renderer in ("hallo", "animator"):
        job = submit_job(consented_creator, tmp_path, seconds=0.8, renderer=renderer)
        with TestCase.captureOnCommitCallbacks(execute=True):
            job_enqueue(job)
    assert queued == ["gpu", "cpu"]


@pytest.mark.django_db
def test_a_hallo_job_renders_from_local_weights_and_is_sealed(
    render_hallo_job, tmp_path, settings
):
    settings.SIGNET_MODEL_DIR = tiny_model_dir(tmp_path / "models")
    settings.SIGNET_HALLO_IMAGE_SIZE = TINY_IMAGE_SIZE
    settings.SIGNET_HALLO_WINDOW = 4
    settings.SIGNET_DIFFUSION_STEPS = 2
    job = render_hallo_job()
    assert job.state == JobState.RELEASED, job.failure_reason
    assert (
        job.output.width == 512
        and abs(job.output.duration_seconds - job.audio_seconds) <= 0.04 + 1e-6
    )
    assert job.output.manifest["signet_assertion"]["generator_backend"] == "hallo"


@pytest.mark.django_db
def test_missing_weights_fail_the_job_with_a_reason_naming_them(
    render_hallo_job, tmp_path, settings
):
    settings.SIGNET_MODEL_DIR = tmp_path / "empty-models"
    settings.SIGNET_MODEL_DIR.mkdir()
    job = render_hallo_job()
    assert job.state == JobState.FAILED
    assert "video engine is not available" in job.failure_reason
    assert str(tmp_path) not in job.failure_reason  # no server paths for the creator
    event = AuditEvent.objects.get(action="job.renderer_unavailable")
    assert "hallo/net.pth" in event.details["detail"]
    assert "motion_module/mm_sd_v15_v2.ckpt" in event.details["detail"]


@pytest.mark.django_db
def test_weights_that_do_not_fit_fail_the_job_too(render_hallo_job, tmp_path, settings):
    import torch

    models = tiny_model_dir(tmp_path / "models")
    path = models / "hallo" / "net.pth"
    state = torch.load(path, weights_only=True)
    state["audioproj.extra.weight"] = torch.zeros(1)
    torch.save(state, path)
    settings.SIGNET_MODEL_DIR = models
    job = render_hallo_job()
    assert job.state == JobState.FAILED
    event = AuditEvent.objects.get(action="job.renderer_unavailable")
    assert "unknown keys" in event.details["detail"] and "audioproj" in event.details["detail"]
