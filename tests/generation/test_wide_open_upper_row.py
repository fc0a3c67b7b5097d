"""Opened wide, a photo's upper teeth stay hanging from the upper lip, as wide and tall as the
photo shows them.

obama2.jpg is taken mid-speech, its mouth open: about six upper teeth across the middle of the
opening, at their full height right under the upper lip. Their top 2.5-7 px are shaded pink,
and the animator measures them as a strip of lip in front of the row (on the image's right,
over whole teeth). Opened wide with the lips a little rounded (the "ah" of "Ah! Father, calm
down": 0.9 open, width 0.84), that strip went with the lip, which rounded lips read a teeth
band further down, and was dropped: the upper row became 2.5-4 px of tips floating under a
dark band, a third of the opening wide, with a dark notch on its right where teeth go on. In a
real mouth the upper teeth move with the upper jaw and lip, which barely move: they keep their
width and hang from the lip while the jaw drops.

Read in the animator's own mouth frame, per column every half px across the mouth (where the
opening is at least LEAST_GAP_PX tall): down from the opening's top (the photo's inner upper
lip for the still; where the animator's mouth field places it for a frame), the run of samples
at least BRIGHT of the still's upper teeth (90th percentile of its top 12 px over the middle
MIDDLE of the half-width) that starts within HANG_PX of the top, the longest if several (the
lip's own lit rim may reach BRIGHT for a sample). A column shows the upper row where that run
is TOOTH_PX or more. The row's width: how much of the half-width such columns cover (a frame's
as a share of its narrowed mouth's); its height: the run's median over the middle columns. At
every pose the width must be at least WIDTH_SHARE of the still's, and the height at least
HEIGHT_SHARE of it, or ROUNDED_HEIGHT_SHARE where rounded lips reach over the teeth.

On 6919cf8 obama2.jpg (still: 1.18 half-widths wide, 9 px tall) at width 0.84 read widths
0.45-0.48 of the still's, heights 0.61-0.67; now 0.84-0.86 and 0.78. At widths 0.9 and 1.0:
0.81 and 0.94-1.11; now 0.88-0.90, the same heights. obama.jpg read widths 0.93-1.03, now
1.02-1.03; astronaut.png 0.89-0.94, now 0.92-0.94; their heights are unchanged (0.64-0.91 and
0.67-0.82). biden.jpg's teeth are drawn, not the photo's: it is not read (its frames are
pixel-identical).
"""

from __future__ import annotations

import numpy as np
import pytest

from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from generation.renderers.talking.face_fields import teeth_cover
from generation.renderers.talking.mouth_interior import photo_gap_lines
from tests.generation import face_helpers as fh

PHOTOS = ("obama.jpg", "obama2.jpg", "astronaut.png")  # the photos whose own teeth are shown
# (mouth_width, mouth_open): wide open, at the width the motion plan gives an "ah" (0.84)
# and wider.
POSES = tuple((width, opening) for width in (0.84, 0.9, 1.0) for opening in (0.6, 0.8, 1.0))
STEP = 0.5  # px between samples down a column, and between columns
LEAST_GAP_PX = 4.0
MIDDLE = 0.3
# Brighter than this share of the still's teeth is tooth: obama2.jpg's shaded tooth tops read
# 0.5-0.7, its upper lip 0.3-0.45 and the mouth's dark under 0.2.
BRIGHT = 0.45
# The run starts this close under the opening's top: the row hangs from the lip (the opening's
# soft rim is 1-2 px).
HANG_PX = 2.0
TOOTH_PX = 3.0
# The broken row read 0.45-0.48 of the still's width; whole rows 0.84-1.03.
WIDTH_SHARE = 0.72
# Heights read 0.78-1.11 of the still's. Where rounded lips reach over the teeth (0.24 of the
# way at width 0.84: the row slides up under the lip, its longest tips cut to the shorter
# ones') less shows by design: 0.64-0.78 on the three photos.
HEIGHT_SHARE, ROUNDED_HEIGHT_SHARE = 0.75, 0.6


def upper_row(animator: FaceAnimator, image: np.ndarray, columns, reference: float | None = None
              ) -> tuple[float, float, float]:
    """(reference brightness, width in half-widths, middle height in px) of the upper row
    that ``image`` shows hanging from the opening's top, over ``columns`` ((u, top, gap)
    in the mouth's frame)."""
    g = animator.geometry
    luma = image.astype(np.float32) @ fh.LUMA
    reads = []
    for u, top, gap in columns:
        if gap < LEAST_GAP_PX:
            continue
        vs = np.arange(top, top + gap, STEP)
        reads.append(((u - g.mouth_centre_u) / g.mouth_half_width,
                      fh.sample_column(luma, g, u, vs).ravel()))
    if reference is None:
        reference = float(np.percentile(np.concatenate(
            [column[: int(12 / STEP)] for across, column in reads if abs(across) < MIDDLE]), 90))
    runs = []
    for across, column in reads:
        bright = np.concatenate([[0], (column >= BRIGHT * reference).astype(np.int8), [0]])
        starts, ends = np.flatnonzero(np.diff(bright) == 1), np.flatnonzero(np.diff(bright) == -1)
        hanging = starts * STEP <= HANG_PX
        runs.append((across, float((ends - starts)[hanging].max() * STEP) if hanging.any()
                     else 0.0))
    runs = np.array(runs)
    spacing = STEP / g.mouth_half_width
    width = float((runs[:, 1] >= TOOTH_PX).sum() * spacing)
    return reference, width, runs


def still_columns(animator: FaceAnimator):
    g = animator.geometry
    us = np.arange(g.mouth_centre_u - g.mouth_half_width, g.mouth_centre_u + g.mouth_half_width,
                   STEP)
    tops, bottoms = photo_gap_lines(g, us)
    return zip(us, tops, bottoms - tops, strict=True)


def middle_height(runs: np.ndarray, narrowed: float) -> float:
    return float(np.median(runs[np.abs(runs[:, 0]) < MIDDLE * narrowed, 1]))


def row_figures(animator: FaceAnimator) -> dict:
    """Per pose: (width, height) as shares of the still's, and the still's (width, height)."""
    reference, width, runs = upper_row(animator, animator.image, still_columns(animator))
    height = middle_height(runs, 1.0)
    figures = {}
    for mouth_width, mouth_open in POSES:
        frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=mouth_width))
        count = int(2 * animator.geometry.mouth_half_width / STEP) + 1
        columns = fh.parted_columns(animator, mouth_open, mouth_width, span=1.0, count=count,
                                    least_gap=0.0)
        _, frame_width, frame_runs = upper_row(animator, frame, columns, reference)
        narrowed = fh.narrowed_width(animator, mouth_width)
        figures[(mouth_width, mouth_open)] = (
            round(frame_width / narrowed / width, 2),
            round(middle_height(frame_runs, narrowed) / height, 2))
    return figures, (round(width, 2), height)


@pytest.fixture(scope="module")
def animators():
    return fh.photo_animators(PHOTOS)


@pytest.mark.parametrize("name", PHOTOS)
def test_wide_open_upper_row_keeps_the_photos_width_and_height(animators, name):
    figures, still = row_figures(animators[name])
    narrow = {pose: shares for pose, shares in figures.items() if shares[0] < WIDTH_SHARE}
    short = {pose: shares for pose, shares in figures.items()
             if shares[1] < (HEIGHT_SHARE if teeth_cover(pose[0]) == 0.0
                             else ROUNDED_HEIGHT_SHARE)}
    assert not narrow and not short, (still, figures)
