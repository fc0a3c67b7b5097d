"""Teeth seen through rounded lips: partly hidden by the lips and in their shadow, but tooth-
coloured, and the two rows without a bright seam between them.

A smiling photo's rounded vowel (obama.jpg at about 0.79 of its width) puckers the lips over its
teeth. Faded out as a whole instead (each row's opacity times what the lips had not yet
covered), the teeth turned a see-through grey over the mouth's dark, a ghost of teeth, and
where the faded upper row overlapped the faded lower band their opacities added up to a pale
ragged line across the mouth.

Read from rendered frames of the shared photos, down each column of the opening's middle,
from the frame's own pixels; the photo's own teeth (the same frame at its own width) give the
tooth colour.
"""

from __future__ import annotations

import numpy as np
import pytest

from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from tests.generation import face_helpers as fh

SMILES = ("obama.jpg", "obama2.jpg", "astronaut.png")  # photos that show their own teeth
# The lips go over the teeth between about 0.77 and 0.85 of the photo's width (it depends on
# the photo's narrowing gain); openings from ee to ah.
WIDTHS = tuple(np.round(np.arange(0.74, 0.861, 0.01), 2))
OPENINGS = (0.5, 0.65, 0.77)
STEP = 0.5  # px between samples down a column
RIM_PX = 1.5  # the lips' own anti-aliased rim is left out
# A tooth sample: less saturated than TOOTH_SATURATION (lips, tongue and the mouth's dark are
# red). A ghost of a tooth: such a sample between GHOST_LUMA of the photo's teeth: too dark
# for a tooth in shadow (those are 0.65 of the lit teeth or brighter), too bright and too
# grey for the mouth's dark.
TOOTH_SATURATION = 0.25
GHOST_LUMA = (0.22, 0.6)
# A seam: a tooth sample brighter by SEAM_RISE than both samples SEAM_REACH_PX above and below,
# all of them past the lips' soft shadow, which darkens the opening's first SEAM_RIM_PX under
# each rim (paint_interior). A band of teeth left against the upper rim as the lips reach over
# them is darker in that shadow than below it and, to its tips, darker again: compared with a
# sample in the shadow, its middle read as a seam between two rows (0.18 of obama.jpg's columns
# once the cover was gradual), though no second row was there.
SEAM_RISE, SEAM_REACH_PX, SEAM_RIM_PX = 1.12, 2.0, 2.5



def opening_columns(animator: FaceAnimator, frame: np.ndarray, mouth_open: float,
                    mouth_width: float, span: float = 0.5, count: int = 41):
    """Per column across the middle `span` of the mouth where the lips have parted: the
    frame's RGB down the opening, from under the upper lip's rim to over the lower lip's."""
    rgb = frame.astype(np.float32)
    for u, top, gap in fh.parted_columns(animator, mouth_open, mouth_width, span=span,
                                         count=count, least_gap=2.0 * RIM_PX + 4.0):
        vs = np.arange(top + RIM_PX, top + gap - RIM_PX, STEP)
        yield fh.sample_column(rgb, animator.geometry, u, vs)


def tooth_samples(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(luma, is tooth-coloured) per sample."""
    luma = column @ fh.LUMA
    saturation = 1.0 - column.min(axis=1) / np.maximum(column.max(axis=1), 1.0)
    return luma, saturation < TOOTH_SATURATION


def own_width(animator: FaceAnimator, mouth_open: float) -> tuple[float, float]:
    """The photo's own teeth at this opening and its own width: their lit brightness, and the
    share of columns that read as a seam there (obama2.jpg's lower row is a thin pale band
    between the cavity and a shadow: the photo's own)."""
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=1.0))
    columns = list(opening_columns(animator, frame, mouth_open, 1.0))
    lumas = [luma[tooth] for luma, tooth in map(tooth_samples, columns)]
    return float(np.percentile(np.concatenate(lumas), 75)), seam_share(columns)


def ghost_share(columns, teeth_luma: float) -> float:
    """Share of the opening's samples that are grey ghost teeth."""
    ghosts, samples = 0, 0
    for column in columns:
        luma, tooth = tooth_samples(column)
        share = luma / teeth_luma
        ghosts += int((tooth & (share > GHOST_LUMA[0]) & (share < GHOST_LUMA[1])).sum())
        samples += luma.size
    return ghosts / samples if samples else 0.0


def seam_share(columns) -> float:
    """Share of the columns with a bright seam across the teeth."""
    reach = int(round(SEAM_REACH_PX / STEP))
    shade = int(round((SEAM_RIM_PX - RIM_PX) / STEP))
    seams, read = 0, 0
    for column in columns:
        luma, tooth = tooth_samples(column[shade : len(column) - shade])
        read += 1
        if luma.size <= 2 * reach:
            continue
        middle = luma[reach:-reach]
        neighbours = np.maximum(luma[: -2 * reach], luma[2 * reach :])
        seams += bool((tooth[reach:-reach] & (middle > SEAM_RISE * neighbours)).any())
    return seams / read if read else 0.0


def rounded_frames(animator: FaceAnimator):
    """Per rounded pose: (mouth_open, mouth_width), the opening's columns, and own_width's
    figures at that opening."""
    for mouth_open in OPENINGS:
        own = own_width(animator, mouth_open)
        for mouth_width in WIDTHS:
            frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=mouth_width))
            columns = list(opening_columns(animator, frame, mouth_open, mouth_width))
            yield (mouth_open, float(mouth_width)), columns, own


@pytest.mark.parametrize("name", SMILES)
def test_teeth_under_rounded_lips_stay_tooth_coloured(animators, name):
    ghosts = {pose: ghost_share(columns, teeth_luma)
              for pose, columns, (teeth_luma, _) in rounded_frames(animators[name])}
    worst = max(ghosts, key=ghosts.get)
    assert ghosts[worst] <= 0.15, (worst, round(ghosts[worst], 3))


@pytest.mark.parametrize("name", SMILES)
def test_teeth_under_rounded_lips_show_no_bright_seam_between_the_rows(animators, name):
    # Over the share of columns that read as a seam at the photo's own width.
    seams = {pose: seam_share(columns) - own_seams
             for pose, columns, (_, own_seams) in rounded_frames(animators[name])}
    worst = max(seams, key=seams.get)
    assert seams[worst] <= 0.1, (worst, round(seams[worst], 3))
