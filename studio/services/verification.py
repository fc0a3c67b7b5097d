"""Public verification: what a file's manifest and watermark say, and what Signet knows of it.

The answer names no person: the creator appears only as a pseudonymous handle.

Fast path, cheapest first: the C2PA manifest (milliseconds); then the watermark
(safety.watermark.bounded): a probe of a bounded, evenly spread sample of frames decoded at the
size Signet renders at (a Signet video upscaled for a platform is shrunk back), looking only
where the mark most likely lies (the sealed file, a re-encode, a resize); the full search (every
scale, crop, turn and mirror, more frames at up to twice that size) only when the probe found
nothing. A file whose trusted manifest binds its bytes is confirmed by the probe. What a
file's bytes say is cached by its SHA-256, so the same file checked again costs a hash; Signet's
record for it is looked up afresh every time. The CPU work runs in a bounded pool
(services.verify_pool): a crowd gets 503 + Retry-After, not timeouts.
"""

import hashlib
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from generation.media.errors import MediaError
from safety.audio_watermark import AudioWatermarkReading, read_audio_watermark_or_none
from safety.provenance.reading import ManifestReport, read_manifest
from safety.watermark import WatermarkReadError, WatermarkReading
from safety.watermark.bounded import (
    read_still_watermark_bounded,
    read_video_watermark_bounded,
)
from studio.errors import InputRefused
from studio.models import OutputArtifact
from studio.provenance_config import audio_watermark, trust_anchors_pem, watermark_codec
from studio.services.uploads import Upload, upload_chunks, upload_size
from studio.services.verify_pool import verify_pool

SNIFFED_TYPES = (
    (lambda head: head[4:8] == b"ftyp", "video/mp4"),
    (lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"), "image/png"),
    (lambda head: head.startswith(b"\xff\xd8\xff"), "image/jpeg"),
    (lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP", "image/webp"),
    (lambda head: head.startswith(b"\x1a\x45\xdf\xa3"), "video/webm"),
    # Sound alone (the audio mark is read when a voice track is reused without the video).
    (lambda head: head[:4] == b"RIFF" and head[8:12] == b"WAVE", "audio/wav"),
    (lambda head: head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3"), "audio/mpeg"),
    (lambda head: head.startswith(b"OggS"), "audio/ogg"),
    (lambda head: head.startswith(b"fLaC"), "audio/flac"),
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
    try:
        job_id = uuid.UUID(str(generation_id)) if generation_id else None
    except ValueError:
        job_id = None  # a trusted signer's manifest that names no job of ours
    if job_id:
        return OutputArtifact.objects.filter(job__public_id=job_id).first()
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


@dataclass(frozen=True)
class FileAnalysis:
    """What a file's bytes say (cacheable by their hash): its manifest and watermark reading."""

    manifest: ManifestReport
    watermark: WatermarkReading | None  # None: no frame could be decoded
    heavy_search: bool  # the quick read found nothing and the full read ran
    audio_mark: AudioWatermarkReading | None  # None: no decodable sound track


def file_analyse(path: Path, media_type: str) -> FileAnalysis:
    manifest = read_manifest(
        path,
        media_type=media_type if media_type in ("video/mp4", "image/png", "image/jpeg") else None,
        trust_anchors_pem=trust_anchors_pem(),
    )
    codec = watermark_codec()
    audio_mark = None
    try:
        if media_type.startswith("image/"):
            still = read_still_watermark_bounded(
                path, codec, render_side=settings.SIGNET_RENDER_SIZE
            )
            return FileAnalysis(manifest, still.reading, still.heavy_search, None)
        audio_mark = read_audio_watermark_or_none(path, audio_watermark())
        if media_type.startswith("audio/"):
            if audio_mark is None and not manifest.present:
                raise InputRefused(
                    _("This file could not be decoded as a sound: it may be truncated or corrupt.")
                )
            return FileAnalysis(manifest, None, False, audio_mark)
        video = read_video_watermark_bounded(path, codec, render_side=settings.SIGNET_RENDER_SIZE)
        return FileAnalysis(manifest, video.reading, video.heavy_search, audio_mark)
    except (MediaError, WatermarkReadError) as error:
        # An M4A sniffs as MP4 and has no picture: its sound may still carry the mark.
        if not manifest.present and audio_mark is None:
            raise InputRefused(
                _(
                    "This file could not be decoded as a video, image or sound: "
                    "it may be truncated or corrupt."
                )
            ) from error
        return FileAnalysis(manifest, None, False, audio_mark)


def _analysis_cache_key(sha256: str) -> str:
    # The codec and the trusted roots are part of what the bytes "say".
    context = hashlib.sha256(
        (watermark_codec().name + (trust_anchors_pem() or "")).encode()
    ).hexdigest()[:16]
    return f"verify-analysis:v2:{context}:{sha256}"


def file_analysis_cached(path: Path, media_type: str, sha256: str) -> FileAnalysis:
    """The analysis of these bytes from the cache, or computed in the bounded pool and cached."""
    key = _analysis_cache_key(sha256)
    found = cache.get(key)
    if isinstance(found, FileAnalysis):
        return found
    with verify_pool().slot():
        # Asked again once a slot is free: the same file may have been analysed while this
        # request waited (a crowd checking one viral clip costs one analysis, not one each).
        found = cache.get(key)
        if isinstance(found, FileAnalysis):
            return found
        analysis = file_analyse(path, media_type)
    cache.set(key, analysis, timeout=settings.SIGNET_VERIFY_CACHE_SECONDS)
    return analysis


def verify_path(path: Path, media_type: str, *, sha256: str | None = None) -> dict:
    if sha256 is None:
        with verify_pool().slot():
            analysis = file_analyse(path, media_type)
    else:
        analysis = file_analysis_cached(path, media_type, sha256)
    manifest, watermark = analysis.manifest, analysis.watermark
    audio_mark = analysis.audio_mark
    artifact = _artifact_from_manifest(manifest)
    for mark in (watermark, audio_mark):
        if artifact is None and mark is not None and mark.found:
            artifact = OutputArtifact.objects.filter(watermark_id=mark.payload_id).first()
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
            "full_search": analysis.heavy_search,
        },
        "audio_watermark": {
            "found": bool(audio_mark and audio_mark.found),
            "id": audio_mark.payload_id if audio_mark and audio_mark.found else None,
            "algorithm": audio_watermark().name,
            "checked": audio_mark is not None,
        },
        "record": record,
    }


def verify_upload(upload: Upload) -> dict:
    """Check an uploaded file; refuse what is too big or not a supported type, with a message."""
    size = upload_size(upload)
    if not size:
        raise InputRefused(_("The file is empty."))
    if size > settings.SIGNET_VERIFY_MAX_BYTES:
        raise InputRefused(
            _("The file is larger than %(megabytes)d MB.")
            % {"megabytes": settings.SIGNET_VERIFY_MAX_BYTES // (1024 * 1024)}
        )
    folder = Path(tempfile.mkdtemp(prefix="signet-verify-"))
    try:
        path = folder / "upload.bin"
        digest = hashlib.sha256()
        with path.open("wb") as out:
            for chunk in upload_chunks(upload):
                digest.update(chunk)
                out.write(chunk)
        with path.open("rb") as handle:
            media_type = sniff_media_type(handle.read(16))
        if media_type is None:
            raise InputRefused(
                _(
                    "This is not a file type Signet can check. Upload an MP4 or WebM video, a "
                    "PNG, JPEG or WebP image, or a WAV, MP3, M4A, OGG or FLAC sound."
                )
            )
        result = verify_path(path, media_type, sha256=digest.hexdigest())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return result
