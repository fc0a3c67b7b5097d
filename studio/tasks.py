"""Celery tasks: thin wrappers over the services of the same name."""

from celery import shared_task
from celery.signals import worker_ready

from studio.services import api_tokens, consent_expiry, jobs, moderation_announce


@shared_task(acks_late=True, reject_on_worker_lost=True)
def job_render(job_pk: int) -> None:
    jobs.job_render(job_pk)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def job_render_gpu(job_pk: int) -> None:
    """The same service, routed to the `gpu` queue so GPU workers scale apart from CPU ones."""
    jobs.job_render(job_pk)


@shared_task
def jobs_sweep_stale() -> int:
    return jobs.jobs_sweep_stale()


@shared_task
def api_tokens_warn_expiring() -> int:
    return api_tokens.api_tokens_warn_expiring()


@shared_task
def consent_warn_expiring() -> int:
    return consent_expiry.consent_warn_expiring()


@shared_task
def moderation_cases_announce() -> int:
    return moderation_announce.moderation_cases_announce()


@worker_ready.connect
def _recover_jobs_left_by_a_dead_worker(**_kwargs) -> None:
    jobs.jobs_sweep_stale()
