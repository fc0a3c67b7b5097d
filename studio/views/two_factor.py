"""Confirming a moderator's or staff member's login with a TOTP code, and enrolling by a link."""

import segno
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from studio.errors import ApplicationError
from studio.rate_limits import rate_limit_hit
from studio.services.two_factor import (
    has_confirmed_device,
    two_factor_enrol_confirm,
    two_factor_enrolment_device,
    two_factor_verify,
)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/moderation/"


@login_required
def two_factor_verify_view(request):
    error = None
    if request.method == "POST":
        rate_limit_hit(request, "login")
        try:
            two_factor_verify(request=request, code=request.POST.get("code", ""))
            return redirect(_next_url(request))
        except ApplicationError as refused:
            error = refused.message
    return render(
        request,
        "registration/two_factor_verify.html",
        {
            "error": error,
            "has_device": has_confirmed_device(request.user),
            "next": _next_url(request),
        },
        status=400 if error else 200,
    )


@login_required
def two_factor_enrol_view(request, token: str):
    try:
        device = two_factor_enrolment_device(user=request.user, token=token)
    except ApplicationError as refused:
        return render(request, "error.html", {"message": refused.message}, status=refused.status)
    error = None
    if request.method == "POST":
        rate_limit_hit(request, "login")
        try:
            two_factor_enrol_confirm(
                request=request, token=token, code=request.POST.get("code", "")
            )
            return redirect("/moderation/")
        except ApplicationError as refused:
            error = refused.message
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "error": error,
            "qr_data_uri": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
            "secret": device.config_url.split("secret=", 1)[1].split("&", 1)[0],
        },
        status=400 if error else 200,
    )
