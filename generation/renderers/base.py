"""What every renderer receives and promises: a request in, a stream of square RGB frames out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import cv2
import numpy as np

from generation.media.audio import DecodedAudio

# The crop keeps hair, chin, neck and some shoulders around the 68 landmarks, which span
# only brows to chin: side = FACE_MARGIN x the landmark box's larger side.
FACE_MARGIN = 2.2
# Landmarks start at the eyebrows, so the head's visual centre lies above their box centre.
FACE_CENTRE_LIFT = 0.12


@dataclass(frozen=True, eq=False)
class RenderRequest:
    """One render: a portrait, its 68 dlib-order landmarks (portrait pixel coordinates, or
    None for a centre crop), the audio to speak, and the output's square size and rate."""

    portrait_rgb: np.ndarray
    landmarks: np.ndarray | None
    audio: DecodedAudio
    size: int = 512
    fps: int = 25
    seed: int = 0

    def __post_init__(self) -> None:
        image = self.portrait_rgb
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError("portrait_rgb must be an HxWx3 uint8 array")
        if self.landmarks is not None and np.asarray(self.landmarks).shape != (68, 2):
            raise ValueError("landmarks must be a (68, 2) array")
        if self.size < 16 or self.size % 2:
            raise ValueError("size must be an even number of pixels, at least 16")
        if self.fps <= 0:
            raise ValueError("fps must be positive")


@runtime_checkable
class Renderer(Protocol):
    """A source of frames for a request. ``frames`` yields exactly ``frame_count`` frames,
    each ``size`` x ``size`` x 3 uint8 RGB, one at a time (never the whole clip at once)."""

    name: str
    version: str

    def frame_count(self, request: RenderRequest) -> int: ...

    def frames(self, request: RenderRequest) -> Iterator[np.ndarray]: ...


def frame_count_for(audio: DecodedAudio, fps: int) -> int:
    """Frames that make the video last as long as the audio, within half a frame."""
    return max(1, int(round(audio.duration_seconds * fps)))


@dataclass(frozen=True, eq=False)
class PortraitCrop:
    """The square, resized crop a renderer animates, with landmarks mapped into it."""

    image: np.ndarray  # size x size x 3 uint8
    landmarks: np.ndarray | None = field(default=None)  # (68, 2) float32 in crop pixels
    # Crop pixel = (portrait pixel - origin + 0.5) * scale - 0.5
    origin: tuple[float, float] = (0.0, 0.0)
    scale: float = 1.0


def crop_box(
    image_shape: tuple[int, ...], landmarks: np.ndarray | None
) -> tuple[float, float, float]:
    """(x0, y0, side) of the square crop: around the face with margin, or the centre square.

    The square is kept inside the image (shifted, and shrunk only if the image is smaller),
    so no invented border ever shows.
    """
    height, width = image_shape[:2]
    if landmarks is None:
        side = float(min(width, height))
        return (width - side) / 2.0, (height - side) / 2.0, side
    points = np.asarray(landmarks, dtype=np.float64)
    (x_min, y_min), (x_max, y_max) = points.min(axis=0), points.max(axis=0)
    face = max(x_max - x_min, y_max - y_min, 1.0)
    side = min(face * FACE_MARGIN, float(width), float(height))
    centre_x = (x_min + x_max) / 2.0
    centre_y = (y_min + y_max) / 2.0 - FACE_CENTRE_LIFT * face
    x0 = float(np.clip(centre_x - side / 2.0, 0.0, width - side))
    y0 = float(np.clip(centre_y - side / 2.0, 0.0, height - side))
    return x0, y0, side


def crop_portrait(
    portrait_rgb: np.ndarray, landmarks: np.ndarray | None, size: int
) -> PortraitCrop:
    """Cut the square around the face and scale it to ``size`` x ``size``."""
    x0_f, y0_f, side_f = crop_box(portrait_rgb.shape, landmarks)
    side = max(1, int(round(side_f)))
    x0 = int(round(min(x0_f, portrait_rgb.shape[1] - side)))
    y0 = int(round(min(y0_f, portrait_rgb.shape[0] - side)))
    square = portrait_rgb[y0 : y0 + side, x0 : x0 + side]
    # Area averaging when shrinking avoids aliasing; cubic when enlarging keeps edges crisp.
    interpolation = cv2.INTER_AREA if side > size else cv2.INTER_CUBIC
    image = np.ascontiguousarray(cv2.resize(square, (size, size), interpolation=interpolation))
    scale = size / side
    mapped = None
    if landmarks is not None:
        # Pixel centres: resize maps source x to (x + 0.5) * scale - 0.5.
        points = np.asarray(landmarks, dtype=np.float64) - (x0, y0)
        mapped = ((points + 0.5) * scale - 0.5).astype(np.float32)
    return PortraitCrop(image=image, landmarks=mapped, origin=(float(x0), float(y0)), scale=scale)
