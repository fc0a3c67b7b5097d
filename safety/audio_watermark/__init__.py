"""Signet's audio watermark: a keyed, static spectral ripple carrying the video mark's 32-bit ID.

    mark = AudioWatermark(key)                       # the server's watermark key, bytes
    marked = mark.embed(samples, sample_rate, payload_id)
    reading = mark.detect(samples, sample_rate)      # or read_audio_watermark_from_file(path, mark)

See ``codec`` for the design and its measured limits.
"""

from .codec import AudioWatermark, AudioWatermarkReading, snr_db
from .files import read_audio_watermark_from_file

__all__ = ["AudioWatermark", "AudioWatermarkReading", "read_audio_watermark_from_file", "snr_db"]
