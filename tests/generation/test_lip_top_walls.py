"""Nearly shut, no block stands on the lower lip where the lower teeth row ends.

obama2.jpg shows its mouth open (its lower teeth 33 px below the upper lip's line). Closed to
0.15-0.3 of the widest opening, its lower teeth row is lifted as one rigid piece by the
middle's jaw lift, while the lip in front of it rises less towards the corners: the row's
outer end stood above the lip's edge as a block 3-5 px tall with a vertical side against the
mouth's dark corner beside it (its left end, at about 0.57 of the half-width, in the lip's
colour; its right end, a white sliver of tooth).

Read from rendered frames, in the animator's own mouth frame: per pixel column over the outer
parts of the mouth, up from the lower lip's body to the first of the mouth's dark: the dark's
lower outline. Between neighbouring columns it may step by a px or two (the lip's edge
sloping into a corner, a row's rounded end), not by a wall.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from tests.generation import face_helpers as fh

PHOTOS = ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png")
OPENINGS = (0.15, 0.2, 0.3)
WIDTHS = (0.8, 1.0)
# Columns from INNER to OUTER of the half-width from the middle, on both sides (the rows' ends
# lie at 0.55-0.65; past OUTER the opening is a thin taper into the corner), about a px apart.
INNER, OUTER = 0.3, 0.85
STEP = 0.5  # px between samples up a column
# The mouth's dark: under this share of the lower lip's own brightness (its dark corners are at
# 0.2-0.3 of it; obama2.jpg's shaded upper teeth at 0.5-0.6, the block that stood on its lip at
# 0.7-0.8).
DARK = 0.4
# The most the dark's lower outline may step between neighbouring columns (px). The lip's edge
# sloping into a corner steps by up to 1.5 px; where the rows fill the opening from lip to lip,
# beside the dark corner, their rounded ends by up to 3.5 (obama2.jpg at 0.3 open). The block
# stepped by 5.
MOST_STEP_PX = 4.0


def dark_bottoms(animator: FaceAnimator, mouth_open: float, mouth_width: float
                 ) -> np.ndarray:
    """Per column over the mouth's outer parts with dark in its opening (rows: across, as a
    share of the half-width; px above the opening's lower rim where the dark ends: the lowest
    of its runs of two samples or more)."""
    g = animator.geometry
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=mouth_width))
    luma = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32)
    count = int(2 * OUTER * g.mouth_half_width) + 1
    bottoms = []
    for u, top, gap in fh.parted_columns(animator, mouth_open, mouth_width, span=OUTER,
                                         count=count, least_gap=1.0):
        across = (u - g.mouth_centre_u) / g.mouth_half_width
        if abs(across) < INNER:
            continue
        rim = top + gap
        thickness = float(g.lower_outer(u) - g.lower_inner(u))
        body = np.arange(rim + 0.15 * thickness, rim + 0.4 * thickness, STEP)
        lip = float(np.median(fh.sample_column(luma, g, u, body)))
        vs = np.arange(rim + 1.0, top - 1.0, -STEP)
        dark = fh.sample_column(luma, g, u, vs) < DARK * lip
        runs = np.flatnonzero(dark[:-1] & dark[1:])
        if len(runs):
            bottoms.append((across, rim - vs[runs[0]]))
    return np.array(bottoms).reshape(-1, 2)


def worst_step(bottoms: np.ndarray) -> tuple[float, float]:
    """(the largest step of the dark's lower outline between neighbouring columns, px; where,
    as a share of the half-width)."""
    if len(bottoms) < 2:
        return 0.0, 0.0
    neighbours = np.diff(bottoms[:, 0]) < 0.05
    steps = np.where(neighbours, np.abs(np.diff(bottoms[:, 1])), 0.0)
    at = int(np.argmax(steps))
    return float(steps[at]), float(bottoms[at, 0])


@pytest.mark.parametrize("name", PHOTOS)
def test_no_block_stands_on_the_lower_lip_nearly_shut(animators, name):
    worst = [(*worst_step(dark_bottoms(animators[name], mouth_open, mouth_width)),
              mouth_open, mouth_width)
             for mouth_open in OPENINGS for mouth_width in WIDTHS]
    assert max(step for step, *_ in worst) <= MOST_STEP_PX, [
        (round(step, 1), round(across, 2), mouth_open, mouth_width)
        for step, across, mouth_open, mouth_width in worst]
