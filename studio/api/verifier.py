"""The public verifier: check a file, resolve a watermark to manifests (C2PA soft binding)."""

import re

from ninja import File, Router, UploadedFile

from studio.api.schemas import ERRORS, BindingIn, ManifestOut, MatchesOut, VerifyOut
from studio.errors import NotFound
from studio.models import OutputArtifact
from studio.services.verification import verify_rate_limit
from studio.views.verify import client_key, verify_request

router = Router(tags=["verify"])
_DECIMAL_ID = re.compile(r"[0-9]{1,19}")


@router.post("/verify", response={200: VerifyOut, **ERRORS}, summary="Check a video or image")
def verify(request, file: File[UploadedFile]):
    """C2PA manifest, invisible watermark and Signet's record; never names the creator."""
    return verify_request(request, file, channel="api")


@router.post(
    "/matches/byBinding", response={200: MatchesOut, **ERRORS}, summary="Manifests for a watermark"
)
def matches_by_binding(request, binding: BindingIn):
    verify_rate_limit(client_key(request))
    matches = []
    # ASCII digits only ("³".isdigit() is true) within a 63-bit id; no NUL, which PostgreSQL refuses.
    if (
        _DECIMAL_ID.fullmatch(binding.value)
        and int(binding.value) < 2**63
        and "\x00" not in binding.alg
    ):
        matches = list(
            OutputArtifact.objects.filter(
                watermark_alg=binding.alg, watermark_id=int(binding.value)
            ).values_list("manifest_id", flat=True)
        )
    return {"matches": [{"manifestId": manifest_id} for manifest_id in matches]}


@router.get(
    "/manifests/{path:manifest_id}", response={200: ManifestOut, **ERRORS}, summary="A manifest"
)
def manifest(request, manifest_id: str):
    artifact = OutputArtifact.objects.filter(manifest_id=manifest_id).first()
    if artifact is None:
        raise NotFound("No manifest with this ID.")
    return {
        "manifestId": artifact.manifest_id,
        "manifest": artifact.manifest,
        "status": artifact.status,
    }
