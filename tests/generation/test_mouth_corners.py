"""The open mouth's ends: lip and skin go into the mouth's dark, with no dark line between.

Towards the corners the painted interior used to fade out over the last fifth of the mouth's
half-width (a column-wise taper, there against a dark crack along the lips' line), while the
opening there was still half as tall as at the middle. Half see-through, it showed what the
map reads inside the opening (the photo's lips or teeth, stretched), and along its rims the
photo's own dark line where the lips meet, carried out with each lip: a hairline darker than
both the skin outside and the pale, half-painted mouth inside (biden.jpg), or a chain of dark
dots where that line crossed the rim's pixel steps (obama.jpg), or pale slivers of the
photo's corner in a half-dark corner (astronaut.png).

Read from rendered frames of the shared photos, across the opening's rims as the animator's
own mouth field places them, over the outer 30 % of each half of the mouth (further in, a
smiling photo's own gum line over its teeth is such a line, and rightly); and from the mouth
field itself, the painted share of each pixel at the opening's ends against the share of it
that lies in the opening.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from generation.renderers.talking.face_fields import mouth_field
from tests.generation.face_helpers import LUMA

PHOTOS = ("biden.jpg", "obama.jpg", "obama2.jpg", "astronaut.png")
OPENINGS = (0.4, 0.6, 0.8, 1.0)
# The outer part of each half of the mouth (shares of its half-width from the middle), where
# the opening narrows into the corner, read at this many columns a side.
ACROSS = (0.7, 1.0)
COLUMNS = 60
STEP = 0.25  # px between samples across a rim
# A rim sample (within RIM_PX of the rim) is a dark line where it is darker by DARK_LEVELS
# than the brightest sample on either side of it, from NEAR_PX to SIDE_PX away: a line is a
# dip between lighter things, where a mouth's rim goes from lip to its dark without one.
RIM_PX = 1.0
NEAR_PX, SIDE_PX = 0.75, 2.0
DARK_LEVELS = 12.0
# Tooth-coloured: less saturated than this (lips, skin and the mouth's dark are red).
TOOTH_SATURATION = 0.25
# Rims are read where the opening is at least this tall (its inner side inside it).
LEAST_GAP_PX = 2.0 * SIDE_PX + 2.0



def rims(animator: FaceAnimator, mouth_open: float, us: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(upper rim v, lower rim v, gap) at mouth-frame columns ``us``, as the animator's mouth
    field places them at this opening (the photo's own width)."""
    g = animator.geometry
    lip = np.asarray(g.upper_inner(us), dtype=np.float32)
    field = mouth_field(g, us.astype(np.float32), lip,
                        opening_px=mouth_open * animator.max_opening_px, width=1.0)
    top = lip - field.from_top
    return top, top + field.gap, field.gap


def across_rim(frame: np.ndarray, animator: FaceAnimator, u: float, v: float, normal,
               offsets: np.ndarray) -> np.ndarray:
    """The frame's RGB at ``offsets`` px from the rim point (u, v) along its outward
    ``normal`` (mouth frame), bilinearly."""
    xs, ys = animator.geometry.to_image(u + normal[0] * offsets, v + normal[1] * offsets)
    return cv2.remap(frame, xs.astype(np.float32)[None], ys.astype(np.float32)[None],
                     cv2.INTER_LINEAR)[0]


def is_dark_line(profile: np.ndarray, offsets: np.ndarray) -> bool | None:
    """Whether a sample within RIM_PX of the rim (offset 0) is darker by DARK_LEVELS than the
    brightest sample NEAR_PX to SIDE_PX inside it and the brightest as far outside it; None
    where the rim lies on teeth (the brightest sample inside it is tooth-coloured: a lip's
    shadow on the teeth is a line of its own)."""
    luma = profile @ LUMA
    saturation = 1.0 - profile.min(axis=1) / np.maximum(profile.max(axis=1), 1.0)
    for index in np.flatnonzero(np.abs(offsets) <= RIM_PX + 1e-6):
        away = offsets - offsets[index]
        inside = np.flatnonzero((away <= -NEAR_PX) & (away >= -SIDE_PX))
        outside = np.flatnonzero((away >= NEAR_PX) & (away <= SIDE_PX))
        brightest_inside = inside[np.argmax(luma[inside])]
        if saturation[brightest_inside] < TOOTH_SATURATION:
            return None
        if luma[index] < min(luma[brightest_inside], luma[outside].max()) - DARK_LEVELS:
            return True
    return False


