"""Signet's audio watermark: a keyed, static spectral ripple carrying the video mark's 32-bit ID.

    mark = AudioWatermark(key)                       # the server's watermark key, bytes
    marked = mark.embed(samples, sample_rate, payload_id)
    reading = mark.detect(samples, sample_rate)      # or read_audio_watermark_from_file(path, mark)

See ``codec`` for the design and its measured limits.
"""

from .codec import AudioWatermark, AudioWatermarkReading, snr_db
from .files import (
    AudioWatermarkReadError,
    mark_audio_track,
    mark_decoded_audio,
    read_audio_watermark_from_file,
    read_audio_watermark_or_none,
)

__all__ = [
    "AudioWatermark",
    "AudioWatermarkReadError",
    "AudioWatermarkReading",
    "mark_audio_track",
    "mark_decoded_audio",
    "read_audio_watermark_from_file",
    "read_audio_watermark_or_none",
    "snr_db",
]
