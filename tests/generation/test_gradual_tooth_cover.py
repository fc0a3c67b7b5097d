"""Rounded lips take the teeth away gradually as the mouth narrows, not all at once.

In speech the mouth's width moves a little every frame. The lips reached over the teeth as a
smoothstep of the pucker, itself a smoothstep of the width after the photo's narrowing gain:
the teeth went from a full row to none within about 0.03 of the width (obama.jpg at 0.3 open:
a full white upper row at 0.82, a dark slot at 0.78; biden.jpg's drawn teeth at 0.88 -> 0.86),
so a rounded vowel's small wobbles in width made the teeth blink on and off.

On the way, what is left of the teeth is teeth: the hidden lower incisors under a smiling
photo's upper row (the animator's band of smoothed tooth colour) rode up with the upper row as
it slid under the lip and filled all the room it left, a flat grey slab under the teeth
(obama.jpg at 0.8 of its width, 0.65 open: 6 px tall).

Read from rendered frames of the shared photos at widths 0.70 to 1.00 in steps of 0.01: the
area of the opening that shows tooth, down each column of the opening (every half pixel), in the
animator's own mouth frame. Between neighbouring widths it changes by at most a share of the
most tooth any of those widths shows. The slab: down each column of the opening's middle half,
the longest run of grey samples (tooth-coloured, dimmer than lit teeth) whose brightness stays
within SLAB_FLAT of the lit teeth's; its median over the columns.
"""

from __future__ import annotations

import numpy as np
import pytest

from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from generation.renderers.talking.face_fields import mouth_field
from tests.generation import face_helpers as fh

PHOTOS = ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png")
WIDTHS = tuple(np.round(np.arange(0.70, 1.001, 0.01), 2))
OPENINGS = (0.3, 0.65)  # an oo's opening and an open ah's
SPAN = 0.95  # share of the mouth's half-width read either side of its middle
STEP = 0.5  # px between samples, down a column and across
# A tooth sample: less saturated than this (lips, tongue and the mouth's dark are red) and at
# least TOOTH_LUMA of the photo's lit teeth (teeth in the lips' shadow stay above it).
TOOTH_SATURATION, TOOTH_LUMA = 0.25, 0.55
# The largest change in tooth area from one width to the next (0.01 apart), as a share of the
# most any width shows: 0.51-0.81 per photo before (the teeth gone within 0.03 of the width),
# 0.15-0.34 now.
MOST_CHANGE = 0.4
# Grey: tooth-coloured at SLAB_LUMA of the lit teeth (a lit tooth is brighter, the mouth's
# dark darker); flat: within SLAB_FLAT of them over the run. At most SLAB_MOST_PX of it (the
# photos' own teeth and the hidden band at their own width: 0.5-1 px).
SLAB_LUMA, SLAB_FLAT, SLAB_MOST_PX = (0.4, 0.75), 0.05, 3.0
SMILES = ("obama.jpg", "obama2.jpg", "astronaut.png")  # photos that show their own teeth



def opening_columns(animator: FaceAnimator, frame: np.ndarray, mouth_open: float,
                    mouth_width: float):
    """Per column of the opening, every STEP px across SPAN of the mouth: the frame's RGB down
    it, from the upper lip's rim to the lower's, where the animator's field places them (at
    the width the photo's narrowing gain makes of ``mouth_width``)."""
    g = animator.geometry
    width = mouth_width
    if width < 1.0:
        width = 1.0 - (1.0 - width) * animator.narrowing_gain
    half = SPAN * g.mouth_half_width
    us = np.arange(g.mouth_centre_u - half, g.mouth_centre_u + half, STEP).astype(np.float32)
    lip = g.upper_inner(us).astype(np.float32)
    field = mouth_field(g, us, lip, opening_px=mouth_open * animator.max_opening_px, width=width)
    rgb = frame.astype(np.float32)
    for u, rim, gap, from_top in zip(us, lip, field.gap, field.from_top, strict=True):
        if gap >= 1.0:
            yield fh.sample_column(rgb, g, float(u), np.arange(rim - from_top,
                                                               rim - from_top + gap, STEP))


