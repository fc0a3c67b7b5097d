from django.db.models import QuerySet
from django.utils.translation import gettext as _

from studio.errors import NotFound
from studio.job_failure_words import job_failure_words
from studio.models import GenerationJob
from studio.services.job_transitions import UNPUBLISHED_STATES


def jobs_for_creator(creator) -> QuerySet[GenerationJob]:
    return (
        GenerationJob.objects.filter(creator=creator)
        .select_related("output")
        .order_by("-created_at")
    )


def job_get_for_creator(creator, public_id) -> GenerationJob:
    """A creator's own job; anyone else's is reported as not found, so its existence leaks nothing."""
    job = (
        GenerationJob.objects.filter(creator=creator, public_id=public_id)
        .select_related("portrait", "audio", "consent")
        .first()
    )
    if job is None:
        raise NotFound(_("No such job."))
    return job


def job_retry_notice(job: GenerationJob) -> str:
    """Said on the job page while a job runs again after its worker stopped."""
    from django.conf import settings

    retrying = (job.state == "queued" and job.attempts >= 1) or (
        job.state in {"rendering", "sealing"} and job.attempts >= 2
    )
    if not retrying:
        return ""
    return _(
        "The worker making this video stopped unexpectedly, so it is being retried "
        "(attempt %(attempt)d of %(most)d)."
    ) % {
        "attempt": job.attempts + (1 if job.state == "queued" else 0),
        "most": settings.SIGNET_JOB_MAX_ATTEMPTS,
    }


def job_status_payload(job: GenerationJob) -> dict:
    output = getattr(job, "output", None)
    released = output is not None and job.state == "released"
    return {
        "id": str(job.public_id),
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "progress": {
            "done": job.progress_done,
            "total": job.progress_total,
            "fraction": round(job.progress_fraction, 4),
        },
        "audio_seconds": round(job.audio_seconds, 3),
        "failure_reason": job_failure_words(job.failure_reason),
        "retry_notice": job_retry_notice(job),
        "hold_reason": job_hold_reason(job),
        "cancel_requested": job.cancel_requested,
        "video_url": f"/outputs/{output.public_id}/video.mp4" if released else None,
        "poster_url": f"/outputs/{output.public_id}/poster.jpg"
        if released and output.poster
        else None,
        "created_at": job.created_at.isoformat(),
    }


def job_hold_reason(job: GenerationJob) -> str:
    """Why a job waits for a moderator, in words for its creator ("" when it does not wait)."""
    if job.state == "held":
        message = (job.gate_report or {}).get("message") or ""
        return message or _(
            "A moderator checks that the face in the portrait is yours before it is rendered."
        )
    if job.state != "in_review":
        return ""
    case = job.moderation_cases.filter(state__in=["open", "claimed"]).order_by("-pk").first()
    reason = case.reason if case else ""
    return {
        "first_outputs": _(
            "A new creator's first videos are checked by a moderator before they are released."
        ),
        "random_sample": _("This video was picked at random for a check by a moderator."),
        "misuse_report": _("Someone reported this video; a moderator is checking it."),
    }.get(reason, _("A moderator will review this video before it is released."))


def consent_revocation_reach(creator) -> dict:
    """What revoking consent would end, for the creator to read before they confirm."""
    return {
        "waiting": GenerationJob.objects.filter(
            creator=creator, state__in=UNPUBLISHED_STATES
        ).count(),
        "released": GenerationJob.objects.filter(creator=creator, state="released").count(),
    }
