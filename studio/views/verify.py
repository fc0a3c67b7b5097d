import json

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from studio.errors import ApplicationError, InputRefused, NotFound
from studio.models import OutputArtifact
from studio.rate_limits import rate_limit_hit, rate_limited
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


@csrf_exempt
@require_POST
def api_matches_by_binding(request):
    """C2PA soft-binding resolution: watermark (alg, value) -> manifest IDs."""
    rate_limit_hit(request, "lookup")
    try:
        body = json.loads(request.body or b"{}")
        alg, value = body["alg"], body["value"]
    except (ValueError, KeyError, TypeError) as error:
        raise InputRefused('Send JSON like {"alg": "...", "value": "..."}.') from error
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value) if value >= 0 else "-"
    if not isinstance(alg, str) or not 0 < len(alg) <= MAX_BINDING_ALG_CHARS:
        raise InputRefused(f"`alg` must be a name of at most {MAX_BINDING_ALG_CHARS} characters.")
    if not (
        isinstance(value, str)
        and 0 < len(value) <= MAX_BINDING_VALUE_DIGITS
        and value.isascii()
        and value.isdigit()
    ):
        raise InputRefused(
            f"`value` must be a watermark ID: at most {MAX_BINDING_VALUE_DIGITS} decimal digits."
        )
    matches = []
    if int(value) < 2**63:
        matches = list(
            OutputArtifact.objects.filter(watermark_alg=alg, watermark_id=int(value)).values_list(
                "manifest_id", flat=True
            )
        )
    return JsonResponse({"matches": [{"manifestId": manifest_id} for manifest_id in matches]})


@require_GET
@rate_limited("lookup")
def api_manifest(request, manifest_id: str):
    artifact = OutputArtifact.objects.filter(manifest_id=manifest_id).first()
    if artifact is None:
        raise NotFound("No manifest with this ID.")
    return JsonResponse(
        {
            "manifestId": artifact.manifest_id,
            "manifest": artifact.manifest,
            "status": artifact.status,
        }
    )
