"""Drawn teeth for a photo that shows none: teeth a viewer reads as teeth, not tiles."""

from __future__ import annotations

import numpy as np
from scipy.signal import find_peaks

from generation.renderers.talking.face_fields import MouthField
from generation.renderers.talking.mouth_interior import MouthLook, paint_interior

HALF_WIDTH_PX = 60  # a 120 px wide mouth, as on a 512 px portrait crop
GAP_PX = 34.0


def _open_mouth_field() -> MouthField:
    rows, cols = int(GAP_PX), 2 * HALF_WIDTH_PX + 1
    column = np.broadcast_to(np.linspace(-1.0, 1.0, cols), (rows, cols)).copy()
    from_top = np.broadcast_to(np.arange(rows, dtype=np.float64)[:, None] + 0.5,
                               (rows, cols)).copy()
    gap = np.full((rows, cols), GAP_PX)
    zeros = np.zeros((rows, cols))
    depth = np.clip(np.minimum(from_top, gap - from_top) / (0.5 * gap), 0.0, 1.0)
    return MouthField(du=zeros, dv=zeros, coverage=np.ones((rows, cols)), depth=depth,
                      column=column, from_top=from_top, gap=gap, upper_source_v=zeros,
                      lower_source_v=zeros, upper_limit_v=zeros, lower_limit_v=zeros)


def _upper_teeth_row() -> np.ndarray:
    look = MouthLook(light=1.0, teeth_height_px=9.0, photo_shows_teeth=False)
    colour = paint_interior(look, _open_mouth_field(), None, None)
    return colour[4].mean(axis=1)  # brightness along a row through the upper teeth


def test_drawn_upper_teeth_are_few_broad_and_touching():
    # The forged look first: a picket fence of a dozen narrow tiles split by dark gaps (what
    # the animator drew before) reads as a sticker. Front teeth are broad (the two centrals
    # take about a third of the mouth's width) and touch: between neighbours a faint seam.
    row = _upper_teeth_row()
    middle = slice(int(0.08 * HALF_WIDTH_PX), int(2 * HALF_WIDTH_PX - 0.08 * HALF_WIDTH_PX))
    seams, _ = find_peaks(-row[middle], prominence=2.0)
    seams = seams + middle.start
    assert 5 <= len(seams) <= 10  # teeth, plural, but not a dozen tiles
    centre = HALF_WIDTH_PX
    central = seams[np.argsort(np.abs(seams - centre))[:3]]
    widths = np.diff(np.sort(central))
    assert widths.min() >= 0.25 * HALF_WIDTH_PX  # each central incisor
    for seam in seams:
        around = row[max(seam - 6, 0) : seam + 7]
        assert row[seam] >= 0.6 * around.max()  # a seam, not a dark gap (was 0.4)
