"""When no face is found, say why if we can: too small, stretched or squashed, or cut off.

Each guess is tested, not assumed: the photo is changed the way that would undo the problem
(enlarged, un-stretched, given a border) and the detector is asked again. Only when that finds
exactly one face is the more specific problem reported; otherwise the plain "no face" stands.
"""

from __future__ import annotations

import cv2
import numpy as np

from safety.faces.backends.base import FaceBackend
from safety.faces.types import FACE_CUT_OFF, FACE_STRETCHED, FACE_TOO_SMALL, QualityProblem

# Aspect corrections tried, as (x factor, y factor): 4:3 <-> 16:9 and 2x mix-ups are the usual
# ways a webcam frame gets squashed when drawn into a canvas of the wrong shape.
ASPECT_FIXES = ((1.0, 4 / 3), (4 / 3, 1.0), (1.0, 16 / 9), (16 / 9, 1.0), (1.0, 2.0), (2.0, 1.0))
MAX_WORK_SIDE = 1600


def _scaled(rgb: np.ndarray, fx: float, fy: float) -> np.ndarray:
    height, width = rgb.shape[:2]
    size = (max(1, round(width * fx)), max(1, round(height * fy)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_CUBIC)


def _one_face(backend: FaceBackend, rgb: np.ndarray):
    faces = backend.detect(rgb)
    return faces[0] if len(faces) == 1 else None


def explain_missing_face(
    rgb: np.ndarray, backend: FaceBackend, *, min_face_px: int
) -> QualityProblem | None:
    """A more specific problem than "no face", or None when no guess is confirmed."""
    height, width = rgb.shape[:2]
    pad = max(height, width) // 3
    padded = cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    if _one_face(backend, padded) is not None:
        return QualityProblem(
            FACE_CUT_OFF,
            "Your face is cut off at the edge of the photo. Please use a photo that shows your "
            "whole face with some space around it.",
        )
    for fx, fy in ASPECT_FIXES:
        # Shrink the other side rather than enlarge this one: the same shape, less work.
        longest = max(fx, fy)
        if _one_face(backend, _scaled(rgb, fx / longest, fy / longest)) is not None:
            return QualityProblem(
                FACE_STRETCHED,
                "The photo looks stretched or squashed: the face is only found once the picture "
                "is put back to its proper shape. Please take the selfie again, or upload the "
                "original photo rather than a resized copy.",
            )
    if max(height, width) * 2 <= MAX_WORK_SIDE:
        face = _one_face(backend, _scaled(rgb, 2.0, 2.0))
        if face is not None:
            side = max(1, round(face.box.side / 2))
            return QualityProblem(
                FACE_TOO_SMALL,
                f"Your face is too small in this photo: it is about {side} pixels across and "
                f"we need at least {min_face_px}. Please come closer to the camera or use a "
                "higher-resolution photo.",
                {"side": side, "minimum": min_face_px, "found_when_enlarged": 1},
            )
    return None
