"""The creators' API: submit a job, follow it, cancel it."""

from uuid import UUID

from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status, UploadedFile
from ninja.decorators import decorate_view

from studio.api.auth import CreatorToken
from studio.api.schemas import ERRORS, JobOut
from studio.errors import NotAllowed
from studio.rate_limits import rate_limited
from studio.roles import is_creator
from studio.selectors.jobs import job_get_for_creator, job_status_payload
from studio.services.jobs import job_cancel, job_submit_uploads

router = Router(tags=["jobs"], auth=CreatorToken())


@router.post(
    "/jobs", response={202: JobOut, **ERRORS}, summary="Submit a portrait and an audio clip"
)
@decorate_view(rate_limited("api_jobs"))  # before the token check: guessing costs too
def jobs_create(
    request,
    portrait: File[UploadedFile],
    audio: File[UploadedFile],
    label_corner: Form[str] = "bottom-right",
    label_language: Form[str] = "en",
):
    """The job passes the safety gate (consent, identity, do-not-animate) before it is queued.

    `label_corner` is one of bottom-right, bottom-left, top-right, top-left: the AI-generated
    label can be moved, never removed. `label_language` picks its words: `en` "AI-generated"
    (the default) or `de` "KI-generiert".
    """
    if not is_creator(request.user):
        raise NotAllowed(_("Only creators can make videos."))
    job = job_submit_uploads(
        creator=request.user,
        portrait=portrait,
        audio=audio,
        label_corner=label_corner,
        label_language=label_language,
        channel="api",
    )
    return Status(202, job_status_payload(job))


@router.get("/jobs/{uuid:public_id}", response={200: JobOut, **ERRORS}, summary="A job's state")
def jobs_detail(request, public_id: UUID):
    return job_status_payload(job_get_for_creator(request.user, public_id))


@router.post(
    "/jobs/{uuid:public_id}/cancel", response={200: JobOut, **ERRORS}, summary="Cancel a job"
)
def jobs_cancel(request, public_id: UUID):
    job = job_cancel(job=job_get_for_creator(request.user, public_id), actor=request.user)
    return job_status_payload(job)
