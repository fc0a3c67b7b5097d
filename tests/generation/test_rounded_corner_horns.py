"""A rounded mouth's corners: past the ends of its hole, where the lips meet, no dark horns.

Rounded (an oo: 0.3-0.6 of the full opening at 0.75-0.8 of the width), a photo's lips meet
beside a hole narrower than the mouth. astronaut.png smiles in the photo, and under its upper
lip's corners lies the smile's own shadow, a few px above dlib's inner line: a mouth closing at
its own width keeps it (it is the commissure's shadow there), but beside a rounded hole it
stood as a dark triangle past each end of the hole, pointing up the smile's line, out where
the lips had already thinned to nothing (and a thinner one on obama.jpg).

biden.jpg is not read: its lips meet in the photo, so its rounded opening is a slit running
out to the corners, with no lips meeting beside it, and past the slit's end each corner keeps
the photo's own dimple (3-4 px of dark, as its shut frame shows), a crease rightly kept.

Read from rendered frames of the other shared photos (the head still), per column of the
mouth's frame outward from half of the narrowed mouth's half-width to just past its corner:
how many px of the column, between the upper lip's outer line and the lower lip's (moved
down by the jaw), are dark against the skin beside that corner (graded, as
tests/generation/test_opening_ends.py does). Going outward the hole's dark thins out; from
the first column where it is under END_PX, no column may show more than MAX_HORN_SHARE of
the face's height of dark again (a shut mouth's crease, fading out to the corner, is a px or
two). On e9aee7f astronaut.png read 2.7-3.2 px there (0.012-0.014 face heights) and
obama.jpg up to 3.9 (0.017), obama2.jpg at most 2.0; now astronaut.png at most 0.9,
obama.jpg 2.0, obama2.jpg 2.0.
"""

from __future__ import annotations

import numpy as np
import pytest

from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from tests.generation.face_helpers import luma_at_aligned, narrowed_width, skin_beside_corner

PHOTOS = ("obama.jpg", "obama2.jpg", "astronaut.png")
# (mouth_width, mouth_open): rounded, part and wide open.
POSES = ((0.8, 0.3), (0.8, 0.45), (0.8, 0.6), (0.75, 0.45), (0.75, 0.6))
# Columns read, in shares of the narrowed mouth's half-width from its middle (one px apart).
ACROSS = (0.5, 1.05)
# A pixel darker than DARK_FROM x the skin counts as dark by how far below it is, fully at
# DARK_FULL x the skin.
DARK_FROM, DARK_FULL = 0.5, 0.25
SAMPLES = 80
# The hole has ended where a column shows less dark than this.
END_PX = 1.0
MAX_HORN_SHARE = 0.01


def dark_beyond_hole(animator: FaceAnimator, mouth_width: float, mouth_open: float,
                     side: float) -> float:
    """The most dark px any column shows outward of where the hole's dark ends, on one side
    (-1: the image's left, 1: its right) of a rounded frame."""
    g = animator.geometry
    uc, half = g.mouth_centre_u, g.mouth_half_width
    narrowed = narrowed_width(animator, mouth_width)
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=mouth_width))
    shares = np.arange(ACROSS[0], ACROSS[1], 1.0 / (narrowed * half))
    us = uc + side * shares * narrowed * half
    photo_us = uc + side * shares * half
    top = np.asarray(g.upper_outer(photo_us), dtype=np.float64) - 3.0
    bottom = (np.asarray(g.lower_outer(photo_us), dtype=np.float64)
              + 0.85 * mouth_open * animator.max_opening_px)
    vs = top[None, :] + (bottom - top)[None, :] * np.linspace(0.0, 1.0, SAMPLES + 1)[:, None]
    luma = luma_at_aligned(animator, frame, np.broadcast_to(us[None, :], vs.shape), vs)
    skin = skin_beside_corner(animator, side)
    darkness = np.clip((DARK_FROM * skin - luma) / ((DARK_FROM - DARK_FULL) * skin), 0.0, 1.0)
    dark = darkness.mean(axis=0) * (bottom - top)
    ended = np.flatnonzero(dark < END_PX)
    if len(ended) == 0:
        return 0.0
    return float(dark[ended[0]:].max())


@pytest.mark.parametrize(("mouth_width", "mouth_open"), POSES)
@pytest.mark.parametrize("photo", PHOTOS)
def test_rounded_corners_grow_no_dark_horns(animators, photo, mouth_width, mouth_open):
    animator = animators[photo]
    limit = MAX_HORN_SHARE * animator.geometry.face_height
    for side in (-1.0, 1.0):
        horn = dark_beyond_hole(animator, mouth_width, mouth_open, side)
        assert horn <= limit, (
            f"{photo} at width {mouth_width}, mouth_open {mouth_open}: "
            f"{'right' if side > 0 else 'left'} corner shows {horn:.2f} px of dark past the "
            f"hole's end (at most {limit:.2f})")
