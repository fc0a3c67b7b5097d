"""The open mouth's painted dark is the photo's own mouth's dark, in brightness and colour.

The cavity was painted in fixed colours (a maroon, darker towards the corners) times the
skin's brightness. obama.jpg, obama2.jpg and astronaut.png show their own mouth's dark beside
and between their teeth, and it was not that: astronaut.png's is a warm brown in its light,
and opened 0.3-0.8 both its corners were painted as purple-maroon blobs, the most visible flaw
of its open mouth; obama.jpg's is a brown near-black, obama2.jpg's a near-black red, both
painted in a lighter maroon.

Read from rendered frames of the shared photos (the head still), per side of the opening: its
pixels in the outer part (OUTER_PART of the opening's half-width, beside the teeth), away from
its rims, that are neither lip nor tooth (the photo's own teeth's measure, find_photo_teeth's
toothness). The photo's own dark is read as the animator finds its cavity: its pixels between
the lips darker than CAVITY_LUMA_SHARE of its teeth, both sides together (astronaut.png's
left corner shows only a thin sliver, blurred lighter and yellower than its right). Of each,
the pixels from the BAND's low percentile of brightness to the median (the darker half, past
a few black specks): their mean luma, and their mean CIE Lab chroma (a*, b*). Per side, the
frame's luma over the photo's lies within LUMA_RATIO (a thinner opening shows more of the
cavity's lighter edge under the lips), and their chroma differs by at most
MAX_CHROMA_DISTANCE (a*b* distance; about 2.3 is just noticeable).

On e6229d8 (luma ratio, chroma distance over the judged sides and poses): astronaut.png
0.74-0.84 and 13.6-16.6 (its photo's dark a* 18.9 b* 20.3, the paint's b* 5-7); obama.jpg
0.96-1.68 and 2.1-7.8; obama2.jpg 2.14-3.01 and 2.2-7.4. Now astronaut.png 0.80-0.94 and
2.6-10.7 (9.4-10.7 in the rounded hole's ends, a thin ring of dark under the lips' shadow that
blends in the lips rolled in and the skin); obama.jpg 0.68-1.38 and 0.6-4.5; obama2.jpg
1.18-2.07 and 0.6-7.3 (the higher ratios at 0.3-0.5 open: more of the opening is its lighter
edge under the lips). biden.jpg shows no dark of its own (its lips meet) and keeps the default
cavity, unchanged: its corners' darker half, luma 15.7-18.2, stays under
MAX_DEFAULT_LUMA_SHARE of its lips (26.2).

The brightness is judged from JUDGED_FROM_OPEN: at 0.3 open the opening's dark is 5-8 px tall
and mostly the cavity's lighter edge under the lips, and since obama2.jpg's lower tooth
sliver past its upper row's end is hidden (test_lower_tooth_sliver.py), that edge shows in its
right corner, 2.85 x the photo's near-black (luma 10) there; 2.07 before, when the sliver
covered it. Its chroma is still judged at 0.3.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from generation.renderers.talking.face_fields import mouth_field
from generation.renderers.talking.mouth_interior import (
    CAVITY_LUMA_SHARE,
    find_photo_teeth,
    photo_gap_lines,
)
from tests.generation.face_helpers import LUMA

SHOWING_THEIR_DARK = ("obama.jpg", "obama2.jpg", "astronaut.png")
# (mouth_open, mouth_width): spread part open, half open and wide open, and rounded.
POSES = ((0.3, 1.0), (0.5, 1.0), (0.8, 1.0), (0.45, 0.75))
# The outer part of the opening, in shares of its half-width from its middle.
OUTER_PART = (0.55, 0.95)
# Its dark, away from the rims: at least INSET_PX and AWAY_FROM_LIPS of the opening's height
# inside both (the rims are blended with the lips, the lips' inner surfaces line them), in
# columns at least LEAST_GAP_PX tall (a thinner crease is all rim).
INSET_PX = 1.5
AWAY_FROM_LIPS = 0.3
LEAST_GAP_PX = 5.0
# Neither lip nor tooth: darker than LIP_SHARE of the lips' brightness, and at most TOOTHNESS
# like the photo's teeth. A cavity painted as light as a grey hole is not dark at all, and
# fails for too few pixels.
LIP_SHARE = 0.45
TOOTHNESS = 0.25
# A side is judged where at least LEAST_PX half-pixel samples are its dark (at 0.3 open the
# corners are mostly a crease, and what they show of the cavity is a few px beside the
# upper lip's strip); wide open, at least one side must be.
LEAST_PX = 40
JUDGED_FROM_OPEN = 0.45
BAND = (25.0, 50.0)
LUMA_RATIO = (0.5, 2.4)
MAX_CHROMA_DISTANCE = 12.0
# A photo without its own dark keeps a dark cavity: its darker half at most this share of
# the lips' brightness.
MAX_DEFAULT_LUMA_SHARE = 0.35


def _lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.asarray(rgb, dtype=np.float32).reshape(-1, 1, 3) / 255.0,
                        cv2.COLOR_RGB2LAB).reshape(-1, 3)


def darker_half(rgb: np.ndarray) -> tuple[float, np.ndarray]:
    """(mean luma, mean Lab a*b*) of the pixels (N, 3) from BAND's low percentile of their
    luma to the median."""
    luma = rgb @ LUMA
    low, middle = np.percentile(luma, BAND)
    within = (luma >= low) & (luma <= middle)
    return float(luma[within].mean()), _lab(rgb[within])[:, 1:].mean(axis=0)


def _read(image: np.ndarray, animator: FaceAnimator, us: np.ndarray, vs: np.ndarray
          ) -> np.ndarray:
    xs, ys = animator.geometry.to_image(us, vs)
    return cv2.remap(image, xs.astype(np.float32), ys.astype(np.float32),
                     cv2.INTER_LINEAR).astype(np.float32)


def photo_dark(animator: FaceAnimator) -> np.ndarray:
    """The photo's own mouth's dark: its pixels between its lips (every half pixel) darker
    than CAVITY_LUMA_SHARE of its teeth."""
    g = animator.geometry
    teeth = find_photo_teeth(animator.image, g, animator.look.lip_rgb)
    uc, half = g.mouth_centre_u, g.mouth_half_width
    us = np.arange(uc - half, uc + half + 0.25, 0.5)
    top, bottom = photo_gap_lines(g, us)
    vs = top[:, None] + np.arange(0.0, float((bottom - top).max()) + 0.5, 0.5)[None, :]
    us = np.broadcast_to(us[:, None], vs.shape)
    rgb = _read(animator.image, animator, us, vs)
    dark = (vs <= bottom[:, None]) & (rgb.mean(axis=2) < CAVITY_LUMA_SHARE * teeth.teeth_luma)
    return rgb[dark]


def painted_dark(animator: FaceAnimator, frame: np.ndarray, mouth_open: float,
                 mouth_width: float, side: float) -> np.ndarray:
    """The frame's open mouth's dark in the outer part of one side of the opening (where the
    mouth's own field places it): neither lip nor tooth, INSET_PX inside its rims."""
    g = animator.geometry
    uc, half = g.mouth_centre_u, g.mouth_half_width
    opening = mouth_open * animator.max_opening_px
    us = np.arange(uc - 1.1 * half, uc + 1.1 * half, 0.5)
    lips = g.upper_inner(us)
    vs = np.arange(float(lips.min()) - opening - 4.0, float(lips.max()) + 2.0 * opening + 4.0,
                   0.5)
    us, vs = (grid.astype(np.float32) for grid in np.meshgrid(us, vs))
    field = mouth_field(g, us, vs, opening_px=opening, width=mouth_width)
    across = side * field.column
    inside = ((field.coverage >= 0.999) & (across >= OUTER_PART[0]) & (across <= OUTER_PART[1])
              & (np.minimum(field.from_top, field.gap - field.from_top)
                 >= np.maximum(INSET_PX, AWAY_FROM_LIPS * field.gap))
              & (field.gap >= LEAST_GAP_PX))
    rgb = _read(frame, animator, us, vs)
    lip_luma = float(np.asarray(animator.look.lip_rgb) @ LUMA)
    keep = inside & (rgb @ LUMA < LIP_SHARE * lip_luma)
    if animator.look.photo_shows_teeth:
        teeth = find_photo_teeth(animator.image, g, animator.look.lip_rgb)
        keep &= teeth.toothness(rgb) <= TOOTHNESS
    return rgb[keep]


@pytest.mark.parametrize(("mouth_open", "mouth_width"), POSES)
@pytest.mark.parametrize("photo", SHOWING_THEIR_DARK)
def test_the_painted_dark_is_the_photos_own(animators, photo, mouth_open, mouth_width):
    animator = animators[photo]
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=mouth_width))
    photo_luma, photo_chroma = darker_half(photo_dark(animator))
    judged = 0
    for side in (-1.0, 1.0):
        painted = painted_dark(animator, frame, mouth_open, mouth_width, side)
        if len(painted) < LEAST_PX:
            continue
        judged += 1
        painted_luma, painted_chroma = darker_half(painted)
        ratio = painted_luma / photo_luma
        distance = float(np.hypot(*(painted_chroma - photo_chroma)))
        where = (f"{photo} at width {mouth_width}, mouth_open {mouth_open}, "
                 f"{'right' if side > 0 else 'left'} corner")
        assert mouth_open < JUDGED_FROM_OPEN or LUMA_RATIO[0] <= ratio <= LUMA_RATIO[1], (
            f"{where}: its dark is {ratio:.2f} x the photo's own (luma {painted_luma:.1f} "
            f"against {photo_luma:.1f})")
        assert distance <= MAX_CHROMA_DISTANCE, (
            f"{where}: its dark's chroma (a*, b*) {painted_chroma.round(1)} is {distance:.1f} "
            f"from the photo's own {photo_chroma.round(1)}")
    assert judged or mouth_open < JUDGED_FROM_OPEN, (
        f"{photo} at width {mouth_width}, mouth_open {mouth_open}: no dark in its corners")


@pytest.mark.parametrize(("mouth_open", "mouth_width"), POSES)
def test_a_photo_without_its_own_dark_keeps_a_dark_cavity(animators, mouth_open, mouth_width):
    animator = animators["biden.jpg"]
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=mouth_width))
    limit = MAX_DEFAULT_LUMA_SHARE * float(np.asarray(animator.look.lip_rgb) @ LUMA)
    for side in (-1.0, 1.0):
        painted = painted_dark(animator, frame, mouth_open, mouth_width, side)
        assert len(painted) >= LEAST_PX, (mouth_open, mouth_width, side, len(painted))
        luma, _ = darker_half(painted)
        assert luma <= limit, (
            f"biden.jpg at width {mouth_width}, mouth_open {mouth_open}: its "
            f"{'right' if side > 0 else 'left'} corner's dark is luma {luma:.1f} (at most "
            f"{limit:.1f})")
