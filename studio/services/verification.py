"""Public verification: what a file's manifest and watermark say, and what Signet knows of it.

The answer names no person: the creator appears only as a pseudonymous handle.
"""

import shutil
import tempfile
from pathlib import Path

from django.conf import settings

from safety.provenance.reading import read_manifest
from safety.watermark import WatermarkReadError, read_watermark_from_file
from studio.errors import InputRefused
from studio.models import OutputArtifact
from studio.provenance_config import trust_anchors_pem, watermark_codec
from studio.services.uploads import Upload, upload_chunks, upload_size

SNIFFED_TYPES = (
    (lambda head: head[4:8] == b"ftyp", "video/mp4"),
    (lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"), "image/png"),
    (lambda head: head.startswith(b"\xff\xd8\xff"), "image/jpeg"),
    (lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP", "image/webp"),
    (lambda head: head.startswith(b"\x1a\x45\xdf\xa3"), "video/webm"),
)
STATUS_WORDS = {
    "released": "released by its creator",
    "under_review": "under review by Signet's moderators",
    "rejected": "rejected by Signet's moderators",
    "revoked": "revoked: its creator withdrew consent or Signet withdrew it",
}


def sniff_media_type(head: bytes) -> str | None:
    for matches, media_type in SNIFFED_TYPES:
        if matches(head):
            return media_type
    return None


def _record_payload(artifact: OutputArtifact | None) -> dict | None:
    if artifact is None:
        return None
    return {
        "id": str(artifact.public_id),
        "status": artifact.status,
        "status_explained": STATUS_WORDS.get(artifact.status, artifact.status),
        "created": artifact.published_at.date().isoformat(),
        "creator": artifact.creator_handle,
        "manifest_id": artifact.manifest_id,
    }


def _artifact_from_manifest(report) -> OutputArtifact | None:
    # Only a manifest that is intact AND signed by a certificate we trust may name a record:
    # anyone can paste in a copied manifest or sign one of their own that claims our IDs.
    if not (report.present and report.valid and report.trusted):
        return None
    if report.manifest_id:
        found = OutputArtifact.objects.filter(manifest_id=report.manifest_id).first()
        if found:
            return found
    generation_id = (report.signet_assertion or {}).get("generation_id")
    if generation_id:
        return OutputArtifact.objects.filter(job__public_id=generation_id).first()
    return None


def _verdict(manifest, record) -> tuple[str, str]:
    """One line for the public. `record` was found by a trusted manifest or by the watermark."""
    status_tail = f" Signet's record says it is {STATUS_WORDS[record['status']]}." if record else ""
    if manifest.present and not manifest.valid and manifest.state != "Unreadable":
        if record:
            return "tampered", (
                "Tampered: this file was changed after it was signed. "
                "Its invisible watermark still leads to a Signet record." + status_tail
            )
        return (
            "tampered",
            "Tampered: this file carries a C2PA manifest that does not match its content.",
        )
    if manifest.present and manifest.valid and manifest.trusted and record:
        return "signed", "Made with Signet, signed and unaltered." + status_tail
    if manifest.present and manifest.valid and record:
        return "re_signed", (
            "Made with Signet (its invisible watermark identifies it), but its Content Credentials "
            "were signed by someone this verifier does not trust." + status_tail
        )
    if manifest.present and manifest.valid:
        return (
            "signed_elsewhere",
            "This file has valid Content Credentials, but not from a Signet record.",
        )
    if record:
        return "watermark_only", (
            "Made with Signet: the signed manifest was stripped (for example by "
            "re-encoding), but the invisible watermark identifies it." + status_tail
        )
    return (
        "no_provenance",
        "No Signet provenance: no Signet manifest or watermark was found in this file.",
    )


def verify_path(path: Path, media_type: str) -> dict:
    manifest = read_manifest(
        path,
        media_type=media_type if media_type != "video/webm" else None,
        trust_anchors_pem=trust_anchors_pem(),
    )
    try:
        watermark = read_watermark_from_file(path, watermark_codec())
    except WatermarkReadError as error:
        if not manifest.present:
            raise InputRefused(
                "This file could not be decoded as a video or image: it may be truncated or corrupt."
            ) from error
        watermark = None
    artifact = _artifact_from_manifest(manifest)
    if artifact is None and watermark is not None and watermark.found:
        artifact = OutputArtifact.objects.filter(watermark_id=watermark.payload_id).first()
    record = _record_payload(artifact)
    verdict_code, verdict = _verdict(manifest, record)
    manifest_dict = manifest.to_dict()
    return {
        "verdict": verdict,
        "verdict_code": verdict_code,
        "c2pa": manifest_dict,
        "watermark": {
            "found": bool(watermark and watermark.found),
            "id": watermark.payload_id if watermark and watermark.found else None,
            "confidence": round(float(watermark.confidence), 4) if watermark else 0.0,
            "frames_read": watermark.frames_read if watermark else 0,
            "algorithm": watermark_codec().name,
        },
        "record": record,
    }


def verify_upload(upload: Upload) -> dict:
    """Check an uploaded file; refuse what is too big or not a supported type, with a message."""
    size = upload_size(upload)
    if not size:
        raise InputRefused("The file is empty.")
    if size > settings.SIGNET_VERIFY_MAX_BYTES:
        raise InputRefused(
            f"The file is larger than {settings.SIGNET_VERIFY_MAX_BYTES // (1024 * 1024)} MB."
        )
    folder = Path(tempfile.mkdtemp(prefix="signet-verify-"))
    try:
        path = folder / "upload.bin"
        with path.open("wb") as out:
            for chunk in upload_chunks(upload):
                out.write(chunk)
        with path.open("rb") as handle:
            media_type = sniff_media_type(handle.read(16))
        if media_type is None:
            raise InputRefused(
                "This is not a file type Signet can check. Upload an MP4 or WebM video, or a PNG, JPEG or WebP image."
            )
        result = verify_path(path, media_type)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return result
