"""Sealing a rendered video in one pass: each frame from the renderer is labelled, watermarked
and encoded as it arrives (no intermediate video file, one generation of H.264 loss), then the
file is signed and read back.

Framework-free, so the studio's sealing service and the benchmarks run the same code. A sealed
file is returned only after it read back with a valid, trusted manifest naming the watermark, and
the watermark itself decoded to the expected ID from the file's first frames; otherwise
SealingFailed and nothing is left at the destination.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from generation.media.audio import AudioTrack, DecodedAudio
from generation.media.video import Mp4Writer, iter_video_frames, probe_video
from safety.disclosure import DisclosureLabel
from safety.provenance.reading import ManifestReport, read_manifest
from safety.provenance.signer import SignerConfig
from safety.provenance.signing import sign_media
from safety.watermark import (
    DEFAULT_MAX_FRAMES,
    WatermarkCodec,
    iter_file_frames,
    read_watermark_from_file,
)

# Chosen with bench/generation_speed.py --encoders (10 s animator clip, 250 frames at 512x512;
# CPU seconds for label + mark + encode, PSNR against the labelled renderer frames, 2026-12-03):
#   ultrafast CRF 18: 0.81 s, 37.13 dB, 2717 kbit/s   superfast CRF 23: 1.00 s, 36.55 dB, 642 kbit/s
#   veryfast  CRF 18: 1.28 s, 36.88 dB,  557 kbit/s   faster    CRF 18: 2.06 s, 37.02 dB, 621 kbit/s
# At the delivered size (~0.6 Mbit/s) veryfast/18 beats superfast in quality at a smaller file,
# and "faster" buys 0.14 dB for 60 % more CPU. The watermark itself caps PSNR near 37.5 dB.
SEALED_CRF = 18
SEALED_PRESET = "veryfast"
# The read-back decodes this many frames from the start of the file (cheap: no seeking, a few
# milliseconds each); only if they do not yield the mark does it read the codec's full sample.
READ_BACK_FRAMES = 12
# The preview still is the renderer's frame half a second in: the mouth is usually moving and
# the face settled. Shorter clips use their last frame.
POSTER_FRAME = 12


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
    # The renderer's own frame for the preview still (unlabelled, unmarked: seal_still does that).
    poster_rgb: np.ndarray | None = field(default=None, repr=False)


def seal_frames(
    frames: Iterable[np.ndarray],
    sealed_path: Path,
    *,
    fps: int,
    codec: WatermarkCodec,
    watermark_id: int,
    label: DisclosureLabel,
    audio: DecodedAudio | AudioTrack | None,
    manifest: dict,
    signer: SignerConfig,
    trust_anchors_pem: str | None,
    frame_count: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    on_encoded: Callable[[], None] | None = None,
    crf: int = SEALED_CRF,
    preset: str = SEALED_PRESET,
) -> SealReport:
    """Label, watermark and encode each frame as it arrives, then sign and read back.

    ``frames`` is the renderer's stream (see generation.render_job.render_frames, which checks
    the count and raises for cancellation itself). ``on_progress(done, frame_count)`` and
    ``should_cancel()`` are called here too when given (every 10 frames), for a plain iterable.
    ``on_encoded()`` is called once every frame is encoded, before signing (the worker moves the
    job to "sealing" there). Any error or cancellation leaves nothing at ``sealed_path``.
    """
    sealed_path = Path(sealed_path)
    marked_path = sealed_path.with_name(sealed_path.stem + ".unsigned.mp4")
    poster: np.ndarray | None = None
    writer: Mp4Writer | None = None
    count = 0
    try:
        try:
            for index, frame in enumerate(frames):
                if writer is None:
                    writer = Mp4Writer(
                        marked_path, width=frame.shape[1], height=frame.shape[0], fps=fps,
                        audio=audio, crf=crf, preset=preset,
                    )  # fmt: skip
                if index <= POSTER_FRAME:
                    poster = np.array(frame)  # a copy: a renderer may reuse its buffer
                # The label goes on first so the watermark covers every pixel that leaves.
                writer.write(codec.embed_frame(label.apply(frame), watermark_id, index))
                count = index + 1
                if on_progress and frame_count:
                    on_progress(count, frame_count)
                if should_cancel and index % 10 == 0 and should_cancel():
                    raise SealingCancelled()
            if writer is None:
                raise SealingFailed("The renderer produced no frames; nothing was published.")
            writer.close()
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        if on_encoded:
            on_encoded()
        sign_media(marked_path, sealed_path, manifest, signer, media_type="video/mp4")
        report, confidence = read_back(
            sealed_path,
            codec=codec,
            expected_watermark_id=watermark_id,
            trust_anchors_pem=trust_anchors_pem,
        )
    except BaseException:
        sealed_path.unlink(missing_ok=True)
        raise
    finally:
        marked_path.unlink(missing_ok=True)
    assert writer is not None and poster is not None
    return SealReport(
        path=sealed_path,
        sha256=file_sha256(sealed_path),
        manifest=report,
        watermark_confidence=confidence,
        frame_count=count,
        duration_seconds=count / fps,
        width=writer.width,
        height=writer.height,
        poster_rgb=poster,
    )


def seal_video(
    render_path: Path,
    sealed_path: Path,
    *,
    codec: WatermarkCodec,
    watermark_id: int,
    label: DisclosureLabel,
    audio: DecodedAudio | AudioTrack | None,
    manifest: dict,
    signer: SignerConfig,
    trust_anchors_pem: str | None,
    on_progress: Callable[[int, int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> SealReport:
    """Seal an already rendered file (decoded frame by frame): for renders that exist only as a
    file. The worker seals the renderer's frames directly (seal_frames)."""
    info = probe_video(render_path)
    return seal_frames(
        iter_video_frames(render_path),
        sealed_path,
        fps=round(info.fps),
        frame_count=info.frame_count,
        codec=codec,
        watermark_id=watermark_id,
        label=label,
        audio=audio,
        manifest=manifest,
        signer=signer,
        trust_anchors_pem=trust_anchors_pem,
        on_progress=on_progress,
        should_cancel=should_cancel,
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
    # A file fresh from the encoder holds the mark where it was embedded (scale 1, unturned), so
    # the codec's probe there, on the first few frames, almost always reads it (~0.02 s instead
    # of ~0.35 s for the full search); the full search over the codec's sample runs only if not.
    first = list(iter_file_frames(path, READ_BACK_FRAMES))
    reading = codec.probe(first, scales=(1.0,))
    if reading is None or reading.payload_id != expected_watermark_id:
        reading = codec.detect(first, max_frames=READ_BACK_FRAMES)
    if not reading.found or reading.payload_id != expected_watermark_id:
        reading = read_watermark_from_file(path, codec, max_frames=DEFAULT_MAX_FRAMES)
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
