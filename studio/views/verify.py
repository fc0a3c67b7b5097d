import json
import time
from datetime import date
from pathlib import Path

from django.shortcuts import render
from django.utils.translation import gettext as _

from studio.errors import ApplicationError, InputRefused
from studio.observability.metrics import verify_observe
from studio.rate_limits import rate_limit_hit
from studio.services.reports import misuse_report_file, report_token_for
from studio.services.verification import verify_upload
from studio.views.verify_words import status_words, verdict_words


def verify_request(request, upload, *, channel: str) -> dict:
    """What the page and the API share: rate limit, check, report token, metrics."""
    rate_limit_hit(
        request,
        "verify",
        message=_("Too many verification requests from your address. Please wait a minute."),
    )
    if upload is None:
        raise InputRefused(
            _("Send the file to check in the multipart field `file`."), extra={"fields": ["file"]}
        )
    started = time.perf_counter()
    result = None
    try:
        result = verify_upload(upload)
    finally:
        verify_observe(channel=channel, seconds=time.perf_counter() - started, result=result)
    if result["record"]:
        result["report_token"] = report_token_for(result["record"]["id"])
    result["file_name"] = Path(getattr(upload, "name", "") or "").name
    return result


def verify_page(request):
    result, error, status, retry_after = None, None, 200, None
    if request.method == "POST":
        try:
            result = verify_request(request, request.FILES.get("file"), channel="page")
        except ApplicationError as refused:
            # The refusal's own status: a flood is 429 and a full pool 503, each with
            # Retry-After, as the API answers them; only a bad file is the visitor's 400.
            error, status = refused.message, refused.status
            retry_after = getattr(refused, "retry_after", None)
    response = render(
        request,
        "verify/verify.html",
        {
            "result": result,
            "error": error,
            "result_json": json.dumps(result, indent=2) if result else "",
            "verdict": verdict_words(result) if result else "",
            "record_status": status_words(result["record"]["status"])
            if result and result.get("record")
            else "",
            # The answer carries an ISO date for machines; the page says it the reader's way.
            "record_created": date.fromisoformat(result["record"]["created"])
            if result and result.get("record")
            else None,
        },
        status=status,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def report_page(request):
    if request.method != "POST":
        return render(request, "verify/report.html", {"token": request.GET.get("token", "")})
    rate_limit_hit(request, "report")
    try:
        misuse_report_file(
            token=request.POST.get("token", ""),
            message=request.POST.get("message", ""),
            contact=request.POST.get("contact", ""),
        )
    except ApplicationError as refused:
        return render(
            request,
            "verify/report.html",
            {"token": request.POST.get("token", ""), "error": refused.message},
            status=400,
        )
    return render(request, "verify/report.html", {"done": True})