def is_tooth(column: np.ndarray, teeth_luma: float) -> np.ndarray:
    saturation = 1.0 - column.min(axis=1) / np.maximum(column.max(axis=1), 1.0)
    return (saturation < TOOTH_SATURATION) & (column @ fh.LUMA >= TOOTH_LUMA * teeth_luma)


def lit_teeth_luma(animator: FaceAnimator, mouth_open: float) -> float:
    """The teeth's brightness at the photo's own width (the brightest tenth of the opening's
    unsaturated samples)."""
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=1.0))
    lumas = []
    for column in opening_columns(animator, frame, mouth_open, 1.0):
        saturation = 1.0 - column.min(axis=1) / np.maximum(column.max(axis=1), 1.0)
        lumas.append((column @ fh.LUMA)[saturation < TOOTH_SATURATION])
    return float(np.percentile(np.concatenate(lumas), 90))


def tooth_area(animator: FaceAnimator, mouth_open: float, mouth_width: float,
               teeth_luma: float) -> float:
    """px^2 of the opening that shows tooth at this pose."""
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=mouth_width))
    samples = sum(int(is_tooth(column, teeth_luma).sum())
                  for column in opening_columns(animator, frame, mouth_open, mouth_width))
    return samples * STEP * STEP


@pytest.mark.parametrize("name", PHOTOS)
def test_teeth_go_under_the_lips_gradually_as_the_mouth_narrows(animators, name):
    animator = animators[name]
    changes = {}
    for mouth_open in OPENINGS:
        teeth_luma = lit_teeth_luma(animator, mouth_open)
        areas = np.array([tooth_area(animator, mouth_open, float(width), teeth_luma)
                          for width in WIDTHS])
        assert areas.max() > 50.0, (mouth_open, areas.max())  # teeth to cover
        steps = np.abs(np.diff(areas)) / areas.max()
        at = int(np.argmax(steps))
        changes[(mouth_open, float(WIDTHS[at]), float(WIDTHS[at + 1]))] = float(steps[at])
    worst = max(changes, key=changes.get)
    assert changes[worst] <= MOST_CHANGE, (worst, round(changes[worst], 3), changes)


def flat_grey_px(column: np.ndarray, teeth_luma: float) -> float:
    """px of the longest run of grey samples down ``column`` whose brightness stays within
    SLAB_FLAT of the lit teeth's."""
    luma = (column @ fh.LUMA) / teeth_luma
    saturation = 1.0 - column.min(axis=1) / np.maximum(column.max(axis=1), 1.0)
    grey = (saturation < TOOTH_SATURATION) & (luma > SLAB_LUMA[0]) & (luma < SLAB_LUMA[1])
    longest, start = 0, 0
    while start < len(luma):
        if not grey[start]:
            start += 1
            continue
        end = start + 1
        while (end < len(luma) and grey[end]
               and np.ptp(luma[start : end + 1]) < SLAB_FLAT):
            end += 1
        longest = max(longest, end - start)
        start = end
    return longest * STEP


@pytest.mark.parametrize("name", SMILES)
def test_no_flat_grey_slab_under_the_teeth_as_the_lips_reach_over_them(animators, name):
    animator = animators[name]
    slabs = {}
    for mouth_open in (0.5, 0.65, 0.8):
        teeth_luma = lit_teeth_luma(animator, mouth_open)
        for width in np.round(np.arange(0.76, 0.881, 0.01), 2):
            frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=float(width)))
            columns = list(opening_columns(animator, frame, mouth_open, float(width)))
            middle = columns[len(columns) // 4 : 3 * len(columns) // 4]
            slabs[(mouth_open, float(width))] = float(
                np.median([flat_grey_px(column, teeth_luma) for column in middle]))
    worst = max(slabs, key=slabs.get)
    assert slabs[worst] <= SLAB_MOST_PX, (worst, slabs[worst])
