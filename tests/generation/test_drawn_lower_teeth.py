"""Drawn lower teeth: a few incisors' tips in the lower lip's shadow, not a pale line along
the opening's lower rim.

biden.jpg shows no teeth, so they are drawn (mouth_interior.drawn_teeth). Wide open, the
drawn lower row ran as tall to 0.6 of the mouth's half-width with flat tips, lit 0.78 of the
upper row: a thin grey crescent along the lower rim, brighter than the lip under it, that read
as a line drawn round the opening rather than as teeth.

Measured on rendered frames, per column across the middle 0.95 of the mouth where the lips
have parted: the frame's pixels from 3 px above the opening's lower rim down to it, against
the lip just below (the median luma 2-5 px under the rim). A pale sample: grey (saturation
under PALE_SATURATION; the lips, tongue and the mouth's dark are red) and at least
PALE_LUMA of the lip's luma.
- The brightest grey sample along the rim, against its lip: teeth in the lower lip's shadow
  are no brighter than the lip (BRIGHTEST_BOUND 1.0). Before: 1.08-1.13 of the lip at 0.8-1.0
  open (widths 0.9-1.1); after: 0.85-0.91.
- The share of the columns with a pale sample (PALE_SHARE_BOUND 0.12): a few incisors' tips,
  not the rim's length. Before: 0.20-0.27; after: 0.01-0.04.
- Beyond 0.5 of the half-width no pale sample at all (a guard: 0 before and after).
At 0.6 open (and rounded, 0.6 at 0.75 of the width) no lower teeth show: 0 before and after.
"""

from __future__ import annotations

import numpy as np
import pytest

from generation.renderers.talking.face_animator import FramePose
from tests.generation import face_helpers as fh

POSES = ((0.6, 1.0), (0.8, 1.0), (1.0, 1.0), (0.8, 0.9), (0.8, 1.1), (1.0, 0.9), (1.0, 1.1),
         (0.6, 0.75))
SPAN, COLUMNS = 0.95, 77
RIM_WINDOW_PX = 3.0  # how far above the lower rim a tooth's tip is looked for
LIP_BELOW_PX = (2.0, 5.0)  # the lip's own luma is read this far under the rim
STEP = 0.5
PALE_SATURATION = 0.3
PALE_LUMA = 0.85
BRIGHTEST_BOUND = 1.0
PALE_SHARE_BOUND = 0.12
OUTER = 0.5


@pytest.fixture(scope="module")
def biden():
    return fh.photo_animators(("biden.jpg",))["biden.jpg"]


def rim_columns(animator, mouth_open: float, mouth_width: float):
    """Per parted column: (across, the brightest grey sample's luma over the lip's, whether a
    pale sample is there)."""
    g = animator.geometry
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=mouth_width))
    rgb = frame.astype(np.float32)
    for u, top, gap in fh.parted_columns(animator, mouth_open, mouth_width, span=SPAN,
                                         count=COLUMNS, least_gap=2.0):
        across = (u - g.mouth_centre_u) / g.mouth_half_width
        rim = top + gap
        near = fh.sample_column(rgb, g, u, np.arange(rim - RIM_WINDOW_PX, rim + 0.01, STEP,
                                                     dtype=np.float32))
        lip = fh.sample_column(rgb, g, u, np.arange(rim + LIP_BELOW_PX[0],
                                                    rim + LIP_BELOW_PX[1] + 0.01, STEP,
                                                    dtype=np.float32))
        lip_luma = max(float(np.median(lip @ fh.LUMA)), 1.0)
        luma = near @ fh.LUMA
        saturation = 1.0 - near.min(axis=1) / np.maximum(near.max(axis=1), 1.0)
        grey = saturation < PALE_SATURATION
        brightest = float(luma[grey].max()) / lip_luma if grey.any() else 0.0
        yield across, brightest, brightest >= PALE_LUMA


@pytest.mark.parametrize("mouth_open,mouth_width", POSES)
def test_no_pale_line_along_the_lower_rim(biden, mouth_open, mouth_width):
    columns = list(rim_columns(biden, mouth_open, mouth_width))
    assert len(columns) > COLUMNS // 2
    across = np.array([c[0] for c in columns])
    brightest = np.array([c[1] for c in columns])
    pale = np.array([c[2] for c in columns])
    assert brightest.max() <= BRIGHTEST_BOUND, (
        f"a tooth-pale pixel {brightest.max():.2f} of the lip's brightness along the lower rim")
    assert pale.mean() <= PALE_SHARE_BOUND, (
        f"pale along {pale.mean():.2f} of the lower rim's columns")
    assert not pale[np.abs(across) > OUTER].any(), "pale beyond the lower incisors"
