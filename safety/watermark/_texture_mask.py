"""Perceptual mask: where in a frame the mark may be stronger or must be weaker.

Noise added to a flat area (skin, sky, a plain wall) is easy to see; the same noise in a textured
area is hidden by the texture. The mask follows each frame's local fine-detail energy (mean
absolute Laplacian), so the mark's energy moves with the content instead of sitting as a fixed
texture over smooth moving regions. The local averaging runs on a 4x smaller image: the mask
varies slowly, and this keeps embedding well under a millisecond per 512x512 frame.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

_DOWNSCALE = 4
_WINDOW = 5  # in downscaled pixels, i.e. about 20 source pixels
_FLOOR = 1.0  # detail level (grey levels) below which an area counts as flat
_EXPONENT = 1.0  # gain proportional to local detail (measured: least mottling on flat skin)
_MIN_GAIN, _MAX_GAIN = 0.15, 2.5  # relative to the frame's root-mean-square gain


def texture_mask(luma: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """Per-pixel gain for the mark, with mean square 1 so the frame's total mark energy is fixed."""
    height, width = luma.shape
    detail = cv2.convertScaleAbs(cv2.Laplacian(luma, cv2.CV_16S, ksize=1))
    small_size = (max(1, width // _DOWNSCALE), max(1, height // _DOWNSCALE))
    small = cv2.resize(detail, small_size, interpolation=cv2.INTER_AREA).astype(np.float32)
    activity = cv2.blur(small, (_WINDOW, _WINDOW))
    gain = np.power(activity + _FLOOR, _EXPONENT)
    gain /= np.sqrt(np.mean(gain * gain))
    np.clip(gain, _MIN_GAIN, _MAX_GAIN, out=gain)
    gain /= np.sqrt(np.mean(gain * gain))
    return cv2.resize(gain, (width, height), interpolation=cv2.INTER_LINEAR)
