"""Hallo's face inputs from Signet's own face analysis (dlib's 68 landmarks, crop pixels).

Hallo boxes the face and the lips from mediapipe's mesh, blurs the boxes at 64 x 64 and hands
the UNet three soft masks per level: background (pose), face without lips, lips. The same is
built here from the 68 points; dlib has no forehead points, so the face box is raised by a fifth
of its height to cover what mediapipe's face oval covers.
"""

import cv2
import numpy as np
import torch

from generation.diffusion.configs import FACE_EXPAND_RATIO
from generation.diffusion.spatial import RegionMasks

JAW_AND_BROWS = slice(0, 27)
MOUTH = slice(48, 68)
LIP_EXPAND_RATIO = 2.0  # Hallo's get_lip_mask default, which its inference uses
FOREHEAD = 0.2
BLUR_SIZE = 64


def expand_box(box: tuple[float, float, float, float], width: int, height: int, ratio: float):
    """Hallo's expand_region: grow (x0, x1, y0, y1) about its centre, shifted back inside."""
    x0, x1, y0, y1 = box
    mid_x, mid_y = (x0 + x1) // 2, (y0 + y1) // 2
    half_x, half_y = ((x1 - x0) * ratio) // 2, ((y1 - y0) * ratio) // 2
    x0, x1, y0, y1 = mid_x - half_x, mid_x + half_x, mid_y - half_y, mid_y + half_y
    if x0 < 0:
        x1, x0 = x1 - x0, 0
    if x1 > width:
        x0, x1 = x0 - (x1 - width), width
    if y0 < 0:
        y1, y0 = y1 - y0, 0
    if y1 > height:
        y0, y1 = y0 - (y1 - height), height
    return max(x0, 0), min(x1, width), max(y0, 0), min(y1, height)


def _box_mask(points: np.ndarray, size: int, ratio: float, raise_top: float = 0.0) -> np.ndarray:
    (x0, y0), (x1, y1) = np.round(points.min(axis=0)), np.round(points.max(axis=0))
    y0 -= raise_top * (y1 - y0)
    x0, x1, y0, y1 = expand_box((x0, x1, y0, y1), size, size, ratio)
    mask = np.zeros((size, size), np.uint8)
    mask[round(y0) : round(y1), round(x0) : round(x1)] = 255
    return mask


def _blurred(mask: np.ndarray, kernel: int) -> np.ndarray:
    small = cv2.resize(mask, (BLUR_SIZE, BLUR_SIZE))
    blurred = cv2.GaussianBlur(small, (kernel, kernel), 0)
    return cv2.normalize(blurred, None, 0, 255, cv2.NORM_MINMAX)


def region_masks(landmarks: np.ndarray | None, size: int) -> tuple[np.ndarray, tuple[RegionMasks, ...]]:
    """The face-region image (3, size, size) in [0, 1] and the mask pyramid (latent size, /2,
    /4, /8) for a square crop of ``size`` pixels. Without landmarks the whole image is the face,
    as Hallo does when it finds none."""
    if landmarks is None:
        face = np.full((size, size), 255, np.uint8)
        lips = np.zeros((size, size), np.uint8)
        lips[size // 2 : size * 3 // 4, size // 3 : size * 2 // 3] = 255
    else:
        points = np.asarray(landmarks, dtype=np.float64)
        face = _box_mask(points[JAW_AND_BROWS], size, FACE_EXPAND_RATIO, FOREHEAD)
        lips = _box_mask(points[MOUTH], size, LIP_EXPAND_RATIO)
    face_soft = _blurred(face, 51)
    lip_soft = _blurred(lips, 31)
    background = (255 * (1.0 - face_soft / 255.0)).astype(np.uint8)
    face_only = cv2.subtract(face_soft, lip_soft)
    levels = []
    for divisor in (8, 16, 32, 64):
        side = max(1, size // divisor)
        maps = [cv2.resize(m, (side, side), interpolation=cv2.INTER_AREA) for m in
                (background, face_only, lip_soft)]
        levels.append(RegionMasks(*(torch.from_numpy(m.astype(np.float32) / 255.0).reshape(1, -1)
                                    for m in maps)))
    region = np.repeat((face.astype(np.float32) / 255.0)[None], 3, axis=0)
    return region, tuple(levels)
