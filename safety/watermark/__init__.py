"""Invisible watermarks for Signet's outputs (framework-free).

    codec = default_codec(key)                    # the server's watermark key, bytes
    marked = codec.embed_frame(frame_rgb, payload_id, frame_index)
    reading = read_watermark_from_file(path, codec)   # video or still image

``codec.name`` is the C2PA soft-binding ``alg`` value.
"""

from .base import (
    DEFAULT_MAX_FRAMES,
    WatermarkCodec,
    WatermarkReadError,
    WatermarkReading,
)
from .files import iter_file_frames, read_watermark_from_file
from .packaged import DwtDctSvdCodec
from .payload import MAX_PAYLOAD_ID, DecodedPayload, PayloadCode
from .spread_spectrum import SpreadSpectrumCodec


def default_codec(key: bytes) -> WatermarkCodec:
    """The codec Signet marks its outputs with (the keyed spread-spectrum tile)."""
    return SpreadSpectrumCodec(key)


__all__ = [
    "DEFAULT_MAX_FRAMES",
    "MAX_PAYLOAD_ID",
    "DecodedPayload",
    "DwtDctSvdCodec",
    "PayloadCode",
    "SpreadSpectrumCodec",
    "WatermarkCodec",
    "WatermarkReadError",
    "WatermarkReading",
    "default_codec",
    "iter_file_frames",
    "read_watermark_from_file",
]
