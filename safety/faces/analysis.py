"""analyze_portrait: decode a photo, find the faces, judge the photo, embed the one face."""

from __future__ import annotations

import cv2
import numpy as np

from safety.faces.backends import FaceBackend, get_face_backend
from safety.faces.diagnosis import explain_missing_face
from safety.faces.images import ImageInput, UnreadableImage, decode_rgb
from safety.faces.quality import face_count_problem, single_face_problems, unreadable_image
from safety.faces.types import PortraitAnalysis, QualityLimits

# Detection runs on a copy no larger than this: HOG costs grow with pixel count (25 ms at
# 640 px, 40 ms at 800, 60 ms at 1000 on one core) while a portrait's face stays far above the
# detector's 80 px window. Landmarks found there are mapped back; embeddings use full resolution.
DETECT_MAX_SIDE = 800
DEFAULT_LIMITS = QualityLimits()


def analyze_portrait(
    image: ImageInput,
    *,
    backend: FaceBackend | None = None,
    limits: QualityLimits = DEFAULT_LIMITS,
    detect_max_side: int = DETECT_MAX_SIDE,
) -> PortraitAnalysis:
    """Faces and quality problems of one photo or video frame (an RGB array).

    Coordinates are in the upright original image. The embedding is computed only when there
    is exactly one face (also when that face has quality problems: callers decide what those
    mean; face_verdict refuses them). Undecodable input is reported as an "unreadable_image"
    problem, not raised; a missing file raises FileNotFoundError.
    """
    try:
        rgb = decode_rgb(image)
    except UnreadableImage:
        return PortraitAnalysis(faces=(), problems=(unreadable_image(),), image_size=None)
    backend = backend or get_face_backend()
    height, width = rgb.shape[:2]

    scale = min(1.0, detect_max_side / max(height, width))
    small = rgb if scale == 1.0 else _resized(rgb, scale)
    faces = [face.scaled(1.0 / scale) for face in backend.detect(small)]

    count_problem = face_count_problem(len(faces))
    if not faces:
        count_problem = (
            explain_missing_face(rgb, backend, min_face_px=limits.min_face_px) or count_problem
        )
    if count_problem is not None:
        return PortraitAnalysis(tuple(faces), (count_problem,), (width, height))
    face = faces[0]
    problems = single_face_problems(rgb, face, limits)
    face = face.with_embedding(backend.embed(rgb, face))
    return PortraitAnalysis((face,), tuple(problems), (width, height))


def _resized(rgb: np.ndarray, scale: float) -> np.ndarray:
    height, width = rgb.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # INTER_AREA averages the source pixels: no aliasing, so the detector sees a clean image.
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
