"""Render a request to an MP4 file: streamed, cancellable, atomic (all or nothing at dst)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generation.media.audio import DecodedAudio
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


def render_to_file(
    renderer: Renderer,
    request: RenderRequest,
    dst: Path,
    *,
    crf: int = DEFAULT_CRF,
    output_audio: DecodedAudio | None = None,
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
    done = 0
    try:
        with Mp4Writer(
            temporary, width=request.size, height=request.size, audio=audio, fps=request.fps,
            crf=crf,
        ) as writer:
            for frame in renderer.frames(request):
                if done >= total:
                    break
                if done % check_every == 0:
                    if should_cancel is not None and should_cancel():
                        raise RenderCancelled("The render was cancelled.")
                    if on_progress is not None:
                        on_progress(done, total)
                writer.write(frame)
                done += 1
            if done != total:
                raise RuntimeError(
                    f"renderer {renderer.name!r} produced {done} frames, expected {total}"
                )
        os.replace(temporary, dst)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if on_progress is not None:
        on_progress(total, total)
    return RenderResult(
        path=dst,
        frame_count=total,
        duration_seconds=total / request.fps,
        width=request.size,
        height=request.size,
    )
