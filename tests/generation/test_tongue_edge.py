"""The tongue's top edge against the mouth's dark above it: as soft as the photo's own lip
edges, like the opening's rims (test_cavity_rim.py), not a crisp line drawn across the mouth.

Read from rendered frames of the shared photos, down columns over the middle of the mouth,
inside the opening (as the mouth's own field places it): the steepest rise from the dark
above into the lit tongue below, where the whole ramp lies inside the opening and what lies
below it is tongue: not tooth (as red as the lips: the tongue is their tissue), nor the lip
(a smiling photo's lower lip is painted on into the opening; the tongue, inside the mouth,
is darker than the lips); its ramp width (the rise over its steepest slope), against the same
measure on the photo's own upper lip's outer edge.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from tests.generation import face_helpers as fh
from tests.generation.test_cavity_rim import (
    AS_SOFT,
    COLUMNS,
    DARK_INSIDE,
    LEAST_COLUMNS,
    PLATEAU,
    SMEARED,
    SPAN,
    STEP,
    TOOTH_SATURATION,
    photo_lip_edge_width,
    ramp_width,
    saturation,
)

PHOTOS = ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png")
# The tongue lies inside the mouth: at most this share of the upper lip's brightness (its own
# colour is darker than the lips', TONGUE_FROM_LIP; a lip strip is the lip's).
TONGUE_UNDER_LIP = 0.8
# (open, width, tongue): rounded and spread, half to wide open, the tongue at rest and raised
# (th, l). Under 0.45 open the tongue is a sliver too thin to show an edge.
POSES = ((0.45, 0.8, 0.0), (0.6, 0.8, 0.0), (0.8, 0.8, 0.0), (0.6, 1.0, 0.0), (0.8, 1.0, 0.0),
         (0.6, 1.0, 0.7), (0.8, 1.0, 0.7))


def tongue_edge_widths(animator: FaceAnimator, pose: tuple[float, float, float]) -> list[float]:
    """The ramp widths of the tongue's top edge, down the columns over the middle of the
    mouth, in a frame rendered at this pose."""
    g = animator.geometry
    mouth_open, mouth_width, tongue = pose
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=mouth_width,
                                      tongue=tongue))
    luma = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32)
    rgb = frame.astype(np.float32)
    widths = []
    for u, top, gap in fh.parted_columns(animator, mouth_open, mouth_width, span=SPAN,
                                         count=COLUMNS, least_gap=3.0 * PLATEAU[1]):
        def read(vs, u=u):
            return fh.sample_column(luma, g, u, vs)

        # Both of the edge's sides inside the opening, clear of its rims.
        vs = np.arange(top + PLATEAU[1], top + gap - PLATEAU[1], STEP)
        if not len(vs):
            continue
        edge = float(vs[np.argmax(read(vs + 0.5) - read(vs - 0.5))])
        dark_vs, lit_vs = (edge + side * np.arange(*PLATEAU, STEP) for side in (-1.0, 1.0))
        lip_vs = top - np.arange(*PLATEAU, STEP)
        lip_saturation = float(np.median(saturation(fh.sample_column(rgb, g, u, lip_vs))))
        lit_saturation = float(np.median(saturation(fh.sample_column(rgb, g, u, lit_vs))))
        lit = float(np.median(read(lit_vs)))
        if (float(np.median(read(dark_vs))) > DARK_INSIDE * lit
                or lit > TONGUE_UNDER_LIP * float(np.median(read(lip_vs)))
                or lit_saturation < TOOTH_SATURATION * lip_saturation):
            continue
        width = ramp_width(read, edge, -1.0)
        if width is not None:
            widths.append(width)
    return widths


@pytest.mark.parametrize("name", PHOTOS)
def test_the_tongues_top_edge_is_as_soft_as_the_photos_lip_edges(animators, name):
    """Measured on 098ecd4 (TONGUE_EDGE_PX: a linear ramp 2.5 px wide at any opening), the
    sharpest tongue edge of each photo was 0.68 (obama.jpg, 0.8 open, rounded), 0.77
    (obama2.jpg, 0.6 open, rounded), 0.74 (biden.jpg, raised, 0.6 open) and 0.61
    (astronaut.png, wide open) of the photo's lip edge's width; now 0.82 (0.45 open, rounded),
    1.46, 0.8 (0.6 open, spread) and 0.7 (0.45 open, rounded). The softest, 1.73 (obama2.jpg,
    0.8 open, rounded), is kept under SMEARED. Spread wide, obama.jpg's and obama2.jpg's own
    teeth fill the opening and the tongue shows too little of its edge to be read: only their
    rounded poses are."""
    animator = animators[name]
    photo_edge = photo_lip_edge_width(animator)
    softness = {}
    for pose in POSES:
        widths = tongue_edge_widths(animator, pose)
        if len(widths) >= LEAST_COLUMNS:
            softness[pose] = round(float(np.median(widths)) / photo_edge, 2)
    assert softness, "no edge of the tongue against the mouth's dark was read"
    assert min(softness.values()) >= AS_SOFT, softness
    assert max(softness.values()) <= SMEARED, softness
