import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from studio.errors import ApplicationError, NotFound
from studio.face_backend import identity_thresholds
from studio.models import EnrolledIdentity, ModerationCase
from studio.selectors.moderation import (
    case_counts,
    case_get_for_moderator,
    case_job_history,
    cases_queue,
)
from studio.services.audit import audit_record_viewing
from studio.services.moderation import case_can_be_approved, case_claim, case_decide, gallery_add
from studio.stored_files import stored_file_response
from studio.views.audit_display import audit_event_rows

# What the moderator chooses, said as the action it takes.
DECISION_ACTIONS = [
    ("approve", gettext_lazy("Approve: render or release it")),
    ("reject", gettext_lazy("Reject it (the creator sees your reason)")),
    ("ban", gettext_lazy("Reject and ban the creator")),
    ("gallery", gettext_lazy("Reject and add this face to the do-not-animate gallery")),
    ("dismiss", gettext_lazy("Dismiss the case, change nothing")),
]


@login_required
def queue(request):
    reason = request.GET.get("reason", "")
    state = request.GET.get("state", "")
    cases = cases_queue(request.user, reason=reason, state=state)
    return render(
        request,
        "moderation/queue.html",
        {
            "cases": cases[:200],
            "counts": case_counts(request.user),
            "reasons": ModerationCase.Reason.choices,
            "states": ModerationCase.State.choices,
            "reason": reason,
            "state": state,
        },
    )


@login_required
def case_detail(request, public_id):
    case = case_get_for_moderator(request.user, public_id)
    job = case.job
    consent = case.consent or (job.consent if job else None)
    person = job.creator if job else (consent.creator if consent else None)
    identity = EnrolledIdentity.objects.filter(creator=person).first() if person else None
    thresholds = identity_thresholds()
    report = (job.gate_report or {}) if job else {}
    distance, distance_kind = (
        (report["distance"], _("to the enrolled selfie"))
        if "distance" in report
        else (report.get("gallery_distance"), _("to a do-not-animate entry"))
    )
    return render(
        request,
        "moderation/case.html",
        {
            "case": case,
            "job": job,
            "identity": identity,
            "consent": consent,
            "output": getattr(job, "output", None) if job else None,
            "history": audit_event_rows(case_job_history(case)),
            "reports": case.reports.all(),
            "thresholds": thresholds,
            "distance": distance,
            "distance_kind": distance_kind,
            "decisions": [
                (value, label)
                for value, label in DECISION_ACTIONS
                if value != "approve" or case_can_be_approved(case)
            ],
            "claimed_by_me": case.claimed_by_id == request.user.pk,
        },
    )


@login_required
@require_POST
def case_claim_view(request, public_id):
    case = case_get_for_moderator(request.user, public_id)
    try:
        case_claim(case=case, moderator=request.user)
    except ApplicationError as refused:
        messages.error(request, refused.message)
    return redirect("moderation_case", public_id=public_id)


@login_required
@require_POST
def case_decide_view(request, public_id):
    case = case_get_for_moderator(request.user, public_id)
    try:
        case_decide(
            case=case,
            moderator=request.user,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
        )
    except ApplicationError as refused:
        messages.error(request, refused.message)
        return redirect("moderation_case", public_id=public_id)
    messages.success(request, _("Decision recorded."))
    return redirect("moderation_queue")


@login_required
def case_evidence(request, public_id, kind: str):
    """The inputs a decision needs (selfie, portrait, consent recording), for moderators only."""
    case = case_get_for_moderator(request.user, public_id)
    job = case.job
    consent = case.consent or (job.consent if job else None)
    person = job.creator if job else (consent.creator if consent else None)
    files = {
        "portrait": job.portrait.image if job and job.portrait else None,
        "selfie": getattr(EnrolledIdentity.objects.filter(creator=person).first(), "selfie", None)
        if person
        else None,
        "recording": consent.recording if consent else None,
    }
    field = files.get(kind)
    if not field:
        raise NotFound(
            _("This evidence is not available (it may have been deleted with the account).")
        )
    audit_record_viewing(
        "case.evidence_viewed", actor=request.user, subject=case, details={"kind": kind}
    )
    content_type = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    return stored_file_response(
        request, field, content_type, f"{kind}{field.name[field.name.rfind('.') :]}"
    )


@login_required
def gallery(request):
    if request.method == "POST":
        try:
            gallery_add(
                moderator=request.user,
                label=request.POST.get("label", ""),
                photo=request.FILES.get("photo"),
            )
        except ApplicationError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Added to the do-not-animate gallery."))
        return redirect("moderation_gallery")
    from studio.models import DoNotAnimateEntry

    cases_queue(request.user)  # the same moderator check as the queue
    return render(
        request,
        "moderation/gallery.html",
        {"entries": DoNotAnimateEntry.objects.order_by("-created_at")},
    )
