from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safety.consent import (
    CURRENT_VERSION,
    code_is_fresh,
    consent_statement,
    new_one_time_code,
    spoken_sentence,
)
from studio.errors import ApplicationError, InputRefused
from studio.selectors.consent import consent_records_for_creator, creator_enrolment_status
from studio.services.consent import consent_grant, consent_revoke, identity_enrol

SESSION_CODE_KEY = "signet_consent_code"
SESSION_CODE_ISSUED_KEY = "signet_consent_code_issued"


def _session_code(request) -> str:
    """The one-time code shown to this browser, if it is still fresh."""
    code = request.session.get(SESSION_CODE_KEY, "")
    issued = request.session.get(SESSION_CODE_ISSUED_KEY)
    if not code or not issued:
        return ""
    return code if code_is_fresh(datetime.fromisoformat(issued), timezone.now()) else ""


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@login_required
@permission_required("studio.submit_job", raise_exception=True)
def enrol(request):
    error = None
    if request.method == "POST":
        selfie = request.FILES.get("selfie")
        try:
            if selfie is None:
                raise InputRefused("Take a selfie with your camera or choose a photo of yourself.")
            identity_enrol(creator=request.user, selfie=selfie)
        except ApplicationError as refused:
            error = refused.message
            if request.headers.get("Accept") == "application/json":
                return JsonResponse({"error": {"message": error}}, status=400)
        else:
            messages.success(request, "Your face is enrolled. Now record your consent.")
            if request.headers.get("Accept") == "application/json":
                return JsonResponse({"next": reverse("consent")})
            return redirect("consent")
    return render(
        request,
        "studio/enrol.html",
        {
            "error": error,
            "status": creator_enrolment_status(request.user),
            "records": consent_records_for_creator(request.user)[:10],
        },
        status=400 if error else 200,
    )


@login_required
@permission_required("studio.submit_job", raise_exception=True)
def consent(request):
    status = creator_enrolment_status(request.user)
    if not status.enrolled:
        messages.warning(request, "Enrol your face with a selfie first.")
        return redirect("enrol")
    if request.method == "POST":
        code = _session_code(request)
        wants_json = request.headers.get("Accept") == "application/json"
        try:
            if not request.POST.get("agree"):
                raise InputRefused("Tick the box to confirm that you agree to the statement.")
            recording = request.FILES.get("recording")
            if recording is None:
                raise InputRefused(
                    "Record yourself reading the statement (camera and microphone on)."
                )
            if not code:
                raise InputRefused("Your one-time code expired. Reload the page to get a new one.")
            consent_grant(
                creator=request.user,
                signature_name=request.POST.get("signature_name", ""),
                one_time_code=code,
                recording=recording,
                ip_address=_client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except ApplicationError as refused:
            if wants_json:
                return JsonResponse({"error": {"message": refused.message}}, status=400)
            messages.error(request, refused.message)
            return redirect("consent")
        request.session.pop(SESSION_CODE_KEY, None)
        request.session.pop(SESSION_CODE_ISSUED_KEY, None)
        messages.success(request, "Thank you: your consent is recorded. You can now make videos.")
        if wants_json:
            return JsonResponse({"next": reverse("dashboard")})
        return redirect("dashboard")
    code = new_one_time_code()
    request.session[SESSION_CODE_KEY] = code
    request.session[SESSION_CODE_ISSUED_KEY] = timezone.now().isoformat()
    return render(
        request,
        "studio/consent.html",
        {
            "code": code,
            "statement": consent_statement("[your full name]", CURRENT_VERSION),
            "spoken": spoken_sentence(code, CURRENT_VERSION),
            "statement_version": CURRENT_VERSION,
        },
    )


@login_required
@require_POST
def consent_revoke_view(request):
    consent_revoke(creator=request.user)
    messages.success(
        request,
        "Your consent is revoked. Waiting jobs were cancelled and your released videos are now marked revoked.",
    )
    return redirect("enrol")
