from django.db.models import QuerySet

from studio.errors import NotFound
from studio.models import GenerationJob


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
        raise NotFound("No such job.")
    return job


def job_status_payload(job: GenerationJob) -> dict:
    output = getattr(job, "output", None)
    released = output is not None and job.state == "released"
    return {
        "id": str(job.public_id),
        "state": job.state,
        "state_label": job.get_state_display(),
        "progress": {
            "done": job.progress_done,
            "total": job.progress_total,
            "fraction": round(job.progress_fraction, 4),
        },
        "audio_seconds": round(job.audio_seconds, 3),
        "failure_reason": job.failure_reason,
        "cancel_requested": job.cancel_requested,
        "video_url": f"/outputs/{output.public_id}/video.mp4" if released else None,
        "poster_url": f"/outputs/{output.public_id}/poster.jpg"
        if released and output.poster
        else None,
        "created_at": job.created_at.isoformat(),
    }
