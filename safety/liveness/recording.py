"""Reading a consent recording's frames for the liveness checks (PyAV, no framework)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import av
import cv2
import numpy as np

# Frames analysed per second and their longest side: blinks (100-400 ms) need ~15 fps; dlib
# finds a webcam face reliably at 320 px (at 240 px a synthetic blink was missed).
ANALYSIS_FPS = 15.0
ANALYSIS_SIDE = 320


@dataclass(frozen=True)
class RecordingFrames:
    frames: list[tuple[float, np.ndarray]]  # (seconds, RGB) at <= ANALYSIS_FPS, small
    full_size: list[np.ndarray]  # one full-size frame a second (identity match)
    duration: float  # time of the last frame
    container: str  # PyAV's format name, e.g. "matroska,webm"


def read_recording(path: str | os.PathLike[str]) -> RecordingFrames:
    """Raises av.error.FFmpegError (or ValueError) when the file cannot be decoded."""
    frames: list[tuple[float, np.ndarray]] = []
    full_size: list[np.ndarray] = []
    with av.open(str(path)) as container:
        kind = container.format.name
        if not container.streams.video:
            return RecordingFrames([], [], 0.0, kind)
        stream = container.streams.video[0]
        next_at, last = 0.0, 0.0
        rate = float(stream.average_rate or 30)
        for index, frame in enumerate(container.decode(stream)):
            # A frame without a timestamp follows the previous one at the stream's rate.
            last = float(frame.time) if frame.time is not None else last + (index > 0) / rate
            # Container timestamps are rounded (WebM: whole ms), so allow a third of a frame.
            if last + 0.3 / ANALYSIS_FPS < next_at:
                continue
            next_at = last + 1.0 / ANALYSIS_FPS
            rgb = frame.to_ndarray(format="rgb24")
            if last >= len(full_size):
                full_size.append(rgb)
            scale = ANALYSIS_SIDE / max(rgb.shape[:2])
            if scale < 1.0:
                size = (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale))
                rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
            frames.append((last, np.ascontiguousarray(rgb)))
    return RecordingFrames(frames, full_size, last, kind)
