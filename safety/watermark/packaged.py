"""Baseline codec: invisible-watermark's ``dwtDctSvd`` carrying Signet's coded payload.

``imwatermark`` hides one bit per 4x4 block of the Haar-DWT approximation of the U (chroma)
channel, cycling through the bits. It has no key, no error correction and no check, so this codec
feeds it the 162 coded bits of ``payload.PayloadCode`` (keyed checksum + convolutional code) and
reads it back by soft voting: for every coded bit, the share of its blocks that read "1", summed
over frames, is the soft value handed to the Viterbi decoder.

It is kept as the packaged reference the benchmark compares against; it does not survive crops
or downscales (its block grid is fixed to the frame) and costs about 100 ms per 512x512 frame.
"""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np
import numpy.typing as npt
import pywt
from imwatermark import WatermarkEncoder
from imwatermark.dwtDctSvd import EmbedDwtDctSvd

from .base import DEFAULT_MAX_FRAMES, WatermarkCodec, WatermarkReading, check_rgb_frame
from .payload import CODED_BITS, PayloadCode

# imwatermark refuses pictures under 256x256 pixels in area.
MIN_PIXELS = 256 * 256
_U_CHANNEL = 1
_U_SCALE = 36  # imwatermark's default quantisation step for dwtDctSvd on the U channel


class DwtDctSvdCodec(WatermarkCodec):
    """invisible-watermark dwtDctSvd with a keyed, error-corrected payload."""

    name = "signet.imwatermark-dwtdctsvd.v1"

    def __init__(self, key: bytes) -> None:
        self._payload = PayloadCode(key)

    def embed_frame(
        self, frame_rgb: npt.NDArray[np.uint8], payload_id: int, frame_index: int
    ) -> npt.NDArray[np.uint8]:
        check_rgb_frame(frame_rgb)
        if frame_rgb.shape[0] * frame_rgb.shape[1] < MIN_PIXELS:
            raise ValueError("dwtDctSvd needs at least 256x256 pixels")
        encoder = WatermarkEncoder()
        encoder.set_watermark("bits", (self._payload.encode(payload_id) > 0).astype(int).tolist())
        marked_bgr = encoder.encode(cv2.cvtColor(frame_rgb, cv2.COLOR_RGB2BGR), "dwtDctSvd")
        return cv2.cvtColor(marked_bgr, cv2.COLOR_BGR2RGB)

    def detect(
        self, frames: Iterable[npt.NDArray[np.uint8]], max_frames: int = DEFAULT_MAX_FRAMES
    ) -> WatermarkReading:
        soft = np.zeros(CODED_BITS)
        frames_read = 0
        for frame in frames:
            if frames_read >= max_frames:
                break
            check_rgb_frame(frame)
            frames_read += 1
            if frame.shape[0] * frame.shape[1] >= MIN_PIXELS:
                soft += _block_votes(frame)
        if not soft.any():
            return WatermarkReading(False, None, 0.0, frames_read, "no frame large enough to read")
        decoded = self._payload.decode(soft)
        if decoded.payload_id is None:
            return WatermarkReading(
                False,
                None,
                0.0,
                frames_read,
                f"no valid payload; codeword agreement {decoded.agreement:.2f}",
            )
        return WatermarkReading(
            found=True,
            payload_id=decoded.payload_id,
            confidence=round(min(1.0, 0.5 + (decoded.agreement - 0.58) / 0.54), 3),
            frames_read=frames_read,
            detail=f"codeword agreement {decoded.agreement:.2f}",
        )


def _block_votes(frame_rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.float64]:
    """Per coded bit: (share of its blocks reading 1) - 0.5, scaled by sqrt(block count)."""
    height, width = frame_rgb.shape[:2]
    yuv = cv2.cvtColor(cv2.cvtColor(frame_rgb, cv2.COLOR_RGB2BGR), cv2.COLOR_BGR2YUV)
    approximation, _ = pywt.dwt2(yuv[: height // 4 * 4, : width // 4 * 4, _U_CHANNEL], "haar")
    reader = EmbedDwtDctSvd(watermarks=[], wmLen=CODED_BITS)
    scores: list[list[int]] = [[] for _ in range(CODED_BITS)]
    reader.decode_frame(approximation, _U_SCALE, scores)
    counts = np.array([len(s) for s in scores], dtype=np.float64)
    ones = np.array([sum(s) for s in scores], dtype=np.float64)
    return (ones / np.maximum(counts, 1) - 0.5) * np.sqrt(counts)
