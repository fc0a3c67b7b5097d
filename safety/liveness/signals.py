"""Per-frame face measurements from 68 landmarks (iBUG 300-W order), and how the face moved.

Every measure is a ratio of distances on the face, so it does not change when a photo is
shifted, scaled or rotated in the image (a "Ken Burns" pan/zoom): only a face that really
turns, blinks or opens its mouth changes it. The eyes are also kept as small patches cut
along the line through their corners (`eye_patches`), so a blink can be seen in how the eye
looks (the iris and the white go under the lid) as well as in where its landmarks sit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

JAW_RIGHT, JAW_LEFT, CHIN, NOSE_TIP = 0, 16, 8, 30
RIGHT_EYE = slice(36, 42)  # the subject's right eye: the image's left
LEFT_EYE = slice(42, 48)
# Full face detection on one frame in this many; landmarks are refitted in the last box between.
REDETECT_EVERY = 5
# An eye patch: the corners land at (3, 6) and (21, 6), grey levels, zero mean, unit length.
EYE_PATCH = (24, 12)


@dataclass(frozen=True)
class FaceTrack:
    """Landmarks over a recording: `times` (N,) seconds, `landmarks` (N, 68, 2) with NaN where
    no face was found; `eyes` (N, 2 * 24 * 12) the two eye patches (`eye_patches`), NaN where
    no face was found, or None when the frames were not kept (landmarks alone)."""

    times: np.ndarray
    landmarks: np.ndarray
    eyes: np.ndarray | None = None

    @property
    def found(self) -> np.ndarray:
        return ~np.isnan(self.landmarks[:, 0, 0])

    @classmethod
    def from_frames(
        cls,
        frames: Iterable[tuple[float, np.ndarray]],
        detect: Callable[[np.ndarray], list],
        landmarks_in_box: Callable[[np.ndarray, Any], np.ndarray] | None = None,
        redetect_every: int = REDETECT_EVERY,
    ) -> FaceTrack:
        """`frames`: (time, RGB frame); `detect(rgb)` returns faces with `.box` and
        `.landmarks` (68, 2) (a safety.faces backend's `detect`). With `landmarks_in_box`
        (the dlib backend's), the face is detected every `redetect_every` frames and followed
        in between by fitting landmarks in the last box, which is ~8x faster."""
        times, points, eyes = [], [], []
        box = None
        for index, (time, rgb) in enumerate(frames):
            times.append(time)
            if box is not None and landmarks_in_box is not None and index % redetect_every:
                points.append(np.asarray(landmarks_in_box(rgb, box), dtype=np.float64))
            else:
                faces = detect(rgb)
                if faces:
                    best = max(faces, key=lambda f: np.ptp(f.landmarks[:, 0]))
                    box = best.box
                    points.append(np.asarray(best.landmarks, dtype=np.float64))
                else:
                    box = None
                    points.append(np.full((68, 2), np.nan))
            eyes.append(eye_patches(rgb, points[-1]))
        size = 2 * EYE_PATCH[0] * EYE_PATCH[1]
        return cls(
            np.asarray(times, dtype=np.float64),
            np.asarray(points).reshape(-1, 68, 2),
            np.asarray(eyes, dtype=np.float64).reshape(-1, size),
        )


def eye_patches(rgb: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Both eyes as grey patches cut along the line through each eye's corners (so a shift,
    zoom or roll of the image does not change them), each zero-mean and unit length,
    concatenated; NaN when `points` is NaN (no face)."""
    width, height = EYE_PATCH
    if np.isnan(points).any():
        return np.full(2 * width * height, np.nan)
    grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY).astype(np.float32)
    patches = []
    for outer, inner in ((36, 39), (42, 45)):
        start, along = points[outer], points[inner] - points[outer]
        scale = float(np.hypot(*along)) / (width - 6)
        cos, sin = along / max(float(np.hypot(*along)), 1e-6)
        # patch -> image: start + scale * rotation @ (patch point - (3, height / 2))
        matrix = np.array([[cos * scale, -sin * scale, 0.0], [sin * scale, cos * scale, 0.0]])
        matrix[:, 2] = start - matrix[:, :2] @ np.array([3.0, height / 2])
        patch = cv2.warpAffine(
            grey,
            matrix,
            (width, height),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REPLICATE,
        ).ravel()
        patch = patch - patch.mean()
        patches.append(patch / max(float(np.linalg.norm(patch)), 1e-6))
    return np.concatenate(patches).astype(np.float64)


def eye_look(eyes: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    """Per frame: how much each eye looks like the recording's own open eye (the median
    patch over the `neutral` frames), as the correlation of the patches, both eyes averaged:
    ~1 open as usual, well below when the lids cover the iris and the white."""
    half = eyes.shape[1] // 2
    look = np.zeros(len(eyes))
    for part in (slice(0, half), slice(half, None)):
        template = np.nanmedian(eyes[neutral, part], axis=0)
        template = template - template.mean()
        template = template / max(float(np.linalg.norm(template)), 1e-6)
        look += eyes[:, part] @ template / 2.0
    return look


def _axes(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per frame: eye midpoint, unit vector along the eyes (image left to right) and the
    perpendicular pointing down the face."""
    right = points[:, RIGHT_EYE].mean(axis=1)
    left = points[:, LEFT_EYE].mean(axis=1)
    across = left - right
    across = across / np.linalg.norm(across, axis=1, keepdims=True)
    down = np.stack([-across[:, 1], across[:, 0]], axis=1)
    return (right + left) / 2.0, across, down


def yaw(points: np.ndarray) -> np.ndarray:
    """Where the nose tip sits between the two sides of the jaw along the eye line: about 0
    facing the camera, positive when the nose moves to the image's right (the person turning
    to their own left, the camera not mirrored)."""
    _, across, _ = _axes(points)
    along = np.einsum("nkd,nd->nk", points, across)
    return (along[:, NOSE_TIP] - along[:, JAW_RIGHT]) / (
        along[:, JAW_LEFT] - along[:, JAW_RIGHT]
    ) - 0.5


def pitch(points: np.ndarray) -> np.ndarray:
    """Nose tip's distance below the eye line over the eye distance: smaller when the person
    looks up. (Not over the chin's distance: the chin drops whenever the mouth opens.)"""
    middle, across, down = _axes(points)
    depth = np.einsum("nd,nd->n", points[:, NOSE_TIP] - middle, down)
    eyes = np.linalg.norm(
        points[:, LEFT_EYE].mean(axis=1) - points[:, RIGHT_EYE].mean(axis=1), axis=1
    )
    return depth / eyes


def corner_pitch(points: np.ndarray) -> np.ndarray:
    """pitch() measured from the four eye corners instead of the eyes' mean points, which
    drop as the lids close: the nose tip's distance below the corners' line over their span."""
    corners = points[:, [36, 39, 42, 45]]
    across = corners[:, 3] - corners[:, 0]
    span = np.linalg.norm(across, axis=1)
    across = across / span[:, None]
    down = np.stack([-across[:, 1], across[:, 0]], axis=1)
    depth = np.einsum("nd,nd->n", points[:, NOSE_TIP] - corners.mean(axis=1), down)
    return depth / span


def eye_aspect_ratio(points: np.ndarray) -> np.ndarray:
    """Soukupova and Cech's eye aspect ratio, both eyes averaged: ~0.25-0.35 open, near 0 shut."""

    def one(eye: np.ndarray) -> np.ndarray:
        p1, p2, p3, p4, p5, p6 = (eye[:, i] for i in range(6))
        vertical = np.linalg.norm(p2 - p6, axis=1) + np.linalg.norm(p3 - p5, axis=1)
        return vertical / (2.0 * np.linalg.norm(p1 - p4, axis=1))

    return (one(points[:, RIGHT_EYE]) + one(points[:, LEFT_EYE])) / 2.0


def mouth_opening(points: np.ndarray) -> np.ndarray:
    """Gap between the inner lips (three pairs averaged) over the distance between the eyes."""
    gap = (
        sum(
            np.linalg.norm(points[:, a] - points[:, b], axis=1)
            for a, b in ((61, 67), (62, 66), (63, 65))
        )
        / 3.0
    )
    eyes = np.linalg.norm(
        points[:, LEFT_EYE].mean(axis=1) - points[:, RIGHT_EYE].mean(axis=1), axis=1
    )
    return gap / eyes


def _aligned(points: np.ndarray, target: np.ndarray) -> np.ndarray:
    """`points` (68, 2) moved by the similarity (shift, scale, rotation) that best fits the
    centred `target` (least squares, Procrustes with scale), itself centred."""
    moved = points - points.mean(axis=0)
    a = (moved * target).sum()
    b = (moved[:, 0] * target[:, 1] - moved[:, 1] * target[:, 0]).sum()
    norm = (moved**2).sum()
    cos, sin = a / norm, b / norm
    return np.stack(
        [cos * moved[:, 0] - sin * moved[:, 1], sin * moved[:, 0] + cos * moved[:, 1]], axis=1
    )


def non_rigid_motion(points: np.ndarray) -> np.ndarray:
    """Per frame: how far the landmarks moved from the track's median face after removing the
    best similarity transform (shift, scale, rotation), as a share of the eye distance.

    A photo panned, zoomed or nudged by a pixel moves rigidly and scores only the detector's
    jitter; a face that talks, blinks and turns scores well above it."""
    valid = ~np.isnan(points[:, 0, 0])
    scores = np.full(len(points), np.nan)
    if valid.sum() < 2:
        return scores
    first = points[np.flatnonzero(valid)[0]]
    first = first - first.mean(axis=0)
    # The median face of the frames brought onto the first one (a per-coordinate median of
    # frames that are zoomed and panned would itself be a distorted face).
    reference = np.median([_aligned(points[i], first) for i in np.flatnonzero(valid)], axis=0)
    eyes = np.linalg.norm(reference[LEFT_EYE].mean(0) - reference[RIGHT_EYE].mean(0))
    for index in np.flatnonzero(valid):
        fitted = _aligned(points[index], reference)
        scores[index] = np.sqrt(((fitted - reference) ** 2).sum(axis=1).mean()) / eyes
    return scores