def dark_rim_share(animator: FaceAnimator, frame: np.ndarray, mouth_open: float
                   ) -> tuple[float, int]:
    """(share of the rim samples that are a dark line, samples read) along both rims over the
    outer quarter of the mouth's width on each side."""
    g = animator.geometry
    rgb = frame.astype(np.float32)
    reach = RIM_PX + SIDE_PX
    offsets = np.arange(-reach, reach + STEP / 2, STEP)
    dark, read = 0, 0
    for side in (-1.0, 1.0):
        shares = np.linspace(*ACROSS, COLUMNS)
        us = g.mouth_centre_u + side * shares * g.mouth_half_width
        top, bottom, gap = rims(animator, mouth_open, us)
        for rim, outward in ((top, -1.0), (bottom, 1.0)):
            slope = np.gradient(rim, us)
            normals = np.stack([-slope * outward, np.full_like(slope, outward)], axis=1)
            normals /= np.linalg.norm(normals, axis=1, keepdims=True)
            for index in np.flatnonzero(gap >= LEAST_GAP_PX):
                line = is_dark_line(across_rim(rgb, animator, float(us[index]),
                                               float(rim[index]), normals[index], offsets),
                                    offsets)
                if line is not None:
                    dark += line
                    read += 1
    return (dark / read if read else 0.0), read


@pytest.mark.parametrize("name", PHOTOS)
def test_the_open_mouths_ends_have_no_dark_line_along_their_rims(animators, name):
    animator = animators[name]
    shares = []
    for mouth_open in OPENINGS:
        frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=1.0))
        share, read = dark_rim_share(animator, frame, mouth_open)
        assert read >= 80, (mouth_open, read)
        shares.append(share)
    # Averaged over the openings: on c068a1d 0.21 (biden.jpg: 0.31-0.37 of the samples at
    # 0.8-1.0), 0.21 (obama.jpg), 0.05 (obama2.jpg) and 0.21 (astronaut.png); now 0.01, 0.09,
    # 0.07 and 0.08 (what is left: a smile photo's own gum line over teeth that fade into
    # the corner, and its own dark corner, darker than the painted mouth, on the rim).
    assert np.mean(shares) <= 0.12, [round(share, 3) for share in shares]


# The painted share of each pixel along the opening's ends against the share of it that lies
# in the opening (SUPERSAMPLE x SUPERSAMPLE points a pixel, in the mouth field's own lines),
# where the opening is at least TALL_PX tall (thinner, its ends taper out on purpose: a thin
# opening painted to dlib's outer corners was a dark crack past a wide smile's lips).
SUPERSAMPLE = 6
TALL_PX = 6.0


def end_pixels(animator: FaceAnimator, mouth_open: float, side: float
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(coverage the mouth field gives, share of the pixel inside the opening, the opening's
    height in the pixel's column) for the frame's pixels around one end of the opening (from
    ACROSS[0] of the half-width out past the corner), the head still."""
    g = animator.geometry
    half = g.mouth_half_width
    us = g.mouth_centre_u + side * np.array([ACROSS[0], 1.1]) * half
    top, bottom, _ = rims(animator, mouth_open, np.linspace(us.min(), us.max(), 40))
    xs, ys = g.to_image(np.array([us[0], us[1], us[0], us[1]]),
                        np.array([top.min(), top.min(), bottom.max(), bottom.max()]))
    x0, y0 = int(np.floor(xs.min())) - 2, int(np.floor(ys.min())) - 2
    x1, y1 = int(np.ceil(xs.max())) + 3, int(np.ceil(ys.max())) + 3
    opening_px = mouth_open * animator.max_opening_px

    def field_at(points: int):
        # ``points`` x ``points`` points evenly over each pixel (1: its centre).
        offsets = (np.arange(points) + 0.5) / points - 0.5
        grid_y = (np.arange(y0, y1)[:, None] + offsets).ravel()
        grid_x = (np.arange(x0, x1)[:, None] + offsets).ravel()
        u, v = g.to_aligned(*np.meshgrid(grid_x.astype(np.float32), grid_y.astype(np.float32)))
        return mouth_field(g, u, v, opening_px=opening_px, width=1.0)

    centres = field_at(1)
    fine = field_at(SUPERSAMPLE)
    inside = (fine.from_top > 0.0) & (fine.from_top < fine.gap)
    rows, cols = centres.coverage.shape
    share = inside.reshape(rows, SUPERSAMPLE, cols, SUPERSAMPLE).mean(axis=(1, 3))
    return centres.coverage, share, centres.gap


@pytest.mark.parametrize("name", PHOTOS)
def test_the_opening_is_painted_to_its_ends_with_a_smooth_edge(animators, name):
    """The painted opening is the opening: where the mouth is open it is painted over whole
    (a half see-through corner showed the map's stretched photo), and each pixel on its edge
    by its share in it (along the steep rims at the ends, the vertical distance to the rim
    changed by several px from one pixel to the next: a hard, stair-stepped edge)."""
    errors = []
    for mouth_open in OPENINGS:
        for side in (-1.0, 1.0):
            coverage, share, gap = end_pixels(animators[name], mouth_open, side)
            edge = (((coverage > 0.02) | (share > 0.02)) & ((coverage < 0.98) | (share < 0.98))
                    & (gap >= TALL_PX))
            errors.append(float(np.abs(coverage - share)[edge].mean()))
    # The worst end and opening: on c068a1d 0.31-0.33 of a pixel on average (the taper);
    # with the taper gone but the vertical distance to the rims 0.036 (obama.jpg) to 0.061
    # (obama2.jpg); now 0.022-0.032.
    assert max(errors) <= 0.04, [round(error, 3) for error in errors]
