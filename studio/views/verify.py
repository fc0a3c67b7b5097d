import json

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from studio.errors import ApplicationError, InputRefused
from studio.services.reports import misuse_report_file, report_token_for
from studio.services.verification import verify_rate_limit, verify_upload


def _client_key(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def _verify_request(request) -> dict:
    verify_rate_limit(_client_key(request))
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
