"""The inside of a rounded (oo) mouth has depth: the lips' inner surfaces fall off gradually into
its dark, not a flat near-black field cut into the lips.

On the photos whose lips are shut or whose teeth are together (obama.jpg, astronaut.png,
biden.jpg), the rounded hole was painted as a crisp, uniformly near-black ellipse with a thin
pink ring along its rims: a hole cut in the photo, or a cartoon. A real open mouth's dark is not
flat: obama2.jpg's own, in its photo, goes from its lit tongue and teeth into the near-black
over most of its height, the near-black itself a thin band.

Read from rendered frames only (the head still), as a viewer sees them: the hole is the dark
region (L* under half the mouth box's median, the box from the photo's dlib landmarks) under the
mouth's middle, as tests/generation/test_rounded_cavity.py finds it. Its near-black core is the
part within CORE_SHARE of the way from the hole's darkest (5th percentile) up to the box's
median; the rest of the hole is the falloff from the lips into the dark. Over the hole's middle
half (its columns from a quarter to three quarters across), the falloff's share of the hole's
pixels is compared with the same measure on obama2.jpg's photo (0.79 of its hole; 0.034 face
heights each side, brow to chin).

On 6919cf8 the rounded holes' falloff was 0.29-0.45 of the hole (each side 0.006-0.020 face
heights): obama.jpg 0.33-0.40, astronaut.png 0.29-0.45, biden.jpg 0.36-0.42; obama2.jpg's own
rounded hole, over its photo's teeth and dark, 0.64-0.82. Now obama.jpg 0.59-0.62,
astronaut.png 0.62-0.66, biden.jpg 0.52-0.56 (each side 0.009-0.030 face heights), obama2.jpg
0.62-0.88. The bound, FALLOFF_OF_REAL of obama2.jpg's photo's 0.79, is 0.48.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from generation.renderers.talking.face_animator import FramePose
from tests.generation import face_helpers as fh

PHOTOS = ("obama.jpg", "astronaut.png", "biden.jpg", "obama2.jpg")
REAL_OPEN_MOUTH = "obama2.jpg"
# The motion plan's rounded widths (its narrowest is 0.72), from half to wide open.
ROUNDED_WIDTHS = (0.70, 0.75)
OPENINGS = (0.45, 0.6, 0.7)
# The near-black core: within this share of the way from the hole's darkest up to the mouth
# box's median lightness (on obama2.jpg's photo 4 L* levels of 100 above its darkest).
CORE_SHARE = 0.1
# A rounded hole's falloff is at least this share of the real open mouth's: a smaller, rounder
# mouth than obama2.jpg's wide one, lit as much from the front, shows less of its inside lit
# (its lips are nearer the light), but a hole more than half near-black is the flat cut-out.
FALLOFF_OF_REAL = 0.6
# ... and its middle stays dark: its darkest under this share of the box's median lightness
# (obama2.jpg's photo 0.01; the rounded holes 0.03-0.12 on 6919cf8, now 0.06-0.16).
DARK_MIDDLE = 0.2


def _lightness(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2LAB)[..., 0].astype(np.float32) * (100.0 / 255.0)


def _hole(frame: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lightness of the mouth's box, the dark hole in it) on ``frame``."""
    return fh.dark_hole(_lightness(frame), points, above_px=4)


def _face_height(points: np.ndarray) -> float:
    return float(points[8, 1] - min(points[19, 1], points[24, 1]))


def _depth(frame: np.ndarray, points: np.ndarray) -> tuple[float, float, float]:
    """(the falloff's share of the hole's middle half, its width each side in face heights,
    the hole's darkest over the box's median lightness)."""
    box, hole = _hole(frame, points)
    median = float(np.median(box))
    darkest = float(np.percentile(box[hole], 5))
    core = hole & (box <= darkest + CORE_SHARE * (median - darkest))
    columns = np.flatnonzero(hole.any(axis=0))
    first, last = columns[0], columns[-1]
    reach = last - first
    middle = slice(int(first + 0.25 * reach), int(last - 0.25 * reach) + 1)
    hole_px, core_px = int(hole[:, middle].sum()), int(core[:, middle].sum())
    columns_counted = int(hole[:, middle].any(axis=0).sum())
    falloff = 1.0 - core_px / hole_px
    each_side = (hole_px - core_px) / (2.0 * columns_counted) / _face_height(points)
    return falloff, each_side, darkest / median


@pytest.fixture(scope="module")
def real_falloff(animators) -> float:
    animator = animators[REAL_OPEN_MOUTH]
    falloff, _, _ = _depth(animator.image, fh.detect_landmarks(animator.image))
    assert falloff > 0.6, falloff  # the photo's open mouth, measured as it is (0.79)
    return falloff


@pytest.mark.parametrize("name", PHOTOS)
def test_a_rounded_hole_falls_off_from_the_lips_into_its_dark(animators, real_falloff, name):
    animator = animators[name]
    points = fh.detect_landmarks(animator.image)
    for width in ROUNDED_WIDTHS:
        for opening in OPENINGS:
            frame = animator.render(FramePose(mouth_open=opening, mouth_width=width))
            falloff, each_side, darkest = _depth(frame, points)
            assert falloff >= FALLOFF_OF_REAL * real_falloff, (
                width, opening, round(falloff, 3), round(each_side, 4), round(real_falloff, 3))
            assert darkest < DARK_MIDDLE, (width, opening, round(darkest, 3))
