"""Sealing a rendered video: label and watermark every frame, encode, sign, read back.

Framework-free, so the studio's sealing service and the sealing benchmark run the same code. A
sealed file is returned only after it read back with a valid, trusted manifest naming the
watermark, and the watermark itself decoded to the expected ID; otherwise SealingFailed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generation.media.audio import DecodedAudio
from generation.media.video import Mp4Writer, iter_video_frames, probe_video
from safety.disclosure import DisclosureLabel
from safety.provenance.reading import ManifestReport, read_manifest
from safety.provenance.signer import SignerConfig
from safety.provenance.signing import sign_media
from safety.watermark import WatermarkCodec, read_watermark_from_file

SEALED_CRF = 18


class SealingFailed(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SealingCancelled(Exception):
    """The caller's should_cancel() said stop; nothing was kept."""


@dataclass(frozen=True)
class SealReport:
    path: Path
    sha256: str
    manifest: ManifestReport
    watermark_confidence: float
    frame_count: int
    duration_seconds: float
    width: int
    height: int


def seal_video(
    render_path: Path,
    sealed_path: Path,
    *,
    codec: WatermarkCodec,
    watermark_id: int,
    label: DisclosureLabel,
    audio: DecodedAudio,
    manifest: dict,
    signer: SignerConfig,
    trust_anchors_pem: str | None,
    on_progress: Callable[[int, int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> SealReport:
    info = probe_video(render_path)
    marked_path = sealed_path.with_name(sealed_path.stem + ".unsigned.mp4")
    try:
        with Mp4Writer(
            marked_path,
            width=info.width,
            height=info.height,
            fps=round(info.fps),
            audio=audio,
            crf=SEALED_CRF,
        ) as writer:
            for index, frame in enumerate(iter_video_frames(render_path)):
                # The label goes on first so the watermark covers every pixel that leaves.
                writer.write(codec.embed_frame(label.apply(frame), watermark_id, index))
                if on_progress:
                    on_progress(index + 1, info.frame_count)
                if should_cancel and index % 10 == 0 and should_cancel():
                    raise SealingCancelled()
        sign_media(marked_path, sealed_path, manifest, signer, media_type="video/mp4")
    except BaseException:
        sealed_path.unlink(missing_ok=True)
        raise
    finally:
        marked_path.unlink(missing_ok=True)

    try:
        report, confidence = read_back(
            sealed_path,
            codec=codec,
            expected_watermark_id=watermark_id,
            trust_anchors_pem=trust_anchors_pem,
        )
        sealed_info = probe_video(sealed_path)
    except BaseException:
        sealed_path.unlink(missing_ok=True)
        raise
    return SealReport(
        path=sealed_path,
        sha256=file_sha256(sealed_path),
        manifest=report,
        watermark_confidence=confidence,
        frame_count=sealed_info.frame_count,
        duration_seconds=sealed_info.duration_seconds,
        width=sealed_info.width,
        height=sealed_info.height,
    )


@dataclass(frozen=True)
class StillSealReport:
    path: Path
    sha256: str
    manifest: ManifestReport


def seal_still(
    frame_rgb,
    sealed_path: Path,
    *,
    codec: WatermarkCodec,
    watermark_id: int,
    label: DisclosureLabel,
    manifest: dict,
    signer: SignerConfig,
    trust_anchors_pem: str | None,
    jpeg_quality: int = 92,
) -> StillSealReport:
    """A preview still (the video's poster) sealed like the video: labelled, marked, signed."""
    from PIL import Image

    marked_path = sealed_path.with_name(sealed_path.stem + ".unsigned.jpg")
    try:
        marked = codec.embed_frame(label.apply(frame_rgb), watermark_id, 0)
        Image.fromarray(marked).save(marked_path, format="JPEG", quality=jpeg_quality)
        sign_media(marked_path, sealed_path, manifest, signer, media_type="image/jpeg")
        report, _confidence = read_back(
            sealed_path,
            codec=codec,
            expected_watermark_id=watermark_id,
            trust_anchors_pem=trust_anchors_pem,
            media_type="image/jpeg",
        )
    except BaseException:
        sealed_path.unlink(missing_ok=True)
        raise
    finally:
        marked_path.unlink(missing_ok=True)
    return StillSealReport(path=sealed_path, sha256=file_sha256(sealed_path), manifest=report)


def read_back(
    path: Path,
    *,
    codec: WatermarkCodec | None,
    expected_watermark_id: int,
    trust_anchors_pem: str | None,
    media_type: str = "video/mp4",
) -> tuple[ManifestReport, float]:
    """Raise SealingFailed unless `path` has a valid, trusted manifest and (given a codec) our mark."""
    report = read_manifest(path, media_type=media_type, trust_anchors_pem=trust_anchors_pem)
    if not (report.present and report.valid and report.trusted):
        raise SealingFailed(
            f"The signed output did not verify when read back (manifest {report.state}); it was not published."
        )
    if report.soft_binding is None or report.soft_binding.value != str(expected_watermark_id):
        raise SealingFailed("The signed output names the wrong watermark; it was not published.")
    if codec is None:
        return report, 0.0
    reading = read_watermark_from_file(path, codec)
    if not reading.found or reading.payload_id != expected_watermark_id:
        raise SealingFailed(
            "The watermark could not be read back from the output; it was not published."
        )
    return report, reading.confidence


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
