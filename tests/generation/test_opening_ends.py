"""A slightly open mouth's ends: the dark of the opening thins out to the corner where the
photo's own lips meet, not a blunt dark blob past it.

The opening was an oval across the mouth, whose ends are upright: a few px from dlib's outer
corners it was still a fifth as tall as at the middle. A wide smile's outer corners lie on the
skin beyond its commissures (astronaut.png), and there the opening ended in a dark blob a few
px tall, poking past where the lips meet into the smile's skin (at 0.15-0.3 of the full
opening, where the rest of it is a thin dark line or a strip of teeth).

Read from rendered frames of the shared photos (the photo's own width, the head still), per
column of the mouth's frame near each corner: how many px of the column, between the upper
lip's outer line and the lower lip's (moved down by the jaw), are dark against the skin
beside the corner, and the same in the photo itself. Past the point where the photo's own
corner thins below CORNER_DARK_PX, the frame may not be darker than the photo by more than
EXCESS_DARK_PX (a soft line fading out is a px or so).
"""

from __future__ import annotations

import numpy as np
import pytest

from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from tests.generation.face_helpers import luma_at_aligned, skin_beside_corner

PHOTOS = ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png")
OPENINGS = (0.15, 0.3)
# Columns read, in shares of the mouth's half-width from its middle (one px apart).
ACROSS = (0.75, 1.08)
# A pixel darker than DARK_FROM x the skin counts as dark by how far below it is, fully at
# DARK_FULL x the skin: a grey fringe counts in part.
DARK_FROM, DARK_FULL = 0.8, 0.4
# Samples down each column (the jaw's drop included).
SAMPLES = 60
CORNER_DARK_PX = 2.0
EXCESS_DARK_PX = 1.0



def dark_px(animator: FaceAnimator, image: np.ndarray, side: float, mouth_open: float
            ) -> np.ndarray:
    """Per column from ACROSS[0] to ACROSS[1] of the half-width on one side: how many px of
    the column between the lips' outer lines (the lower one moved down by the jaw's drop)
    are dark against the skin beside that corner."""
    g = animator.geometry
    uc, half = g.mouth_centre_u, g.mouth_half_width
    us = uc + side * np.arange(ACROSS[0], ACROSS[1], 1.0 / half) * half
    skin = skin_beside_corner(animator, side)
    top = np.asarray(g.upper_outer(us), dtype=np.float64)
    bottom = np.asarray(g.lower_outer(us), dtype=np.float64) + 0.85 * mouth_open * \
        animator.max_opening_px
    shares = np.linspace(0.0, 1.0, SAMPLES + 1)
    vs = top[None, :] + (bottom - top)[None, :] * shares[:, None]
    luma = luma_at_aligned(animator, image, np.broadcast_to(us[None, :], vs.shape), vs)
    darkness = np.clip((DARK_FROM * skin - luma) / ((DARK_FROM - DARK_FULL) * skin), 0.0, 1.0)
    return darkness.mean(axis=0) * (bottom - top)


def excess_at_corner(animator: FaceAnimator, mouth_open: float, side: float) -> float:
    """How many px darker than the photo the frame is, at worst, in the columns of one corner
    from where the photo's own corner thins below CORNER_DARK_PX outwards."""
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=1.0))
    photo = dark_px(animator, animator.image, side, mouth_open)
    rendered = dark_px(animator, frame, side, mouth_open)
    thin = np.flatnonzero(photo >= CORNER_DARK_PX)
    start = int(thin[-1]) + 1 if len(thin) else 0
    return float((rendered[start:] - photo[start:]).max(initial=0.0))


@pytest.mark.parametrize("name", PHOTOS)
def test_a_slightly_open_mouth_thins_out_where_the_photos_lips_meet(animators, name):
    excess = {(mouth_open, side): round(excess_at_corner(animators[name], mouth_open, side), 2)
              for mouth_open in OPENINGS for side in (-1.0, 1.0)}
    assert max(excess.values()) <= EXCESS_DARK_PX, excess
