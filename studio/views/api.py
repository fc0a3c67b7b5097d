"""The creators' JSON API: the same services as the pages, behind a personal token."""

from functools import wraps

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from studio.errors import ApplicationError, InputRefused, NotAllowed
from studio.models import ApiToken
from studio.rate_limits import rate_limit_hit, rate_limited
from studio.roles import is_creator
from studio.selectors.jobs import job_get_for_creator, job_status_payload
from studio.services.jobs import job_cancel, job_submit_uploads


class Unauthenticated(ApplicationError):
    status = 401
    code = "unauthenticated"


def token_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or len(header) > 200:
            raise Unauthenticated("Send your API token as `Authorization: Bearer <token>`.")
        token = (
            ApiToken.objects.select_related("creator")
            .filter(key_sha256=ApiToken.hash_key(header.removeprefix("Bearer ").strip()))
            .first()
        )
        if token is None or not token.creator.is_active:
            # Guessing tokens: every wrong one counts against the client's address.
            rate_limit_hit(request, "api_token_failure")
            raise Unauthenticated("This API token is not valid.")
        request.user = token.creator
        return view(request, *args, **kwargs)

    return wrapped


@csrf_exempt
@require_POST
@rate_limited("api_jobs")
@token_required
def api_jobs_create(request):
    if not is_creator(request.user):
        raise NotAllowed("Only creators can make videos.")
    portrait, audio = request.FILES.get("portrait"), request.FILES.get("audio")
    if portrait is None or audio is None:
        raise InputRefused("Send the multipart fields `portrait` and `audio`.")
    job = job_submit_uploads(
        creator=request.user,
        portrait=portrait,
        audio=audio,
        label_corner=request.POST.get("label_corner", "bottom-right"),
        channel="api",
    )
    return JsonResponse(job_status_payload(job), status=202)


@require_GET
@token_required
def api_job_detail(request, public_id):
    return JsonResponse(job_status_payload(job_get_for_creator(request.user, public_id)))


@csrf_exempt
@require_POST
@token_required
def api_job_cancel(request, public_id):
    job = job_cancel(job=job_get_for_creator(request.user, public_id), actor=request.user)
    return JsonResponse(job_status_payload(job))
