import random

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safety.consent import CURRENT_VERSION, LANGUAGES, consent_statement, spoken_sentence
from studio.client_address import client_address
from studio.errors import ApplicationError, InputRefused
from studio.rate_limits import rate_limit_hit
from studio.selectors.consent import (
    consent_challenge_spent,
    consent_records_for_creator,
    creator_enrolment_status,
)
from studio.selectors.jobs import consent_revocation_reach
from studio.services.consent import (
    consent_challenge_issue,
    consent_challenge_start,
    consent_grant,
    consent_message,
    consent_revoke,
    identity_enrol,
)


@login_required
@permission_required("studio.submit_job", raise_exception=True)
def enrol(request):
    error = None
    if request.method == "POST":
        # Outside the refusals below: a flood is answered 429 with Retry-After, not 400.
        rate_limit_hit(request, "consent_uploads")
        selfie = request.FILES.get("selfie")
        try:
            if selfie is None:
                raise InputRefused(
                    _("Take a selfie with your camera or choose a photo of yourself.")
                )
            identity_enrol(creator=request.user, selfie=selfie)
        except ApplicationError as refused:
            error = refused.message
            if request.headers.get("Accept") == "application/json":
                return JsonResponse({"error": {"message": error}}, status=400)
        else:
            messages.success(request, _("Your face is enrolled. Now record your consent."))
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
            "revocation": consent_revocation_reach(request.user),
        },
        status=400 if error else 200,
    )


def _session_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


@login_required
@permission_required("studio.submit_job", raise_exception=True)
def consent(request):
    status = creator_enrolment_status(request.user)
    if not status.enrolled:
        messages.warning(request, _("Enrol your face with a selfie first."))
        return redirect("enrol")
    if request.method == "POST":
        rate_limit_hit(request, "consent_uploads")
        wants_json = request.headers.get("Accept") == "application/json"
        try:
            if not request.POST.get("agree"):
                raise InputRefused(_("Tick the box to confirm that you agree to the statement."))
            recording = request.FILES.get("recording")
            if recording is None:
                raise InputRefused(
                    _("Record yourself reading the sentence (camera and microphone on).")
                )
            # The code checked is the one the server issued with this nonce; a "code" field
            # the browser might send is never read.
            record = consent_grant(
                creator=request.user,
                signature_name=request.POST.get("signature_name", ""),
                nonce=request.POST.get("nonce", ""),
                session_key=_session_key(request),
                recording=recording,
                ip_address=client_address(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except ApplicationError as refused:
            if wants_json:
                # A refusal after the challenge was used needs a new recording (the page
                # offers one); a missing name or box does not, the recording still stands.
                spent = consent_challenge_spent(request.user, request.POST.get("nonce", ""))
                return JsonResponse(
                    {"error": {"message": refused.message, "code": refused.code,
                               "record_again": spent}},
                    status=400,
                )  # fmt: skip
            messages.error(request, refused.message)
            return redirect("consent")
        message = consent_message(record)
        if record.lets_jobs_run:
            messages.success(request, message)
        else:
            messages.warning(request, message)
        if wants_json:
            return JsonResponse(
                {"next": reverse("dashboard"), "verification": record.verification,
                 "message": message}
            )
        return redirect("dashboard")
    # The consent sentence is in the page's language unless the creator picks the other one.
    language = request.GET.get("language", get_language())
    if language not in LANGUAGES:
        language = "en"
    # Tests of the whole page (a fake camera playing a recording made for one challenge) fix
    # the challenge with this setting; it does not exist in production settings.
    seed = getattr(settings, "SIGNET_CONSENT_CHALLENGE_SEED", None)
    challenge = consent_challenge_issue(
        creator=request.user,
        session_key=_session_key(request),
        language=language,
        rng=random.Random(seed) if seed is not None else None,
        seeded_code=seed is not None,
    )
    return render(
        request,
        "studio/consent.html",
        {
            "challenge": challenge,
            "code": challenge.code,
            "statement": consent_statement(_("[your full name]"), CURRENT_VERSION, language),
            "spoken": spoken_sentence(challenge.code, CURRENT_VERSION, language),
            "statement_version": CURRENT_VERSION,
            "language": language,
            "status": status,
        },
    )


@login_required
@permission_required("studio.submit_job", raise_exception=True)
@require_POST
def consent_start(request):
    """The page began recording: the server notes the moment and reveals the actions."""
    try:
        challenge = consent_challenge_start(
            creator=request.user,
            nonce=request.POST.get("nonce", ""),
            session_key=_session_key(request),
        )
    except ApplicationError as refused:
        return JsonResponse({"error": {"message": refused.message}}, status=400)
    labels = action_labels()
    return JsonResponse(
        {
            "seconds": challenge.seconds,
            "steps": [
                {"reveal_at": step["reveal_at"], "window": step["window"],
                 "label": labels[step["action"]], "action": step["action"]}
                for step in challenge.steps
            ],
        }
    )


def action_labels() -> dict[str, str]:
    return {
        "turn_left": _("Turn your head to your left, then back"),
        "turn_right": _("Turn your head to your right, then back"),
        "look_up": _("Look up, then back at the camera"),
        "blink_twice": _("Blink twice"),
        "open_mouth": _("Open your mouth wide, then close it"),
    }


@login_required
@require_POST
def consent_revoke_view(request):
    # Revoking cannot be undone and reaches every released video: one stray click or a
    # resent form must not do it. The page's box must be ticked, and the server checks.
    if request.POST.get("confirm") != "yes":
        messages.error(
            request,
            _(
                "Nothing was revoked: tick the box to confirm that you want to revoke your "
                "consent."
            ),
        )
        return redirect("enrol")
    consent_revoke(creator=request.user)
    messages.success(
        request,
        _(
            "Your consent is revoked. Waiting jobs were cancelled and your released videos are "
            "now marked revoked."
        ),
    )
    return redirect("enrol")
