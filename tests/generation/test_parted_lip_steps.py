"""Nearly shut (0.05-0.2 of the widest opening, the end of a word before the lips close), the
lower lip's top edge is as soft as the photo's own lip outline down the lip's sides: no stair
of one-pixel steps, no upright cliff by the corner.

obama2.jpg shows its mouth open with both rows of teeth. Nearly shut, its opening is a pixel
or a few tall and filled with the strips of lip drawn in front of the teeth, and every edge
the eye sees there was cut one pixel at a time: the lower strip's top took each pixel's share
straight down the mouth (one mixed pixel a column where the edge slopes), the two strips met
in a hard switch (each pixel the strip it lay further into), a strip whole up to a rim filled
every pixel the rim touched, and where the opening tapers out towards the corners the map's
own switch to the lower lip (read up to 30 px further down) showed unpainted, the photo's dark
corner beside it. The lower lip read as a cut-out with a stair-stepped top and, by the right
corner, a near-upright wall.

Read from rendered frames, per image column along the lower lip's sides (SIDES of the mouth's
half-width either side of its middle, a column per px): up from the lip's body to where it
ends against something darker (as tests/generation/test_lower_rim_steps.py reads it), and
there the ramp width across the edge: the profile along the edge's normal (the blurred
brightness's gradient), its two sides' levels over its steepest rise in one px (as
tests/generation/test_cavity_rim.py measures it), against the same measure on the photo's own
upper lip outline. Image columns, not the mouth's: a mouth column through a tilted face
(obama2.jpg, 5.5 degrees) reads between pixels and blurs the steps it looks for. Per pose, the
median over the columns.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from generation.renderers.talking.face_fields import mouth_field
from tests.generation import face_helpers as fh

PHOTOS = ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png")
POSES = tuple((mouth_open, mouth_width) for mouth_open in (0.05, 0.1, 0.15, 0.2)
              for mouth_width in (0.9, 1.0, 1.1))
SIDES = (0.3, 0.85)  # share of the mouth's half-width from its middle
STEP = 0.25  # px between samples
# The lip ends where two samples in a row are darker than DARK or brighter than BRIGHT of its
# own brightness (as tests/generation/test_lower_rim_steps.py reads it); only an edge against
# the darker (the upper lip, the mouth's dark) is measured, not one against a tooth.
DARK, BRIGHT = 0.8, 1.25
# The edge is its steepest point within LOCATE_PX up or down of where the lip ends, the
# brightness blurred over GRADIENT_SIGMA px for its normal. Either side of it, its levels are
# the medians from PLATEAU[0] to PLATEAU[1] px away (a thin opening's far side is the upper
# lip); edges whose sides differ by under 8 levels are left out.
LOCATE_PX = 1.5
GRADIENT_SIGMA = 1.0
PLATEAU = (2.0, 3.5)
LEAST_COLUMNS = 30
# The median ramp width over the photo's lip outline's, the lowest over the poses. On 6919cf8:
# obama2.jpg 0.51 (0.05 open, 1.1 wide; 0.51-0.73 up to 0.1 open); now 0.86 (0.99-1.23 past
# 0.05). It is held to AS_SOFT. The others, on 6919cf8 and now: obama.jpg 0.64 and 0.68,
# biden.jpg 1.05 and 1.05 (its lips meet in the photo: no strips), astronaut.png 0.24 and 0.43
# (its pale lip's outline against its pale skin is softer than any of its lip's inner edges);
# they are held to NOT_CRISPER, their start's less 0.05 for the measure's noise.
AS_SOFT = 0.8
NOT_CRISPER = {"obama.jpg": 0.59, "biden.jpg": 1.0, "astronaut.png": 0.19}


def _read(image: np.ndarray, xs, ys) -> np.ndarray:
    return cv2.remap(image, np.asarray(xs, np.float32).reshape(1, -1),
                     np.asarray(ys, np.float32).reshape(1, -1), cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)[0]


def _gradients(luma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    blurred = cv2.GaussianBlur(luma, (0, 0), GRADIENT_SIGMA)
    return (np.gradient(blurred, axis=1).astype(np.float32),
            np.gradient(blurred, axis=0).astype(np.float32))


def ramp_across(luma: np.ndarray, gradients, x: float, y: float) -> float | None:
    """The ramp width (px) across the edge nearest (x, y) in the image (its steepest point
    within LOCATE_PX up or down the image column), or None where it is too faint."""
    along_x, along_y = gradients
    ys = y + np.arange(-LOCATE_PX, LOCATE_PX + 1e-6, STEP)
    xs = np.full_like(ys, x)
    y = float(ys[np.argmax(np.hypot(_read(along_x, xs, ys), _read(along_y, xs, ys)))])
    normal = np.array([_read(along_x, [x], [y])[0], _read(along_y, [x], [y])[0]])
    length = float(np.hypot(*normal))
    if length < 1e-6:
        return None
    normal /= length  # towards the brighter side
    offsets = np.arange(-PLATEAU[1], PLATEAU[1] + 1e-6, STEP)
    profile = _read(luma, x + offsets * normal[0], y + offsets * normal[1])
    return fh.ramp_over_profile(profile, offsets, PLATEAU, STEP)


def photo_outline_width(animator: FaceAnimator) -> float:
    """The ramp width across the photo's own upper lip outline (against the skin), the median
    over the middle of the mouth."""
    g = animator.geometry
    luma = cv2.cvtColor(animator.image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gradients = _gradients(luma)
    widths = []
    for across in np.linspace(-0.4, 0.4, 33):
        u = g.mouth_centre_u + across * g.mouth_half_width
        x, y = g.to_image(np.array(u), np.array(float(g.upper_outer(u))))
        width = ramp_across(luma, gradients, float(x), float(y))
        if width is not None:
            widths.append(width)
    assert len(widths) >= 11, len(widths)
    return float(np.median(widths))


def side_widths(animator: FaceAnimator, mouth_open: float, mouth_width: float) -> list[float]:
    """The ramp widths across the lower lip's top edge, per image column down its sides, in
    a frame rendered at this pose."""
    g = animator.geometry
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=mouth_width))
    luma = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gradients = _gradients(luma)
    opening = mouth_open * animator.max_opening_px
    widths = []
    for side in (-1.0, 1.0):
        for share in np.arange(*SIDES, 1.0 / g.mouth_half_width):
            u = g.mouth_centre_u + side * share * g.mouth_half_width
            # The opening's lower rim here, as the mouth's field places it: the lip's body
            # lies under it.
            lip = np.array([float(g.upper_inner(u))], dtype=np.float32)
            field = mouth_field(g, np.array([u], dtype=np.float32), lip, opening_px=opening,
                                width=fh.narrowed_width(animator, mouth_width))
            rim = float(lip[0] - field.from_top[0] + field.gap[0])
            thickness = float(g.lower_outer(u) - g.lower_inner(u))
            vs = np.arange(rim + 0.35 * thickness, float(g.upper_outer(u)), -STEP)
            xs, ys = g.to_image(np.full_like(vs, u), vs)
            x = float(np.round(xs[0]))  # up the image column, not the tilted mouth's
            column = _read(luma, np.full_like(ys, x), ys)
            body = float(np.median(column[vs >= rim + 0.1 * thickness]))
            edge, _ = fh.lip_top_in_column(column, body, dark=DARK, bright=BRIGHT,
                                           seam_samples=0)
            if edge is None or column[edge] > body:
                continue
            width = ramp_across(luma, gradients, x, float(ys[edge]) + 0.5 * STEP)
            if width is not None:
                widths.append(width)
    return widths


@pytest.mark.parametrize("name", PHOTOS)
def test_the_nearly_shut_lower_lips_sides_are_as_soft_as_the_photos_lip_outline(animators,
                                                                                  name):
    animator = animators[name]
    outline = photo_outline_width(animator)
    softness = {}
    for pose in POSES:
        widths = side_widths(animator, *pose)
        assert len(widths) >= LEAST_COLUMNS, (pose, len(widths))
        softness[pose] = round(float(np.median(widths)) / outline, 2)
    assert min(softness.values()) >= NOT_CRISPER.get(name, AS_SOFT), softness
