"""The C2PA Soft Binding Resolution API (tests/fixtures/c2pa-original-soft-binding.json), served
under /api/v1: matches/byBinding (GET with a base64 value, POST for long ones), matches/byContent
(POST the asset itself), manifests/{manifestId} (the manifest store), services/supportedAlgorithms.
"""

import json
import shutil
import tempfile
from pathlib import Path

import yaml
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safety.provenance.store import MEDIA_TYPE as MANIFEST_STORE_TYPE
from studio.errors import ApplicationError, InputRefused, NotFound
from studio.models import OutputArtifact
from studio.rate_limits import rate_limit_hit
from studio.selectors import soft_binding as selectors
from studio.services.uploads import upload_chunks

ASSET_TYPES = ("image/", "audio/", "video/", "application/", "model/", "text/")
_MAX_VALUE_CHARS = 4096


class UnsupportedAsset(ApplicationError):
    status = 415
    code = "unsupported_asset"


def _only_parameters(request, *allowed: str, error=InputRefused) -> None:
    """Refuse query parameters the specification does not define (a misspelt one is a mistake
    the caller should hear about, not a silently ignored filter)."""
    unknown = sorted(set(request.GET) - set(allowed))
    if unknown:
        raise error(_("Unknown query parameter(s): %(names)s.") % {"names": ", ".join(unknown)})


def _max_results(request, error=InputRefused) -> int:
    raw = request.GET.get("maxResults", "10")
    try:
        value = int(raw)
    except ValueError:
        raise error("maxResults must be a whole number of at least 1.") from None
    if value < 1:
        raise error("maxResults must be a whole number of at least 1.")
    return min(value, 100)


def _matches(found) -> JsonResponse:
    return JsonResponse({"matches": [match.as_dict() for match in found]})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def matches_by_binding(request):
    """Watermark (alg, base64 value) -> manifest IDs."""
    rate_limit_hit(request, "lookup")
    if request.method == "GET":
        _only_parameters(request, "alg", "value", "maxResults")
    else:
        _only_parameters(request, "maxResults")
    max_results = _max_results(request)
    if request.method == "GET":
        alg, value = request.GET.get("alg"), request.GET.get("value")
        if alg is None or value is None:
            raise InputRefused(_("Send the query parameters `alg` and `value` (base64)."))
    else:
        try:
            body = json.loads(request.body or b"{}")
            alg, value = body["alg"], body["value"]
        except (ValueError, KeyError, TypeError) as error:
            raise InputRefused('Send JSON like {"alg": "...", "value": "<base64>"}.') from error
        if not isinstance(alg, str) or not isinstance(value, str):
            raise InputRefused("`alg` and `value` must be strings.")
    # The specification accepts any strings here: an unknown algorithm or a value that names no
    # watermark is answered with no matches (never a 500); only an oversized value is refused.
    if len(value) > _MAX_VALUE_CHARS:
        raise InputRefused(_("The value is too long."))
    return _matches(selectors.matches_by_binding(alg, value, max_results))


@csrf_exempt
@require_POST
def matches_by_content(request):
    """The asset itself (raw body with its media type, or multipart field `file`) -> manifest IDs:
    by its video or audio watermark, else by its content fingerprint."""
    rate_limit_hit(request, "verify")
    # The specification documents only 200, 415 and 500 for byContent: a malformed query is
    # refused with 415 too.
    _only_parameters(request, "alg", "maxResults", "hintAlg", "hintValue", error=UnsupportedAsset)
    max_results = _max_results(request, error=UnsupportedAsset)
    content_type = request.content_type or ""
    folder = Path(tempfile.mkdtemp(prefix="signet-bycontent-"))
    try:
        path = folder / "asset.bin"
        if content_type == "multipart/form-data" and "file" in request.FILES:
            with path.open("wb") as out:
                for chunk in upload_chunks(request.FILES["file"]):
                    out.write(chunk)
        elif content_type.startswith(ASSET_TYPES):
            if len(request.body) > settings.SIGNET_VERIFY_MAX_BYTES:
                raise UnsupportedAsset(_("The asset is too large."))
            _check_text_asset(content_type, request.body)
            path.write_bytes(request.body)
        else:
            raise UnsupportedAsset(_("Send the asset as the body with its media type."))
        # An asset of a listed type that Signet cannot decode (a text, an empty or corrupt file)
        # matches nothing Signet made: an empty answer, not an error.
        try:
            found = selectors.matches_by_content(path, max_results) if path.stat().st_size else []
        except selectors.UnreadableAsset:
            found = []
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return _matches(found)


def _check_text_asset(content_type: str, body: bytes) -> None:
    """The specification describes a text/* asset as a string: a JSON- or YAML-typed text asset
    (text/json, text/yaml, text/x-yaml...) must then be a string in that language, not an
    object, a number or a boolean."""
    if not content_type.startswith("text/"):
        return
    if content_type.endswith("json"):
        try:
            value = json.loads(body or b'""')
        except ValueError:
            raise UnsupportedAsset(_("This text asset is not valid JSON.")) from None
        if not isinstance(value, str):
            raise UnsupportedAsset(_("A JSON text asset must be a string."))
    elif content_type.endswith(("yaml", "yml")):
        try:
            value = yaml.safe_load(body or b'""')
        except yaml.YAMLError:
            raise UnsupportedAsset(_("This text asset is not valid YAML.")) from None
        if not isinstance(value, str):
            raise UnsupportedAsset(_("A YAML text asset must be a string."))


def _wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return request.GET.get("format") == "json" or (
        "application/json" in accept and MANIFEST_STORE_TYPE not in accept
    )


@csrf_exempt
@require_GET
def manifest(request, manifest_id: str):
    """The manifest store (application/c2pa); Signet's JSON summary with Accept: application/json
    (what this URL answered before it followed the specification)."""
    rate_limit_hit(request, "lookup")
    _only_parameters(request, "returnActiveManifest", "format")
    if _wants_json(request):
        artifact = OutputArtifact.objects.filter(manifest_id=manifest_id).first()
        if artifact is None:
            raise NotFound(_("No manifest with this ID."))
        return JsonResponse(
            {
                "manifestId": artifact.manifest_id,
                "manifest": artifact.manifest,
                "status": artifact.status,
            }
        )
    store = selectors.manifest_store_for(manifest_id)
    if store is None:
        raise NotFound(_("No manifest with this ID."))
    return HttpResponse(store, content_type=MANIFEST_STORE_TYPE)


@csrf_exempt
@require_GET
def supported_algorithms(request):
    _only_parameters(request)
    return JsonResponse(selectors.supported_algorithms())
