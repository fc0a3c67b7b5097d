"""A part-closed mouth's corner shows no pencil line under a dark upper lip.

obama2.jpg is taken mid-speech, its right mouth corner (the image's right) black in the
photo, and the upper lip over that black in its own shadow (dlib's upper inner line lies in
the black; the lip ends 4-6 px above it). Part closed (0.2-0.3 of the full opening, widths
0.9-1.1) the opening narrows to nothing towards that corner, and along the lower lip's top,
under the upper lip's dark underside, a near-black line 1-2 px wide ran in 45-degree steps to
the corner, like a pencil line: the opening's rim pixels are painted only for their share
inside the rim, and for the rest the map read the photo's gap, there its black corner.
tests/generation/test_dark_corner.py does not see it (the line is dark, not black by its
BLACK_SHARE: 12-17 grey levels, the lips' middle 125), nor do test_closing_corner.py (0.1-0.15
open only, and a line a px wide stays under its bound on the dark's area),
test_lip_edge_bites.py (the corners left out), test_lip_top_walls.py (steps of the dark's
outline between neighbouring columns, which the line follows smoothly) and
test_tooth_row_ends.py (0.45 open and wider).

Read from rendered frames of the shared photos (the head still), per column of the mouth's
frame about a px apart in the outer part of each side, where the opening as the animator's
own mouth field places it is at most THIN_PX tall (it narrows to nothing there): the upper
lip's level just above the opening and the lower lip's just below it (medians over
LIP_READ_PX); where the upper lip is dark (under DARK_UPPER_LIP of the lower lip: its
shadowed underside at a photo's dark corner), the darkest pixel from just above the opening
to just below it, as a share of that upper lip. A thin opening between lips that dark may
show as dark as they are, or a little darker; a line much darker than both is drawn, not
seen. The least share over the columns, both sides and POSES must be at least LEAST_SHARE.

On e6229d8 obama2.jpg's right corner read 0.24-0.48 over POSES (0.24 at width 1.1, 0.3
open; 0.32 at 1.0, 0.3); now 0.59-0.92. The others, unchanged: obama2.jpg's left corner
0.59-0.79, astronaut.png's left 0.59-0.84, biden.jpg's right 0.78-1.10; obama.jpg has no such
column (the upper lip over its thin corners is lit).

Since the painted cavity takes the photo's own mouth dark (test_cavity_colour.py; obama2.jpg's
is near black, luma about 10), the thinnest painted opening at obama2.jpg's left corner reads
0.45-0.68 (a thin crease at the corner, as the photo's own; looked at in 6x crops), the right
0.59-0.92, biden.jpg's right 0.63-1.10, astronaut.png's left 0.59-0.84; the bound is 0.4,
still under everything but the line (0.24 on e6229d8).
"""

from __future__ import annotations

import numpy as np
import pytest

from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from tests.generation import face_helpers as fh

PHOTOS = ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png")
# (mouth_width, mouth_open): part closed, spread, neutral and wide.
POSES = tuple((width, opening) for width in (0.9, 1.0, 1.1) for opening in (0.2, 0.25, 0.3))
# Columns from OUTER_FROM of the half-width out to the corner, where the opening is at most
# THIN_PX tall (at these poses, from about 0.85 of the half-width on).
OUTER_FROM = 0.55
THIN_PX = 2.5
STEP = 0.5  # px between samples down a column
# Each lip's level: the median from LIP_READ_PX[0] to LIP_READ_PX[1] px beyond the opening.
LIP_READ_PX = (1.5, 4.0)
# The upper lip is dark where under this share of the lower lip (obama2.jpg's right corner:
# 0.30-0.35; a lit upper lip, as over obama.jpg's corners, 0.6 and more).
DARK_UPPER_LIP = 0.45
# The darkest pixel between the lips, at least this share of the dark upper lip beside it.
LEAST_SHARE = 0.4


def corner_line_shares(animator: FaceAnimator, frame: np.ndarray, mouth_open: float,
                       mouth_width: float, side: float) -> np.ndarray:
    """Per column of the opening's thin end on one side (-1: the image's left, 1: its right)
    under a dark upper lip: (across, as a share of the half-width; the darkest pixel between
    the lips as a share of the upper lip's level)."""
    g = animator.geometry
    luma = frame.astype(np.float32) @ fh.LUMA
    count = int(2 * g.mouth_half_width) + 1
    shares = []
    for u, top, gap in fh.parted_columns(animator, mouth_open, mouth_width, span=1.0,
                                         count=count, least_gap=0.0):
        across = (u - g.mouth_centre_u) / g.mouth_half_width
        if across * side < OUTER_FROM or gap > THIN_PX:
            continue
        rim = top + gap
        upper = float(np.median(fh.sample_column(
            luma, g, u, np.arange(top - LIP_READ_PX[1], top - LIP_READ_PX[0] + 0.01, STEP))))
        lower = float(np.median(fh.sample_column(
            luma, g, u, np.arange(rim + LIP_READ_PX[0], rim + LIP_READ_PX[1] + 0.01, STEP))))
        if upper >= DARK_UPPER_LIP * lower:
            continue
        darkest = float(fh.sample_column(luma, g, u, np.arange(top - 1.0, rim + 1.01,
                                                                STEP)).min())
        shares.append((across, darkest / max(upper, 1.0)))
    return np.array(shares).reshape(-1, 2)


@pytest.mark.parametrize("photo", PHOTOS)
def test_part_closed_corners_show_no_pencil_line(animators, photo):
    animator = animators[photo]
    worst = []
    for mouth_width, mouth_open in POSES:
        frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=mouth_width))
        for side in (-1.0, 1.0):
            shares = corner_line_shares(animator, frame, mouth_open, mouth_width, side)
            if len(shares):
                at = int(np.argmin(shares[:, 1]))
                worst.append((round(float(shares[at, 1]), 2), round(float(shares[at, 0]), 2),
                              mouth_width, mouth_open))
    assert min((share for share, *_ in worst), default=1.0) >= LEAST_SHARE, sorted(worst)[:4]
