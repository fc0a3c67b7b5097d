"""Rendering a request frame by frame: checked, cancellable, with progress.

``render_frames`` is what the worker feeds straight into sealing (one pass, no intermediate file);
``render_to_file`` writes the same frames to an MP4, atomically (all or nothing at dst).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generation.media.audio import AudioTrack, DecodedAudio
from generation.media.video import DEFAULT_CRF, Mp4Writer
from generation.renderers.base import Renderer, RenderRequest


class RenderCancelled(Exception):
    """should_cancel() asked to stop; no output file was left behind."""


@dataclass(frozen=True)
class RenderResult:
    path: Path
    frame_count: int
    duration_seconds: float
    width: int
    height: int


def render_frames(
    renderer: Renderer,
    request: RenderRequest,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    check_every: int = 5,
) -> Iterator[np.ndarray]:
    """Yield exactly ``renderer.frame_count(request)`` frames, one at a time.

    Every ``check_every`` frames ``should_cancel()`` is asked (RenderCancelled stops the render)
    and ``on_progress(done, total)`` told; a renderer that stops short raises RuntimeError, so a
    truncated render never reaches the encoder's end as if it were complete.
    """
    total = renderer.frame_count(request)
    done = 0
    frames = renderer.frames(request)
    try:
        for frame in frames:
            if done >= total:
                break
            if done % check_every == 0:
                if should_cancel is not None and should_cancel():
                    raise RenderCancelled("The render was cancelled.")
                if on_progress is not None:
                    on_progress(done, total)
            yield frame
            done += 1
    finally:
        close = getattr(frames, "close", None)
        if close is not None:
            close()  # a generator renderer frees its resources at once
    if done != total:
        raise RuntimeError(f"renderer {renderer.name!r} produced {done} frames, expected {total}")
    if on_progress is not None:
        on_progress(total, total)


def render_to_file(
    renderer: Renderer,
    request: RenderRequest,
    dst: Path,
    *,
    crf: int = DEFAULT_CRF,
    output_audio: DecodedAudio | AudioTrack | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    check_every: int = 5,
) -> RenderResult:
    """Render every frame into an H.264 + AAC MP4 at ``dst``.

    The file is written beside ``dst`` under a temporary name and renamed into place only
    when complete; on cancellation (``RenderCancelled``) or any error the partial file is
    removed and the exception propagates. ``on_progress(done, total)`` and
    ``should_cancel()`` are called every ``check_every`` frames (5 frames = 0.2 s of video,
    so a cancel takes effect within a fraction of a second of rendering).
    ``output_audio`` muxes a better-quality copy of the same audio (e.g. decoded at 48 kHz)
    in place of the 16 kHz ``request.audio`` the renderer analyses.
    """
    dst = Path(dst)
    total = renderer.frame_count(request)
    audio = output_audio if output_audio is not None else request.audio
    temporary = dst.with_name(f".{dst.name}.{uuid.uuid4().hex}.part")
    frames = render_frames(
        renderer, request, on_progress=on_progress, should_cancel=should_cancel,
        check_every=check_every,
    )  # fmt: skip
    try:
        with Mp4Writer(
            temporary, width=request.size, height=request.size, audio=audio, fps=request.fps,
            crf=crf,
        ) as writer:
            for frame in frames:
                writer.write(frame)
        os.replace(temporary, dst)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return RenderResult(
        path=dst,
        frame_count=total,
        duration_seconds=total / request.fps,
        width=request.size,
        height=request.size,
    )
