"""A bounded watermark read of a video file, for the public verifier (and its benchmarks).

The quick read: QUICK.frames frames spread evenly over (at most) the first QUICK.max_decoded
decoded frames, shrunk to the size the mark was embedded at (``render_side``; a Signet video
upscaled for a platform is shrunk back, which is where the mark is read best anyway). The full
read, only when the quick one found nothing: FULL.frames frames over (at most) the first
FULL.max_decoded frames, at up to FULL.side_factor times that size. Both bounded, whatever the
upload's length or size.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from generation.media.video import sample_video_frames

from .base import WatermarkCodec, WatermarkReading


@dataclass(frozen=True)
class ReadPlan:
    frames: int
    max_decoded: int
    side_factor: int


QUICK = ReadPlan(frames=12, max_decoded=100, side_factor=1)
FULL = ReadPlan(frames=48, max_decoded=250, side_factor=2)


@dataclass(frozen=True)
class BoundedReading:
    reading: WatermarkReading
    heavy_search: bool  # the quick read found nothing and the full read ran


def read_plan(
    path: str | os.PathLike[str], codec: WatermarkCodec, plan: ReadPlan, render_side: int
) -> WatermarkReading:
    """Decode the plan's sample of frames and run the codec's detector on them.

    Raises generation.media.errors.MediaError when no frame can be decoded.
    """
    frames = sample_video_frames(
        path, plan.frames, max_side=render_side * plan.side_factor, max_decoded=plan.max_decoded
    )
    return codec.detect(frames, max_frames=len(frames))


def read_video_watermark_bounded(
    path: str | os.PathLike[str],
    codec: WatermarkCodec,
    *,
    render_side: int,
    full_read: bool = True,
) -> BoundedReading:
    """The quick read, then (unless ``full_read`` is False) the full read if it found nothing."""
    quick = read_plan(path, codec, QUICK, render_side)
    if quick.found or not full_read:
        return BoundedReading(quick, False)
    return BoundedReading(read_plan(path, codec, FULL, render_side), True)
