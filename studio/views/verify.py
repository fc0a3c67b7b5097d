import json

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from studio.errors import ApplicationError, InputRefused
from studio.rate_limits import rate_limit_hit
from studio.services.reports import misuse_report_file, report_token_for
from studio.services.verification import verify_upload

# A watermark ID is a small non-negative integer; an algorithm name is a short token.
MAX_BINDING_VALUE_DIGITS = 19  # the ID column is a signed 64-bit integer
MAX_BINDING_ALG_CHARS = 100


def _verify_request(request) -> dict:
    rate_limit_hit(
        request,
        "verify",
        message="Too many verification requests from your address. Please wait a minute.",
    )
    upload = request.FILES.get("file")
    if upload is None:
        raise InputRefused("Send the file to check in the multipart field `file`.")
    result = verify_upload(upload)
    if result["record"]:
        result["report_token"] = report_token_for(result["record"]["id"])
    return result


def verify_page(request):
    result, error = None, None
    if request.method == "POST":
        try:
            result = _verify_request(request)
        except ApplicationError as refused:
            error = refused.message
    return render(
        request,
        "verify/verify.html",
        {
            "result": result,
            "error": error,
            "result_json": json.dumps(result, indent=2) if result else "",
        },
        status=400 if error else 200,
    )


@csrf_exempt
@require_POST
def api_verify(request):
    return JsonResponse(_verify_request(request))


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
