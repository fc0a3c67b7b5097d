"""The upper teeth's tips under rounded lips: a clean edge along the lip, not a ragged strip.

As the puckered lips reach over a smiling photo's teeth (obama.jpg at 0.79 of its width), what
is left of the upper row is a thin strip under the lip. Slid up by each column's own measured
edge (a median of the photo's jagged biting edge), neighbouring columns read the photo a pixel
or two apart, and the strip's lower edge was a sawtooth of 1-3 px tips.

Read from rendered frames of the shared photos, down each column (every half pixel) of the
opening's middle half, in the animator's own mouth frame: where the first run of tooth-coloured
samples under the upper lip ends. Its raggedness is how far that edge strays from itself
smoothed over 4.5 px, on the frames where the lips have covered most of the teeth.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import uniform_filter1d

from generation.renderers.talking import face_fields
from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from generation.renderers.talking.face_fields import mouth_field
from tests.generation import face_helpers as fh

SMILES = ("obama.jpg", "astronaut.png")  # obama2.jpg's teeth start below a strip of lip
WIDTHS = tuple(np.round(np.arange(0.77, 0.851, 0.01), 2))
OPENINGS = (0.5, 0.65, 0.8)
# Frames where the lips cover this share of the teeth or more (a thin strip), but not all.
COVERED = (0.4, 0.97)
STEP = 0.25  # px between samples down a column
COLUMN_PX = 0.5  # px between columns
# A tooth sample: less saturated than this (lips and the mouth's dark are red) and at least
# TOOTH_LUMA of the photo's lit teeth.
TOOTH_SATURATION, TOOTH_LUMA = 0.25, 0.5
RIM_PX = 2.0  # the strip starts within this of the lip's rim
SMOOTH_COLUMNS = 9  # 4.5 px: under a tooth's width, over a ragged tip's
LEAST_SAMPLES = 40



def lit_teeth_luma(animator: FaceAnimator, mouth_open: float) -> float:
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=1.0)).astype(np.float32)
    lumas = []
    for u, top, gap in fh.parted_columns(animator, mouth_open, 1.0, span=0.5, count=41,
                                         least_gap=4.0):
        column = fh.sample_column(frame, animator.geometry, u, np.arange(top, top + gap, 0.5))
        saturation = 1.0 - column.min(axis=1) / np.maximum(column.max(axis=1), 1.0)
        lumas.append((column @ fh.LUMA)[saturation < TOOTH_SATURATION])
    return float(np.percentile(np.concatenate(lumas), 75))


def teeth_cover(animator: FaceAnimator, mouth_open: float, mouth_width: float) -> float:
    """How far the lips cover the teeth at the mouth's middle, as the animator's field says."""
    g = animator.geometry
    width = 1.0 - (1.0 - mouth_width) * animator.narrowing_gain
    u = np.array([g.mouth_centre_u], dtype=np.float32)
    v = np.array([float(g.upper_inner(g.mouth_centre_u)) + 1.0], dtype=np.float32)
    field = mouth_field(g, u, v, opening_px=mouth_open * animator.max_opening_px, width=width,
                        cover=face_fields.teeth_cover(mouth_width))
    return float(field.teeth_cover[0])


def tips_edge(animator: FaceAnimator, frame: np.ndarray, mouth_open: float, mouth_width: float,
              teeth_luma: float) -> np.ndarray:
    """Per column: px from the upper lip's rim to the end of the teeth under it (NaN: none)."""
    g = animator.geometry
    count = int(g.mouth_half_width / COLUMN_PX) + 1
    rgb = frame.astype(np.float32)
    edge = []
    for u, top, gap in fh.parted_columns(animator, mouth_open, mouth_width, span=0.5,
                                         count=count, least_gap=4.0):
        column = fh.sample_column(rgb, g, u, np.arange(top, top + gap, STEP))
        saturation = 1.0 - column.min(axis=1) / np.maximum(column.max(axis=1), 1.0)
        tooth = (saturation < TOOTH_SATURATION) & (column @ fh.LUMA > TOOTH_LUMA * teeth_luma)
        found = np.flatnonzero(tooth)
        if not len(found) or found[0] * STEP > RIM_PX:
            edge.append(np.nan)
            continue
        gone = np.flatnonzero(~tooth[found[0]:])
        edge.append((found[0] + (gone[0] if len(gone) else len(tooth) - found[0])) * STEP)
    return np.array(edge)


def raggedness(edge: np.ndarray) -> tuple[float, int]:
    """Mean px the edge strays from itself smoothed (over each unbroken stretch, its ends
    left out), and over how many columns."""
    strays = []
    shown = np.isfinite(edge).astype(int)
    for start, end in np.flatnonzero(np.diff(np.concatenate([[0], shown, [0]]))).reshape(-1, 2):
        stretch = edge[start:end]
        if len(stretch) < 2 * SMOOTH_COLUMNS:
            continue
        smooth = uniform_filter1d(stretch, SMOOTH_COLUMNS, mode="nearest")
        reach = SMOOTH_COLUMNS // 2
        strays.append(np.abs(stretch - smooth)[reach:-reach])
    if not strays:
        return 0.0, 0
    strays = np.concatenate(strays)
    return float(strays.mean()), len(strays)


@pytest.mark.parametrize("name", SMILES)
def test_tooth_tips_under_rounded_lips_form_a_clean_edge(animators, name):
    animator = animators[name]
    ragged = {}
    for mouth_open in OPENINGS:
        teeth_luma = lit_teeth_luma(animator, mouth_open)
        for mouth_width in WIDTHS:
            cover = teeth_cover(animator, mouth_open, float(mouth_width))
            if not COVERED[0] <= cover <= COVERED[1]:
                continue
            frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=mouth_width))
            stray, columns = raggedness(tips_edge(animator, frame, mouth_open,
                                                  float(mouth_width), teeth_luma))
            if columns >= LEAST_SAMPLES:
                ragged[(mouth_open, float(mouth_width), round(cover, 2))] = stray
    assert ragged, "no frame with the teeth mostly covered"
    worst = max(ragged, key=ragged.get)
    assert ragged[worst] <= 0.13, (worst, round(ragged[worst], 3), ragged)
