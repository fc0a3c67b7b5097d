"""The open mouth's rim against the lips: as soft as the photo's own lip edges, not a hole cut
out of the photo with the dark pasted in.

The opening is painted over the photo with a cut edge (each pixel by its share inside the
rim): from the lit lip into the mouth's dark in one pixel, where the photo's own edges, through
its lens and its skin, take two to four (biden.jpg's soft photo most of all).

Read from rendered frames of the shared photos, up columns over the middle of the mouth
(where the mouth's own field places the opening's rims), as the brightness across each rim
where the mouth's dark meets a lip (not the teeth: their edges under the lips stay as they
are): its ramp width, the rise over its steepest slope (a linear ramp's width; 2.5 sigma of a
blurred step; one pixel for a cut), against the same measure on the photo's own upper lip's
outer edge, the lip against the skin.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from tests.generation import face_helpers as fh

PHOTOS = ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png")
# Wide open, spread and rounded (the motion plan's ah, and a rounded vowel opened as far).
POSES = ((0.45, 1.0), (0.6, 1.0), (0.45, 0.8), (0.6, 0.8))
STEP = 0.25  # px between samples up a column
SPAN = 0.4  # the middle of the mouth: this share of its half-width either side
COLUMNS = 33
# Either side of an edge its two levels are the medians from PLATEAU[0] to PLATEAU[1] px
# away; its steepest slope (over one px) is read between them.
PLATEAU = (2.5, 4.5)
# The lip's edge the eye sees is the steepest rise within LOCATE_PX of the opening's rim (a
# smiling photo's lips are painted on into the opening, a few px past it).
LOCATE_PX = 3.0
# A rim is the mouth's dark against a lip where its inside is darker than DARK_INSIDE of the
# lip, and no tooth lies within TEETH_CLEAR_PX of it inside (LOCATE_PX and the blur's reach):
# nothing brighter than TEETH_OVER_LIP x the lip, nor greyer than TOOTH_SATURATION x the lip's
# saturation and brighter than DARK_INSIDE of it (teeth in the lips' shadow).
DARK_INSIDE = 0.6
TEETH_OVER_LIP, TEETH_CLEAR_PX = 1.0, 8.0
TOOTH_SATURATION = 0.7
# A rim is judged in a frame where it is read up at least this many of the columns; its median
# ramp width, over the photo's lip edge's, at least AS_SOFT and at most SMEARED.
LEAST_COLUMNS = 8
AS_SOFT, SMEARED = 0.65, 2.0


def ramp_width(read, edge: float, dark_side: float, locate_px: float = 0.0) -> float | None:
    """The ramp width (px) of the edge at ``edge`` (v in the mouth's frame; or at its
    steepest rise within ``locate_px`` of it) in the image ``read(vs)`` reads, its dark side
    towards ``dark_side`` (-1: up, 1: down); None where its two sides differ by under 8
    levels."""
    near = np.arange(-locate_px, locate_px + 1e-6, STEP)
    rise = read(edge - dark_side * (near + 0.5)) - read(edge - dark_side * (near - 0.5))
    edge = edge - dark_side * float(near[np.argmax(rise)])
    offsets = np.arange(-PLATEAU[1], PLATEAU[1] + 1e-6, STEP)
    profile = read(edge - dark_side * offsets)  # from the dark side to the light
    return fh.ramp_over_profile(profile, offsets, PLATEAU, STEP)


def saturation(rgb: np.ndarray) -> np.ndarray:
    return 1.0 - rgb.min(axis=-1) / np.maximum(rgb.max(axis=-1), 1.0)


def cavity_rim_widths(animator: FaceAnimator, mouth_open: float, mouth_width: float
                      ) -> dict[str, list[float]]:
    """The ramp widths of each rim (upper, lower) where the mouth's dark meets a lip, up the
    columns over the middle of the mouth, in a frame rendered at this pose."""
    g = animator.geometry
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=mouth_width))
    luma = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32)
    rgb = frame.astype(np.float32)
    widths = {"upper": [], "lower": []}
    for u, top, gap in fh.parted_columns(animator, mouth_open, mouth_width, span=SPAN,
                                         count=COLUMNS, least_gap=2.0 * PLATEAU[1]):
        def read(vs, u=u):
            return fh.sample_column(luma, g, u, vs)

        for rim_name, rim, inwards in (("upper", top, 1.0), ("lower", top + gap, -1.0)):
            lip_vs = rim - inwards * np.arange(*PLATEAU, STEP)
            inside = float(np.median(read(rim + inwards * np.arange(*PLATEAU, STEP))))
            lip = float(np.median(read(lip_vs)))
            nearest_vs = rim + inwards * np.arange(0.5, TEETH_CLEAR_PX, STEP)
            nearest = read(nearest_vs)
            greyer = (saturation(fh.sample_column(rgb, g, u, nearest_vs))
                      < TOOTH_SATURATION * float(np.median(
                          saturation(fh.sample_column(rgb, g, u, lip_vs)))))
            if (inside > DARK_INSIDE * lip or nearest.max() > TEETH_OVER_LIP * lip
                    or (greyer & (nearest > DARK_INSIDE * lip)).any()):
                continue
            width = ramp_width(read, rim, inwards, LOCATE_PX)
            if width is not None:
                widths[rim_name].append(width)
    return widths


def photo_lip_edge_width(animator: FaceAnimator) -> float:
    """The ramp width of the photo's own upper lip's outer edge (against the skin): the
    median over the columns over the middle of the mouth."""
    g = animator.geometry
    luma = cv2.cvtColor(animator.image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    widths = []
    for across in np.linspace(-SPAN, SPAN, COLUMNS):
        u = g.mouth_centre_u + across * g.mouth_half_width

        def read(vs, u=u):
            return fh.sample_column(luma, g, u, vs)

        edge = float(g.upper_outer(u))
        above, below = (float(np.median(read(edge + side * np.arange(*PLATEAU, STEP))))
                        for side in (-1.0, 1.0))
        width = ramp_width(read, edge, -1.0 if above < below else 1.0)
        if width is not None:
            widths.append(width)
    assert len(widths) >= COLUMNS // 3, len(widths)
    return float(np.median(widths))


def rim_softness(animator: FaceAnimator) -> dict[tuple, float]:
    """Per pose and rim read up enough columns: the rim's median ramp width over the photo's
    own lip edge's."""
    photo_edge = photo_lip_edge_width(animator)
    softness = {}
    for pose in POSES:
        for rim_name, widths in cavity_rim_widths(animator, *pose).items():
            if len(widths) >= LEAST_COLUMNS:
                softness[(*pose, rim_name)] = round(float(np.median(widths)) / photo_edge, 2)
    return softness


@pytest.mark.parametrize("name", PHOTOS)
def test_the_mouths_dark_meets_the_lips_as_softly_as_the_photos_lip_edges(animators, name):
    """Measured on e9aee7f, the sharpest rim of each photo was 0.61 (obama.jpg's lower rim,
    rounded, 0.45 open), 0.49 (obama2.jpg's, rounded), 0.6 (biden.jpg's lower rim, wide open)
    and 0.41 (astronaut.png's lower rim, 0.6 open) of the photo's lip edge's width; now 0.83,
    0.94, 0.91 and 0.67 (astronaut.png's wide open lower rim is a thin crescent of tongue under
    its teeth, which stay sharp). The softest, 1.33 (biden.jpg's lower lip, which already
    rolled into a rounded hole, softened as well), is kept under SMEARED."""
    softness = rim_softness(animators[name])
    assert softness, "no rim of the mouth's dark against a lip was read"
    assert min(softness.values()) >= AS_SOFT, softness
    assert max(softness.values()) <= SMEARED, softness
