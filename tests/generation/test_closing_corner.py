"""A photo's open mouth nearly closed: its corners close with the middle, no dark wedge left
standing beside them.

obama2.jpg is taken mid-speech. Near its right corner dlib's upper inner lip line lies a few
px inside the photo's open mouth, in its dark; that dark was treated as upper lip and stayed
where it was while the middle closed: at 0.1-0.15 of the full opening (the lips all but
meeting in the middle) a black wedge about 6 px tall stood at the right corner.

Read from rendered frames of the shared photos (the photo's own width, the head still), per
column of the mouth's frame in the outer part of each side: how many px of the column,
between the lips' outer lines, are near black against the lips' middle. Averaged over the
outer part, that is the dark's area per px of width; it may not exceed
MAX_CORNER_DARK_SHARE of the face's height (a shut corner's crease is a px or two).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from tests.generation.face_helpers import LUMA

PHOTOS = ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png")
OPENINGS = (0.1, 0.15)
# Columns read, in shares of the mouth's half-width from its middle.
OUTER_PART = (0.6, 0.95)
COLUMNS = 15
# Samples down each column, from just above the upper lip's outer line to just below the
# lower one's.
SAMPLES = 80
MARGIN_PX = 2.0
# Near black: darker than this share of the lips' middle (the red of a dark-skinned
# photo's corner is still brighter than that; the mouth's inside is not).
DARK_SHARE = 0.2
MAX_CORNER_DARK_SHARE = 0.0065



def corner_dark_px(animator: FaceAnimator, image: np.ndarray, side: float,
                   dark_share: float = DARK_SHARE) -> float:
    """Mean height (px) of pixels darker than ``dark_share`` of the lips' middle per column
    across the outer part of the mouth on one side (-1: the image's left, 1: its right)."""
    g = animator.geometry
    uc, half = g.mouth_centre_u, g.mouth_half_width

    def columns(shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        us = uc + shares * half
        top = g.upper_outer(us).astype(np.float64) - MARGIN_PX
        bottom = g.lower_outer(us).astype(np.float64) + MARGIN_PX
        vs = top[:, None] + np.linspace(0.0, 1.0, SAMPLES)[None, :] * (bottom - top)[:, None]
        xs, ys = g.to_image(np.broadcast_to(us[:, None], vs.shape), vs)
        rgb = cv2.remap(image, xs.astype(np.float32), ys.astype(np.float32), cv2.INTER_LINEAR)
        return rgb.astype(np.float32) @ LUMA, (bottom - top) / (SAMPLES - 1)

    middle, _ = columns(np.linspace(-0.3, 0.3, COLUMNS))
    lips = float(np.median(middle))
    outer, step = columns(side * np.linspace(*OUTER_PART, COLUMNS))
    return float(np.mean((outer < dark_share * lips).sum(axis=1) * step))


@pytest.mark.parametrize("mouth_open", OPENINGS)
@pytest.mark.parametrize("photo", PHOTOS)
def test_nearly_closed_corners_leave_no_dark_wedge(animators, photo, mouth_open):
    animator = animators[photo]
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=1.0))
    limit = MAX_CORNER_DARK_SHARE * animator.geometry.face_height
    for side in (-1.0, 1.0):
        dark = corner_dark_px(animator, frame, side)
        assert dark <= limit, (
            f"{photo} at mouth_open {mouth_open}: {'right' if side > 0 else 'left'} corner "
            f"keeps {dark:.2f} px of near black per column (at most {limit:.2f})")
