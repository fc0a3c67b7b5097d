"""Sealing a job's render: allocate its watermark ID, decide its review, build its manifest, and
run safety.sealing on the renderer's frames as they come (label, watermark, encode, sign, read
back), seal the preview still from the frame kept in memory. Then hand both to publishing.

A sealed file that does not read back is never handed to publishing; the job fails with the reason.
"""

import random
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import IntegrityError

from generation.media.audio import AudioTrack
from safety.audio_watermark import mark_audio_track
from safety.disclosure import DisclosureLabel
from safety.moderation import ReviewPolicy, review_decision
from safety.provenance.manifest import IngredientInfo, build_manifest
from safety.sealing import SealingFailed, file_sha256, read_back, seal_frames, seal_still
from studio.models import GenerationJob, OutputArtifact
from studio.provenance_config import (
    audio_watermark,
    manifest_hash_key,
    signer_config,
    trust_anchors_pem,
    watermark_codec,
)

__all__ = ["SealedOutput", "SealingFailed", "file_sha256", "output_seal", "sealed_read_back"]


@dataclass(frozen=True)
class SealedOutput:
    """A file that passed read-back. Only output_seal makes these; only publishing takes them."""

    path: Path
    sha256: str
    poster_path: Path
    poster_sha256: str
    watermark_id: int
    watermark_alg: str
    manifest_id: str
    manifest: dict
    review_reason: str
    hold_for_review: bool
    duration_seconds: float
    width: int
    height: int


def _watermark_id_allocate(job: GenerationJob) -> int:
    """A fresh server-issued 31-bit ID, unique across all jobs (the database enforces it)."""
    for _ in range(20):
        candidate = secrets.randbelow(2**31 - 1) + 1
        if OutputArtifact.objects.filter(watermark_id=candidate).exists():
            continue
        try:
            GenerationJob.objects.filter(pk=job.pk).update(watermark_id=candidate)
        except IntegrityError:
            continue
        return candidate
    raise SealingFailed("Could not allocate a watermark ID.")


def _review_decision(job: GenerationJob):
    policy = ReviewPolicy(
        hold_first_outputs=settings.SIGNET_HOLD_FIRST_JOBS,
        sample_rate=settings.SIGNET_REVIEW_SAMPLE_RATE,
    )
    outputs_before = OutputArtifact.objects.filter(job__creator=job.creator).count()
    return review_decision(policy, creator_outputs_before=outputs_before, rng=random.SystemRandom())


def _manifest(
    job: GenerationJob,
    *,
    watermark_alg: str,
    watermark_id: int,
    title: str = "Signet AI-generated portrait video",
) -> dict:
    audio_type = "audio/" + (job.audio.codec or "unknown").replace("_", "-")
    return build_manifest(
        claim_generator_version=settings.SIGNET_VERSION,
        title=title,
        generation_id=str(job.public_id),
        generator_backend=job.renderer,
        generator_version=settings.SIGNET_VERSION,
        consent_record_id=str(job.consent.public_id),
        consent_statement_sha256=job.consent.statement_sha256,
        hash_key=manifest_hash_key(),
        watermark_alg=watermark_alg,
        watermark_value=str(watermark_id),
        ingredients=[
            IngredientInfo(
                role="portrait", media_type=job.portrait.media_type, sha256=job.portrait.sha256
            ),
            IngredientInfo(role="audio", media_type=audio_type, sha256=job.audio.sha256),
        ],
    )


def output_seal(
    job: GenerationJob,
    frames: Iterable[np.ndarray],
    work_dir: Path,
    *,
    fps: int,
    audio: AudioTrack,
    on_encoded: Callable[[], None] | None = None,
) -> OutputArtifact:
    """Seal the renderer's frames and a preview still in ``work_dir``, then publish them.

    ``frames`` reports progress and raises for cancellation itself (render_job.render_frames).
    ``audio`` is the sound to deliver; it is audio-marked in place (the caller's copy is
    consumed). Returns the artifact.
    """
    from studio.services.publishing import output_publish

    codec = watermark_codec()
    watermark_id = _watermark_id_allocate(job)
    review = _review_decision(job)
    label = DisclosureLabel(corner=job.label_corner, language=job.label_language)
    marks = {"codec": codec, "watermark_id": watermark_id, "label": label}
    keys = {"signer": signer_config(), "trust_anchors_pem": trust_anchors_pem()}
    manifest = {
        "watermark_alg": codec.name,
        "watermark_id": watermark_id,
    }
    video = seal_frames(
        frames,
        work_dir / "sealed.mp4",
        fps=fps,
        audio=mark_audio_track(audio, audio_watermark(), watermark_id, in_place=True),
        manifest=_manifest(job, **manifest),
        on_encoded=on_encoded,
        **marks,
        **keys,
    )
    poster = seal_still(
        video.poster_rgb,
        work_dir / "poster.jpg",
        manifest=_manifest(
            job, **manifest, title="Signet AI-generated portrait video (preview still)"
        ),
        **marks,
        **keys,
    )
    sealed = SealedOutput(
        path=video.path,
        sha256=video.sha256,
        poster_path=poster.path,
        poster_sha256=poster.sha256,
        watermark_id=watermark_id,
        watermark_alg=codec.name,
        manifest_id=video.manifest.manifest_id,
        manifest=video.manifest.to_dict(),
        review_reason=review.reason,
        hold_for_review=review.hold,
        duration_seconds=video.duration_seconds,
        width=video.width,
        height=video.height,
    )
    return output_publish(job, sealed)


def sealed_read_back(
    path: Path,
    *,
    expected_watermark_id: int,
    check_watermark: bool = True,
    media_type: str = "video/mp4",
):
    report, _confidence = read_back(
        path,
        codec=watermark_codec() if check_watermark else None,
        expected_watermark_id=expected_watermark_id,
        trust_anchors_pem=trust_anchors_pem(),
        media_type=media_type,
    )
    return report
