"""A rounded mouth: where the lips meet beside its hole, lip meets lip, with no dark whiskers.

Rounded (an oo: 0.2-0.6 of the full opening at 0.7-0.8 of the width), a photo's lips meet
beside a hole narrower than the mouth, along the line they met on in the photo (straightened
near the hole). Towards a smile's corners the photo shows, between its lips, the mouth's dark
and the shadow over each lip's inner edge. The frame read each lip there down to dlib's inner
line (the upper one to the commissure shadow's measured edge, which lies on that shadow's ramp):
on astronaut.png, where the lips met, a thin (1 px) near-black line ran from each end of the
hole up the smile's line to where the photo's corners were, stair-stepped, like drawn
whiskers; on obama.jpg a shorter, doubled one, its lower lip's shadowed top too; on obama2.jpg
black dots along the lower lip's edge at its right corner. (Wider, the dark px are few:
tests/generation/test_rounded_corner_horns.py bounds those at 0.01 of the face's height, and
a 1 px line stays under it.)

Read from rendered frames of the shared photos (the head still), per column of the mouth's
frame where the lips meet beside the hole, from 2 px past the hole's end (the hole's own tip
is dark) to near the narrowed mouth's corner: the darkest pixel within 3 px of the line where
the lips meet (as the animator's mouth field places it), against the lips 2-4 px above and
below that pixel (the median of each; the darker of the two): its depth, 1 - darkest / lip.
A real closed mouth's line is darker than its lips too: biden.jpg's own, in its photo, reads
0.35 (median over its columns; 0.45 at most away from its corners' dimples, 0.68 in one). No
column may be deeper than MAX_DEPTH.

On d871985 (the worse side, over the poses): astronaut.png 0.49-0.63 (0.63 at 0.75 wide),
obama.jpg 0.63-0.71, obama2.jpg 0.38-0.49 (no column at 0.8 wide, where its hole reaches the
corners); now astronaut.png at most 0.19, obama.jpg 0.37, obama2.jpg 0.30. biden.jpg's lips
meet in its photo, so its rounded opening is a slit running out to the corners with no lips
meeting beside it: no column is read (before and after).
"""

from __future__ import annotations

import numpy as np
import pytest

from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from generation.renderers.talking.face_fields import mouth_field, teeth_cover
from tests.generation.face_helpers import luma_at_aligned, narrowed_width

PHOTOS = ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png")
# (mouth_width, mouth_open): rounded, from barely to wide open.
POSES = ((0.75, 0.2), (0.75, 0.45), (0.75, 0.6), (0.8, 0.3), (0.8, 0.6), (0.7, 0.3),
         (0.7, 0.6))
# Columns read, in shares of the narrowed mouth's half-width from its middle (one px apart),
# where the hole is under this many px tall (shut, as the opening's coverage has it), from
# this many px past the first such column.
ACROSS = (0.3, 0.97)
SHUT_GAP = 0.25
PAST_HOLE_PX = 2
# The darkest pixel is looked for this far either side of the line (px), the lips this far
# from it (px, every half px).
LINE_BAND = 3.0
LIPS = (2.0, 4.0)
# As deep as a real closed mouth's line gets away from its corners' dimples (biden.jpg's
# photo: 0.45); the whiskers read 0.49-0.71, the lines where the lips meet now 0.37 at most.
MAX_DEPTH = 0.45


def meeting_line(animator: FaceAnimator, mouth_width: float, mouth_open: float, side: float
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Columns u of the mouth's frame on one side (-1: the image's left, 1: its right) where
    the lips meet beside the hole, and the line where they meet there (aligned v)."""
    g = animator.geometry
    uc, half = g.mouth_centre_u, g.mouth_half_width
    narrowed = narrowed_width(animator, mouth_width)
    shares = np.arange(ACROSS[0], ACROSS[1], 1.0 / (narrowed * half))
    us = (uc + side * shares * narrowed * half).astype(np.float32)
    vs = g.upper_inner(us).astype(np.float32)
    field = mouth_field(g, us[None], vs[None], opening_px=mouth_open * animator.max_opening_px,
                        width=narrowed, cover=teeth_cover(mouth_width))
    shut = np.flatnonzero(field.gap[0] < SHUT_GAP)
    if not len(shut):
        return us[:0], vs[:0]
    start = shut[0] + PAST_HOLE_PX
    return us[start:], (vs - field.from_top[0])[start:]


def line_depths(animator: FaceAnimator, frame: np.ndarray, us: np.ndarray, line: np.ndarray
                ) -> np.ndarray:
    """Per column: 1 - the darkest luma near ``line`` over the darker of the lips' above and
    below that pixel."""
    def luma(offsets: np.ndarray, around: np.ndarray) -> np.ndarray:
        vs = around[None, :] + offsets[:, None]
        return luma_at_aligned(animator, frame, np.broadcast_to(us[None, :], vs.shape), vs)

    near = np.arange(-LINE_BAND, LINE_BAND + 0.25, 0.5)
    band = luma(near, line)
    darkest_at = line + near[np.argmin(band, axis=0)]
    lips = np.arange(LIPS[0], LIPS[1] + 0.25, 0.5)
    above = np.median(luma(-lips, darkest_at), axis=0)
    below = np.median(luma(lips, darkest_at), axis=0)
    return 1.0 - band.min(axis=0) / np.maximum(np.minimum(above, below), 1.0)


@pytest.mark.parametrize(("mouth_width", "mouth_open"), POSES)
@pytest.mark.parametrize("photo", PHOTOS)
def test_rounded_lips_meet_without_dark_whiskers(animators, photo, mouth_width, mouth_open):
    animator = animators[photo]
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=mouth_width))
    for side in (-1.0, 1.0):
        us, line = meeting_line(animator, mouth_width, mouth_open, side)
        if not len(us):
            continue
        depths = line_depths(animator, frame, us, line)
        worst = int(np.argmax(depths))
        assert depths[worst] <= MAX_DEPTH, (
            f"{photo} at width {mouth_width}, mouth_open {mouth_open}: where the lips meet "
            f"beside the hole's {'right' if side > 0 else 'left'} end, {worst + PAST_HOLE_PX}"
            f" px past it, a line {depths[worst]:.2f} darker than the lips (at most "
            f"{MAX_DEPTH})")
