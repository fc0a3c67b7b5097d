"""A bounded watermark read of a video file, for the public verifier (and its benchmarks).

Cheapest first, every step bounded whatever the upload's length or size:

1. The probe: PROBE.frames frames spread evenly over (at most) the first PROBE.max_decoded
   decoded frames, shrunk to the size the mark was embedded at (``render_side``; a Signet video
   upscaled for a platform is shrunk back, which is where the mark is read best anyway), and
   the codec's ``probe`` at the scales the picture's size suggests (1, and the received size
   over the render size). A sealed file, a re-encode, a downscale or an upscale is read here.
2. Only when the probe found nothing, the full search (``codec.detect``: every scale, crop
   offset, aspect change, turn and mirror it knows) on FULL.frames frames over (at most) the
   first FULL.max_decoded frames, at up to FULL.side_factor times the render size.

Decoding skips the frames no other frame refers to (H.264's non-reference B-frames, about half
of an x264 stream; the mark is the same in every frame, so any frames do) and lets FFmpeg use
its own threads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import av
import numpy as np
import numpy.typing as npt

from .base import WatermarkCodec, WatermarkReadError, WatermarkReading
from .files import iter_file_frames


@dataclass(frozen=True)
class ReadPlan:
    frames: int
    max_decoded: int  # frames of the stream looked at, skipped ones included
    side_factor: int  # frames are shrunk so their shorter side is at most this x render side


PROBE = ReadPlan(frames=12, max_decoded=100, side_factor=1)
FULL = ReadPlan(frames=48, max_decoded=250, side_factor=2)
# Scales this close to 1 are the same start for the probe's hill-climb.
_SAME_SCALE = 0.02


@dataclass(frozen=True)
class BoundedReading:
    reading: WatermarkReading
    heavy_search: bool  # the probe found nothing and the full search ran


def read_video_watermark_bounded(
    path: str | os.PathLike[str], codec: WatermarkCodec, *, render_side: int
) -> BoundedReading:
    """The probe, then the full search only if the probe found nothing.

    Raises WatermarkReadError when no frame can be decoded.
    """
    frames = sample_frames(path, PROBE, render_side)
    found = codec.probe(frames, probe_scales(frames[0].shape, render_side))
    if found is not None:
        return BoundedReading(found, False)
    frames = sample_frames(path, FULL, render_side)
    return BoundedReading(codec.detect(frames, max_frames=len(frames)), True)


def read_still_watermark_bounded(
    path: str | os.PathLike[str], codec: WatermarkCodec, *, render_side: int
) -> BoundedReading:
    """A still image (the first frame of an animated one): the probe, then the full search.

    Raises WatermarkReadError when the file cannot be read as an image.
    """
    frames = list(iter_file_frames(path, 1))
    found = codec.probe(frames, probe_scales(frames[0].shape, render_side))
    if found is not None:
        return BoundedReading(found, False)
    return BoundedReading(codec.detect(frames, max_frames=1), True)


def probe_scales(shape: tuple[int, ...], render_side: int) -> list[float]:
    """1 (the size it was made at, or shrunk back to it), and the received size's ratio to it."""
    scales = [1.0]
    ratio = min(shape[:2]) / render_side
    if abs(ratio - 1.0) > _SAME_SCALE:
        scales.append(ratio)
    return scales


def sample_frames(
    path: str | os.PathLike[str], plan: ReadPlan, render_side: int
) -> list[npt.NDArray[np.uint8]]:
    """Up to ``plan.frames`` RGB frames spread evenly over the first ``plan.max_decoded`` frames
    of the stream, shrunk (never enlarged) so the shorter side is at most
    ``plan.side_factor * render_side``.

    Raises WatermarkReadError when not even one frame can be decoded.
    """
    max_side = render_side * plan.side_factor
    frames: list[npt.NDArray[np.uint8]] = []
    try:
        with av.open(str(path), mode="r") as container:
            if not container.streams.video:
                raise WatermarkReadError(f"{path}: has no video stream")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            stream.codec_context.skip_frame = "NONREF"
            width, height = int(stream.codec_context.width), int(stream.codec_context.height)
            scale = min(1.0, max_side / min(width, height)) if width and height else 1.0
            size = (max(2, round(width * scale)), max(2, round(height * scale)))
            span = _frame_count(stream) or plan.max_decoded
            span = max(1, min(span, plan.max_decoded))
            wanted = sorted({int(i) for i in np.linspace(0, span - 1, plan.frames).round()})
            origin = None
            for count, frame in enumerate(container.decode(stream)):
                # The frame's place in the stream, skipped frames counted: from its time since
                # the first frame's (a key frame, never skipped), or its count without times.
                if origin is None:
                    origin = frame.pts
                position = _position(frame, stream, count, origin)
                if position >= wanted[0]:
                    while wanted and wanted[0] <= position:
                        wanted.pop(0)
                    if scale != 1.0:
                        frame = frame.reformat(
                            width=size[0], height=size[1], format="rgb24", interpolation="AREA"
                        )
                    frames.append(frame.to_ndarray(format="rgb24"))
                if not wanted or position >= span - 1:
                    break
    except (av.FFmpegError, OSError, ValueError) as exc:
        if not frames:
            raise WatermarkReadError(f"{path}: corrupt video ({exc})") from exc
    if not frames:
        raise WatermarkReadError(f"{path}: no frames could be decoded")
    return frames


def _frame_count(stream: av.video.stream.VideoStream) -> int:
    if stream.frames:
        return int(stream.frames)
    if stream.duration and stream.time_base and stream.average_rate:
        return int(float(stream.duration * stream.time_base * stream.average_rate))
    return 0


def _position(
    frame: av.VideoFrame, stream: av.video.stream.VideoStream, count: int, origin: int | None
) -> int:
    if frame.pts is None or origin is None or not stream.time_base or not stream.average_rate:
        return count
    since = (frame.pts - origin) * stream.time_base * stream.average_rate
    return max(count, round(float(since)))
