from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from studio.errors import ApplicationError, GateRefused
from studio.forms import JobForm
from studio.job_failure_words import job_failure_words
from studio.middleware import wants_json
from studio.rate_limits import rate_limit_hit
from studio.roles import holds_moderator_role, is_creator
from studio.selectors.consent import creator_enrolment_status
from studio.selectors.jobs import job_get_for_creator, job_status_payload, jobs_for_creator
from studio.services.jobs import job_cancel, job_submit_uploads
from studio.services.withdrawal import job_withdraw


@login_required
def dashboard(request):
    if holds_moderator_role(request.user) and not is_creator(request.user):
        # Where a moderator's work is (also after log-in); the queue asks for the second factor.
        return redirect("moderation_queue")
    return render(
        request,
        "studio/dashboard.html",
        {
            "jobs": jobs_for_creator(request.user)[:50],
            "enrolment": creator_enrolment_status(request.user),
        },
    )


@login_required
@permission_required("studio.submit_job", raise_exception=True)
def job_new(request):
    """The new-video form. The page's script (static/studio/job_new.js) sends it in the
    background, asking for JSON, so that the chosen files stay chosen when one is refused and the
    upload's progress can be shown; without the script the form posts and the page is rendered."""
    # The label speaks the page's language unless the creator picks the other.
    page_language = "de" if get_language().startswith("de") else "en"
    form = JobForm(
        request.POST or None, request.FILES or None, initial={"label_language": page_language}
    )
    error = None
    code = "invalid"
    if request.method == "POST":
        # The API's limit, on the same counter: each submission runs the face gate and may queue
        # a render, and the web form must not be the way around the API's limit.
        rate_limit_hit(request, "api_jobs")
    if request.method == "POST" and form.is_valid():
        try:
            job = job_submit_uploads(
                creator=request.user,
                portrait=form.cleaned_data["portrait"],
                audio=form.cleaned_data["audio"],
                label_corner=form.cleaned_data["label_corner"],
                label_language=form.cleaned_data["label_language"] or page_language,
                channel="web",
            )
        except GateRefused as refused:
            messages.error(request, refused.message)
            return _to_job_page(request, refused.extra["job"])
        except ApplicationError as refused:
            error, code = refused.message, refused.code
        else:
            if job.state == "held":
                messages.warning(
                    request,
                    job_failure_words(job.failure_reason) or _("Your job is held for review."),
                )
            return _to_job_page(request, job.public_id)
    if request.method == "POST" and wants_json(request):
        return JsonResponse(
            {
                "error": {  # the API's error shape (studio/middleware.py), with the fields
                    "code": code,
                    "message": error or _("Please correct what is marked below."),
                    "fields": {name: list(messages_) for name, messages_ in form.errors.items()},
                }
            },
            status=400,
        )
    return render(
        request,
        "studio/job_new.html",
        {"form": form, "error": error, "enrolment": creator_enrolment_status(request.user)},
        status=400 if error or form.errors else 200,
    )


def _to_job_page(request, public_id):
    if wants_json(request):  # the page's script goes there itself; the messages wait for it
        return JsonResponse({"next": reverse("job_detail", args=[public_id])})
    return redirect("job_detail", public_id=public_id)


@login_required
def job_detail(request, public_id):
    job = job_get_for_creator(request.user, public_id)
    return render(
        request, "studio/job_detail.html", {"job": job, "status": job_status_payload(job)}
    )


@login_required
def job_status(request, public_id):
    job = job_get_for_creator(request.user, public_id)
    return JsonResponse(job_status_payload(job))


@login_required
@require_POST
def job_cancel_view(request, public_id):
    job = job_get_for_creator(request.user, public_id)
    job_cancel(job=job, actor=request.user)
    messages.info(
        request, _("Cancellation requested.") if job.state != "cancelled" else _("Job cancelled.")
    )
    return redirect("job_detail", public_id=job.public_id)


@login_required
@require_POST
def job_withdraw_view(request, public_id):
    job = job_get_for_creator(request.user, public_id)
    job_withdraw(job=job, creator=request.user)
    messages.success(request, _("The video is withdrawn."))
    return redirect("job_detail", public_id=job.public_id)
