"""The one interface every invisible-watermark codec implements.

A codec embeds a server-issued 32-bit ID into RGB frames one at a time and reads it back from a
sequence of frames. A still image is a one-frame video.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

DEFAULT_MAX_FRAMES = 50


class WatermarkReadError(Exception):
    """A file could not be read as an image or a video (missing, empty, corrupt, no frames)."""


@dataclass(frozen=True)
class WatermarkReading:
    """What a detector concluded from the frames it read.

    ``found`` is True only when a payload decoded with a matching checksum under the codec's key;
    ``payload_id`` is then the embedded ID, otherwise None. ``confidence`` (0..1) says how strong
    the evidence was, for display and triage; decisions should rest on ``found``.
    """

    found: bool
    payload_id: int | None
    confidence: float
    frames_read: int
    detail: str


class WatermarkCodec(ABC):
    """An invisible watermark: embed per frame, detect by accumulating frames."""

    #: Stable identifier, used as the C2PA soft-binding ``alg`` value.
    name: str

    @abstractmethod
    def embed_frame(
        self, frame_rgb: npt.NDArray[np.uint8], payload_id: int, frame_index: int
    ) -> npt.NDArray[np.uint8]:
        """Return a marked copy of an HxWx3 uint8 RGB frame; the input is left untouched."""

    @abstractmethod
    def detect(
        self, frames: Iterable[npt.NDArray[np.uint8]], max_frames: int = DEFAULT_MAX_FRAMES
    ) -> WatermarkReading:
        """Read at most ``max_frames`` HxWx3 uint8 RGB frames and report the payload, if any."""

    def probe(
        self, frames: Sequence[npt.NDArray[np.uint8]], scales: Sequence[float]
    ) -> WatermarkReading | None:
        """A cheap read that looks only where the mark most likely is (received-to-embedded
        scales ``scales``, unturned, unmirrored). A found reading is as trustworthy as one from
        ``detect``; anything else (None) means "not found here", never "not marked": run
        ``detect``. Codecs without such a shortcut return None."""
        return None


def check_rgb_frame(frame: npt.NDArray[np.uint8]) -> None:
    """Raise ValueError unless ``frame`` is an HxWx3 uint8 array."""
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8:
        raise ValueError("frames must be uint8 numpy arrays")
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"frames must be HxWx3 RGB, got shape {frame.shape}")
