"""The diffusion renderer as a job sees it: its own queue, local weights only, the same sealing."""

import pytest

from generation.diffusion.loading import save_tiny_pipeline
from studio.celery_app import app
from studio.models import AuditEvent, JobState
from studio.renderers import renderer_for
from studio.services.jobs import job_render
from tests.studio.factories import submit_job


def test_gpu_jobs_go_to_their_own_queue():
    assert app.amqp.router.route({}, "studio.tasks.job_render_gpu")["queue"].name == "gpu"
    assert app.amqp.router.route({}, "studio.tasks.job_render")["queue"].name == "cpu"


@pytest.fixture
def render_diffusion_job(consented_creator, tmp_path):
    """Submit and render a diffusion job with whatever SIGNET_MODEL_DIR the test set."""

    def run():
        renderer_for.cache_clear()  # the worker builds its renderer once; the test changed settings
        try:
            job = submit_job(consented_creator, tmp_path, seconds=0.8, renderer="diffusion")
            job_render(job.pk)
        finally:
            renderer_for.cache_clear()
        job.refresh_from_db()
        return job

    return run


@pytest.mark.django_db
def test_a_diffusion_job_renders_from_local_weights_and_is_sealed(
    render_diffusion_job, tmp_path, settings
):
    settings.SIGNET_MODEL_DIR = save_tiny_pipeline(tmp_path / "models")
    settings.SIGNET_DIFFUSION_STEPS = 2
    job = render_diffusion_job()
    assert job.state == JobState.RELEASED, job.failure_reason
    assert (
        job.output.width == 512
        and abs(job.output.duration_seconds - job.audio_seconds) <= 0.04 + 1e-6
    )
    assert job.output.manifest["signet_assertion"]["generator_backend"] == "diffusion"


@pytest.mark.django_db
def test_missing_weights_fail_the_job_with_a_reason_naming_them(
    render_diffusion_job, tmp_path, settings
):
    settings.SIGNET_MODEL_DIR = tmp_path / "empty-models"
    settings.SIGNET_MODEL_DIR.mkdir()
    job = render_diffusion_job()
    assert job.state == JobState.FAILED
    assert "video engine is not available" in job.failure_reason
    assert str(tmp_path) not in job.failure_reason  # no server paths for the creator
    event = AuditEvent.objects.get(action="job.renderer_unavailable")
    assert "vae/" in event.details["detail"] and "motion_adapter/" in event.details["detail"]
