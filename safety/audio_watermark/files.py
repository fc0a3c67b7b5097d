"""Reading the audio mark from a file: any audio or video file FFmpeg decodes."""

from __future__ import annotations

import os

from generation.media.audio import decode_audio
from generation.media.errors import MediaError

from .codec import ANALYSIS_RATE, AudioWatermark, AudioWatermarkReading

MAX_SECONDS = 600.0


class AudioWatermarkReadError(Exception):
    """The file has no decodable sound track."""


def read_audio_watermark_from_file(
    path: str | os.PathLike[str], mark: AudioWatermark, max_seconds: float = MAX_SECONDS
) -> AudioWatermarkReading:
    try:
        audio = decode_audio(path, sample_rate=ANALYSIS_RATE, max_seconds=max_seconds)
    except MediaError as exc:
        raise AudioWatermarkReadError(str(exc)) from exc
    return mark.detect(audio.samples, audio.sample_rate)
