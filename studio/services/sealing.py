"""Sealing: label and watermark every frame, encode, sign, and read the result back.

A sealed file that does not read back with a valid, trusted manifest and the expected watermark
is never handed to publishing; the job fails with the reason.
"""

import hashlib
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError

from generation.media.audio import DecodedAudio
from generation.media.video import Mp4Writer, iter_video_frames, probe_video
from generation.render_job import RenderCancelled
from safety.disclosure import DisclosureLabel
from safety.moderation import ReviewPolicy, review_decision
from safety.provenance.manifest import IngredientInfo, build_manifest
from safety.provenance.reading import read_manifest
from safety.provenance.signing import sign_media
from safety.watermark import read_watermark_from_file
from studio.models import GenerationJob, OutputArtifact
from studio.provenance_config import signer_config, trust_anchors_pem, watermark_codec


class SealingFailed(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SealedOutput:
    """A file that passed read-back. Only output_seal makes these; only publishing takes them."""

    path: Path
    sha256: str
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


def output_seal(
    job: GenerationJob,
    render_path: Path,
    *,
    audio: DecodedAudio,
    on_progress: Callable[[int, int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> "OutputArtifact":
    """Seal a rendered file and publish it. Returns the published artifact."""
    from studio.services.publishing import output_publish

    sealed = _seal(job, render_path, audio=audio, on_progress=on_progress, should_cancel=should_cancel)
    return output_publish(job, sealed)


def _seal(job, render_path, *, audio, on_progress, should_cancel) -> SealedOutput:
    codec = watermark_codec()
    watermark_id = _watermark_id_allocate(job)
    label = DisclosureLabel(corner=job.label_corner)
    info = probe_video(render_path)
    total = info.frame_count
    work_dir = render_path.parent
    marked_path = work_dir / "marked.mp4"
    sealed_path = work_dir / "sealed.mp4"

    with Mp4Writer(marked_path, width=info.width, height=info.height, fps=round(info.fps), audio=audio, crf=18) as writer:
        for index, frame in enumerate(iter_video_frames(render_path)):
            writer.write(codec.embed_frame(label.apply(frame), watermark_id, index))
            if on_progress:
                on_progress(index + 1, total)
            if should_cancel and index % 10 == 0 and should_cancel():
                raise RenderCancelled()

    review = _review_decision(job)
    moderation_state = "in_review" if review.hold else "released"
    manifest = build_manifest(
        claim_generator_version=settings.SIGNET_VERSION,
        title="Signet AI-generated portrait video",
        generation_id=str(job.public_id),
        generator_backend=job.renderer,
        generator_version=settings.SIGNET_VERSION,
        consent_record_id=str(job.consent.public_id),
        consent_statement_sha256=job.consent.statement_sha256,
        moderation_state=moderation_state,
        watermark_alg=codec.name,
        watermark_value=str(watermark_id),
        ingredients=[
            IngredientInfo(role="portrait", media_type=job.portrait.media_type, sha256=job.portrait.sha256),
            IngredientInfo(role="audio", media_type="audio/" + (job.audio.codec or "unknown").replace("_", "-"), sha256=job.audio.sha256),
        ],
    )
    sign_media(marked_path, sealed_path, manifest, signer_config(), media_type="video/mp4")
    marked_path.unlink(missing_ok=True)

    report = sealed_read_back(sealed_path, expected_watermark_id=watermark_id)
    sealed_info = probe_video(sealed_path)
    return SealedOutput(
        path=sealed_path,
        sha256=file_sha256(sealed_path),
        watermark_id=watermark_id,
        watermark_alg=codec.name,
        manifest_id=report.manifest_id,
        manifest=report.to_dict(),
        review_reason=review.reason,
        hold_for_review=review.hold,
        duration_seconds=sealed_info.duration_seconds,
        width=sealed_info.width,
        height=sealed_info.height,
    )


def sealed_read_back(path: Path, *, expected_watermark_id: int, check_watermark: bool = True):
    """Raise SealingFailed unless `path` carries a valid, trusted manifest and our watermark."""
    report = read_manifest(path, media_type="video/mp4", trust_anchors_pem=trust_anchors_pem())
    if not (report.present and report.valid and report.trusted):
        raise SealingFailed(
            "The signed output did not verify when read back "
            f"(manifest {report.state or 'missing'}); it was not published."
        )
    if report.soft_binding is None or str(report.soft_binding.value) != str(expected_watermark_id):
        raise SealingFailed("The signed output names the wrong watermark; it was not published.")
    if check_watermark:
        reading = read_watermark_from_file(path, watermark_codec())
        if not reading.found or reading.payload_id != expected_watermark_id:
            raise SealingFailed("The watermark could not be read back from the output; it was not published.")
    return report


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
