"""The face-region mask: where in the frame the generated motion may happen."""

import numpy as np


def face_mask_from_landmarks(
    landmarks: np.ndarray | None,
    height: int,
    width: int,
    *,
    margin: float = 0.35,
) -> np.ndarray:
    """A float32 ``height x width`` mask, 1.0 inside the landmarks' box grown by ``margin``.

    EMO trains with the union of the face boxes over a clip, which is larger than the face in
    any single frame because the head moves; growing the still portrait's box by a fraction of
    its size on every side stands in for that union. Without landmarks the whole frame may move.
    """
    if landmarks is None:
        return np.ones((height, width), dtype=np.float32)
    points = np.asarray(landmarks, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"landmarks must be an (N, 2) array, got shape {points.shape}")
    if margin < 0:
        raise ValueError(f"margin must not be negative, got {margin}")
    (left, top), (right, bottom) = points.min(axis=0), points.max(axis=0)
    grow_x, grow_y = (right - left) * margin, (bottom - top) * margin
    x0 = int(np.clip(np.floor(left - grow_x), 0, width))
    x1 = int(np.clip(np.ceil(right + grow_x), 0, width))
    y0 = int(np.clip(np.floor(top - grow_y), 0, height))
    y1 = int(np.clip(np.ceil(bottom + grow_y), 0, height))
    mask = np.zeros((height, width), dtype=np.float32)
    mask[y0:y1, x0:x1] = 1.0
    return mask
