"""The ends of the teeth rows, against the mouth's dark: a smooth outline, not square steps.

A row's ends were measured per column of the photo: its edge dropped from the row's full depth
to nothing within a pixel or two, and between there and its middle it followed the steps of a
median-filtered edge. Moved and drawn, astronaut.png's upper row ended on the right in a
staircase of white blocks against the dark mouth (a 9 px wall, then a ledge), and
obama2.jpg's lower row began on the left as a pale block as tall as its teeth and the
shadowed band under them.

Read from rendered frames of the shared photos: down each pixel column of the opening (as
the animator's mouth field places it) over the outer parts of the mouth, where the mouth's
dark (under 0.3 of the opening's bright) begins and ends: the dark's outline. Between
neighbouring columns it may step by a few px (a tooth's own edge, the rounded end's slope),
not by a wall.
"""

from __future__ import annotations

import numpy as np
import pytest

from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from tests.generation import face_helpers as fh

# The photos that show their own teeth (biden.jpg's are drawn, mouth_interior.drawn_teeth: there
# the dark's lower outline at the corners is the painted tongue's end).
PHOTOS = ("obama.jpg", "obama2.jpg", "astronaut.png")
OPENINGS = (0.45, 0.6, 0.65, 0.8, 1.0)
WIDTHS = (0.9, 1.0, 1.15)
STEP = 0.5  # px between samples down a column
RIM_PX = 1.0  # the lips' own anti-aliased rim is left out
DARK = 0.3  # the mouth's dark: under this share of the opening's bright (its 95th percentile)
OUTER = 0.35  # the rows' ends: columns this share of the mouth's half-width from its middle on
# The most the dark's outline may step between neighbouring columns (px). A row's rounded end
# steps 2-4.5 px; the flat ends stepped 5.5-10 px (obama2.jpg's lower row, astronaut.png's
# upper row).
MOST_STEP_PX = 5.0



def dark_outline(animator: FaceAnimator, mouth_open: float, mouth_width: float) -> np.ndarray:
    """Per pixel column of the opening with a dark run in it (rows: across (share of the half-
    width from the mouth's middle), px from the opening's top to the dark's first pixel, px from
    its last pixel to the opening's bottom). A dark run is two samples or more: a single one is
    a gap between teeth."""
    g = animator.geometry
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=mouth_width))
    rgb = frame.astype(np.float32)
    count = int(2 * g.mouth_half_width) + 1
    columns = [(u, fh.sample_column(rgb, g, u, np.arange(top + RIM_PX, top + gap - RIM_PX, STEP))
                @ fh.LUMA)
               for u, top, gap in fh.parted_columns(animator, mouth_open, mouth_width, span=1.0,
                                                    count=count, least_gap=3.0)]
    bright = np.percentile(np.concatenate([luma for _, luma in columns]), 95)
    outline = []
    for u, luma in columns:
        dark = luma < DARK * bright
        runs = np.flatnonzero(dark[:-1] & dark[1:])
        if len(runs):
            outline.append(((u - g.mouth_centre_u) / g.mouth_half_width, runs[0] * STEP,
                            (len(luma) - 2 - runs[-1]) * STEP))
    return np.array(outline).reshape(-1, 3)


def outer_steps(outline: np.ndarray, side: int, edge: int) -> np.ndarray:
    """The steps (px) of the outline's ``edge`` (1: top, 2: bottom) between neighbouring
    columns on one ``side`` (-1, 1) of the mouth's outer parts."""
    outer = outline[outline[:, 0] * side > OUTER]
    # Columns are about 1 px apart (1/45-1/58 of the half-width): a step is between columns
    # at most a few px apart (not across a stretch without dark).
    neighbours = np.diff(outer[:, 0]) < 0.075
    return np.abs(np.diff(outer[:, edge]))[neighbours]


def worst_steps(animator: FaceAnimator, edge: int, sides=(-1, 1)) -> list:
    worst = []
    for mouth_open in OPENINGS:
        for mouth_width in WIDTHS:
            outline = dark_outline(animator, mouth_open, mouth_width)
            for side in sides:
                steps = outer_steps(outline, side, edge)
                if len(steps):
                    worst.append((float(steps.max()), mouth_open, mouth_width, side))
    return worst


@pytest.mark.parametrize("name", PHOTOS)
def test_lower_rows_end_without_walls(animators, name):
    """Where the mouth's dark meets what lies under it (the lower teeth, or the lip where
    there are none), towards the corners the edge steps by a few px at most: obama2.jpg's lower
    row began as a pale block 9-10 px tall at 0.45 open."""
    worst = max(worst_steps(animators[name], edge=2), default=(0.0,))
    assert worst[0] <= MOST_STEP_PX, (name, worst)


def test_upper_row_ends_without_a_staircase(animators):
    """astronaut.png's upper row ends on the right in its side teeth sloping up into the dark
    corner, not in a 6.5 px wall and a ledge (0.6-1.0 open, at its own width)."""
    worst = max(worst_steps(animators["astronaut.png"], edge=1, sides=(1,)))
    assert worst[0] <= MOST_STEP_PX - 0.5, worst
