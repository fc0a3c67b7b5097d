"""Nearly shut, the lower lip's top edge is one continuous line: no square step where the strip
of the photo's mouth drawn in the opening ends.

At small openings (0.1-0.3 of the widest) the opening is a few px tall and mostly filled with
the strips of lip (and of whatever the photo shows just inside its lips) that are drawn in
front of the teeth. obama2.jpg's strip under its upper lip (its upper teeth's shaded tops, read
as lip) ended where its upper row ends, from 7 px deep to nothing within a column: the grey
strip ended in a wall, and past it the lower lip's strip reached up to the upper lip, so the
lower lip's top edge stood several px higher on one side of the wall than on the other.

Read from rendered frames, per pixel column across the middle of the mouth (in the animator's
own mouth frame): up from the lower lip's body to where the lip ends (darker, or brighter than
the lip: the mouth, a tooth, the grey strip).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from tests.generation import face_helpers as fh

PHOTOS = ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png")
OPENINGS = (0.1, 0.15, 0.3)
SPAN = 0.8  # columns across this share of the mouth's half-width either side of its middle
STEP = 0.25  # px between samples up a column
# As tests/generation/test_lower_rim_steps.py reads the lip's edge.
DARK, BRIGHT = 0.8, 1.25
# The most the edge may rise or fall between neighbouring columns a px apart. A lip's edge
# slopes by a px or two per column near the corners; the wall was 3-4 px.
MOST_STEP_PX = 2.5


@pytest.fixture(scope="module")
def animators() -> dict[str, FaceAnimator]:
    return fh.photo_animators(PHOTOS)


def lower_lip_top(animator: FaceAnimator, frame: np.ndarray, mouth_open: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(u of each column a px apart, v where the lower lip ends up that column)."""
    g = animator.geometry
    luma = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32)
    count = int(2 * SPAN * g.mouth_half_width) + 1
    us, edges = [], []
    for u, top, gap in fh.parted_columns(animator, mouth_open, 1.0, span=SPAN, count=count,
                                         least_gap=0.0):
        rim = top + gap  # the lower lip's inner edge, as the mouth's field places it
        thickness = float(g.lower_outer(u) - g.lower_inner(u))
        # From within the lip's upper part (below it the lip has its own darker fold) up
        # past the upper lip.
        vs = np.arange(rim + 0.35 * thickness, top - 3.0, -STEP)
        column = fh.sample_column(luma, g, u, vs)
        body = float(np.median(column[vs >= rim + 0.1 * thickness]))
        edge, _ = fh.lip_top_in_column(column, body, dark=DARK, bright=BRIGHT, seam_samples=0)
        us.append(u)
        edges.append(vs[edge] if edge is not None else np.nan)
    return np.array(us), np.array(edges)


@pytest.mark.parametrize("name", PHOTOS)
def test_the_lower_lips_top_edge_has_no_wall_when_nearly_shut(animators, name):
    animator = animators[name]
    worst = []
    for mouth_open in OPENINGS:
        frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=1.0))
        us, edges = lower_lip_top(animator, frame, mouth_open)
        steps = np.abs(np.diff(edges))
        worst.append((mouth_open, float(np.nanmax(steps)),
                      float((us[int(np.nanargmax(steps))] - animator.geometry.mouth_centre_u)
                            / animator.geometry.mouth_half_width)))
    assert max(step for _, step, _ in worst) <= MOST_STEP_PX, [
        (op, round(step, 1), round(at, 2)) for op, step, at in worst]
