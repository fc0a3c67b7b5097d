"""Drawn teeth look like teeth in the photo's light, not like a drawing.

A closed-mouth photo (biden.jpg) shows no teeth, so the animator draws them. They were a fixed
ivory scaled by the photo's brightness, whatever the light's colour: in biden.jpg's warm,
red-cast frame (cheeks about RGB 160, 99, 85) they read as a cool cyan grey, where real teeth in
that light take its colour. And the seams between them were 1 px lines as dark all the way
down each tooth, a picket fence, where at this scale (a mouth ~90-130 px wide) a photo's own
teeth show their gaps as a faint shading, mostly by the gums, fading towards the biting edge.

Colour, in CIE Lab (a*, b*):

- On the three photos that show their own teeth, the teeth the animator would draw for the
  photo (drawn_teeth with the photo's MouthLook, the brightest fifth of the upper row) against
  the photo's real teeth (the brightest 30 % of what find_photo_teeth's upper row reads as
  tooth): at most MAX_COLOUR_ERROR apart. Before (e6229d8, the fixed ivory): obama.jpg 6.2,
  obama2.jpg 7.5, astronaut.png 5.6; now 3.8, 2.4, 3.9 (the estimate reads their eye whites).
- On biden.jpg's rendered frames (0.45 and 0.6 open), the drawn teeth's hue (the brightest 30 %
  of the upper row's middle band) against the hue of the photo's cheeks: in a photo with a
  colour cast the teeth carry it (obama2.jpg's own teeth lie 3 degrees from its skin's hue,
  astronaut.png's 1; obama.jpg's, nearly neutral, have no hue to speak of); at most
  MAX_HUE_FROM_SKIN degrees apart, and their chroma at most MAX_CHROMA_SHARE of the skin's
  (0.28 and 0.27 on those photos: teeth, not pink gums). Before: 49 degrees from the skin's
  hue (a yellowish grey, a* 0.2, b* 7.0, beside cheeks at a* 23, b* 19), chroma 0.23 of the
  skin's; now 3 degrees (0.45 open) and 1 (0.6), chroma 0.24-0.25.

Seams, in luma along rows of the upper teeth across the middle of the mouth (every half px,
0.55 of its half-width either side): each sample's darkening below the brighter of its two
sides' peaks 1-3 px away (a seam's notch; a tooth's broad shading is not one), the row's 95th
percentile (the mouth's middle crosses six or seven seams). Read NEAR_LIP (a quarter of the way
down the row) and NEAR_EDGE (0.6 of the way, clear of the biting edge's own notches), on
biden.jpg's frames and on the photo teeth of obama.jpg and astronaut.png (their upper rows as
find_photo_teeth finds them, at the same shares). Near the edge the drawn seams may be no
stronger than the photos' strongest there (0.076 obama.jpg, 0.088 astronaut.png); near the
lip, than theirs there (0.131, 0.112). Before: near the edge 0.136 (0.45 open) and 0.141
(0.6), near the lip 0.122, 0.119; now 0.074, 0.071 and 0.119, 0.115.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from generation.renderers.talking.face_animator import FramePose
from generation.renderers.talking.face_fields import mouth_field
from generation.renderers.talking.mouth_interior import drawn_teeth, find_photo_teeth
from tests.generation import face_helpers as fh

TEETH_PHOTOS = ("obama.jpg", "obama2.jpg", "astronaut.png")
SEAM_PHOTOS = ("obama.jpg", "astronaut.png")
DRAWN_PHOTO = "biden.jpg"
OPENINGS = (0.45, 0.6)  # mouth_open at the photo's width: teeth 6-8 px tall on biden.jpg
MAX_COLOUR_ERROR = 5.0
MAX_HUE_FROM_SKIN = 20.0
MAX_CHROMA_SHARE = 0.4
SPAN = 0.55
NEAR_LIP, NEAR_EDGE = 0.25, 0.6
NOTCH_PX = (1.0, 3.0)
STEP = 0.5


def lab(rgb: np.ndarray) -> np.ndarray:
    pixels = np.asarray(rgb, dtype=np.float32).reshape(1, -1, 3) / 255.0
    return cv2.cvtColor(pixels, cv2.COLOR_RGB2Lab).reshape(-1, 3)


def hue(lab_colour: np.ndarray) -> float:
    return float(np.degrees(np.arctan2(lab_colour[2], lab_colour[1])))


def chroma(lab_colour: np.ndarray) -> float:
    return float(np.hypot(lab_colour[1], lab_colour[2]))


def brightest(rgb: np.ndarray, share: float) -> np.ndarray:
    """Median colour of the brightest ``share`` of these (N, 3) pixels."""
    luma = rgb @ fh.LUMA
    return np.median(rgb[luma >= np.percentile(luma, 100.0 * (1.0 - share))], axis=0)


def cheeks(animator) -> np.ndarray:
    """Median RGB of the photo's cheeks and nose bridge (beside the nose's wings and on its
    bridge, a tenth of the face's width across)."""
    g = animator.geometry
    points = g.points
    radius = 0.05 * g.face_width
    offsets = np.arange(-radius, radius + 1e-6, 1.0)
    du, dv = (grid.ravel() for grid in np.meshgrid(offsets, offsets))
    samples = []
    for centre in ((points[2] + points[31]) / 2, (points[14] + points[35]) / 2, points[29]):
        xs, ys = g.to_image(centre[0] + du, centre[1] + dv)
        samples.append(animator.image[np.round(ys).astype(int), np.round(xs).astype(int)])
    return np.median(np.concatenate(samples).astype(np.float32), axis=0)


def photo_upper_row(animator):
    """The photo's upper teeth over the middle of its mouth: (u, top, biting edge) per column
    at least 4 px tall."""
    g = animator.geometry
    teeth = find_photo_teeth(animator.image, g, animator.look.lip_rgb)
    keep = ((np.abs(teeth.us - g.mouth_centre_u) <= SPAN * g.mouth_half_width)
            & (teeth.upper_edge - teeth.top >= 4.0))
    return teeth, teeth.us[keep], teeth.top[keep], teeth.upper_edge[keep]


def real_teeth_colour(animator) -> np.ndarray:
    teeth, us, top, edge = photo_upper_row(animator)
    reads = []
    for u, a, b in zip(us, top, edge, strict=True):
        vs = np.arange(a + 0.5, b - 0.5, STEP, dtype=np.float32)
        reads.append(fh.sample_column(animator.image, animator.geometry, float(u), vs))
    rgb = np.concatenate(reads).astype(np.float32)
    return brightest(rgb[teeth.toothness(rgb) > 0.8], 0.3)


def estimated_teeth_colour(animator) -> np.ndarray:
    """The brightest fifth of the upper row the animator would draw for this photo, wide open,
    over the middle of its mouth."""
    g = animator.geometry
    uc, half = g.mouth_centre_u, g.mouth_half_width
    lip = float(g.upper_inner(uc))
    u, v = np.meshgrid(np.arange(uc - 0.5 * half, uc + 0.5 * half, STEP),
                       np.arange(lip - 2.0, lip + 0.2 * g.face_height, STEP))
    field = mouth_field(g, u.astype(np.float32), v.astype(np.float32),
                        opening_px=0.6 * animator.max_opening_px, width=1.0)
    teeth = drawn_teeth(animator.look, field)
    return brightest(teeth.upper[teeth.upper_alpha > 0.9], 0.2)


def drawn_upper_row(animator, mouth_open: float):
    """Per column over the middle of the mouth at this opening: (u, the opening's top, the
    drawn upper row's height there)."""
    g = animator.geometry
    columns = list(fh.parted_columns(animator, mouth_open, 1.0, span=SPAN,
                                     count=int(2 * SPAN * g.mouth_half_width / STEP)))
    us = np.array([c[0] for c in columns], dtype=np.float32)
    top = np.array([c[1] for c in columns], dtype=np.float32)
    gap = np.array([c[2] for c in columns], dtype=np.float32)
    across = np.abs(us - g.mouth_centre_u) / g.mouth_half_width
    height = np.minimum(animator.look.teeth_height_px, 0.42 * gap) * (1.0 - 0.35 * across)
    return us, top, height


def seam_notch(luma: np.ndarray) -> float:
    """The row's 95th percentile of each sample's darkening below the brighter of its two
    sides' peaks NOTCH_PX away."""
    near, far = (int(round(px / STEP)) for px in NOTCH_PX)
    notches = [1.0 - luma[i] / max(min(luma[i - far:i - near + 1].max(),
                                       luma[i + near:i + far + 1].max()), 1.0)
               for i in range(far, len(luma) - far)]
    return float(np.percentile(notches, 95))


def photo_seams(animator, share: float) -> float:
    _, us, top, edge = photo_upper_row(animator)
    vs = top + share * (edge - top)
    return seam_notch(fh.luma_at_aligned(animator, animator.image, us[None], vs[None])[0])


@pytest.mark.parametrize("photo", TEETH_PHOTOS)
def test_drawn_teeth_take_the_colour_of_the_photos_own_teeth(animators, photo):
    animator = animators[photo]
    real = lab(real_teeth_colour(animator))[0]
    drawn = lab(estimated_teeth_colour(animator))[0]
    error = float(np.hypot(*(drawn[1:] - real[1:])))
    assert error <= MAX_COLOUR_ERROR, (
        f"{photo}: teeth drawn at a* {drawn[1]:.1f}, b* {drawn[2]:.1f}, the photo's own at "
        f"{real[1]:.1f}, {real[2]:.1f}: {error:.1f} apart (at most {MAX_COLOUR_ERROR})")


@pytest.mark.parametrize("mouth_open", OPENINGS)
def test_drawn_teeth_carry_a_warm_photos_cast(animators, mouth_open):
    animator = animators[DRAWN_PHOTO]
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=1.0))
    us, top, height = drawn_upper_row(animator, mouth_open)
    keep = np.abs(us - animator.geometry.mouth_centre_u) <= 0.4 * animator.geometry.mouth_half_width
    reads = [fh.sample_column(frame, animator.geometry, float(u),
                              (t + np.linspace(0.3, 0.7, 5) * h).astype(np.float32))
             for u, t, h in zip(us[keep], top[keep], height[keep], strict=True)]
    teeth = lab(brightest(np.concatenate(reads).astype(np.float32), 0.3))[0]
    skin = lab(cheeks(animator))[0]
    apart = abs((hue(teeth) - hue(skin) + 180.0) % 360.0 - 180.0)
    share = chroma(teeth) / chroma(skin)
    assert apart <= MAX_HUE_FROM_SKIN and share <= MAX_CHROMA_SHARE, (
        f"{DRAWN_PHOTO} at {mouth_open} open: drawn teeth at a* {teeth[1]:.1f}, b* {teeth[2]:.1f} "
        f"(hue {hue(teeth):.0f}, chroma {share:.2f} of the skin's), the cheeks at "
        f"a* {skin[1]:.1f}, b* {skin[2]:.1f} (hue {hue(skin):.0f}): {apart:.0f} degrees apart "
        f"(at most {MAX_HUE_FROM_SKIN:.0f}; chroma at most {MAX_CHROMA_SHARE})")


@pytest.mark.parametrize("mouth_open", OPENINGS)
def test_drawn_seams_are_as_faint_as_a_photos_own(animators, mouth_open):
    animator = animators[DRAWN_PHOTO]
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=1.0))
    us, top, height = drawn_upper_row(animator, mouth_open)
    for share in (NEAR_LIP, NEAR_EDGE):
        drawn = seam_notch(fh.luma_at_aligned(animator, frame, us[None],
                                              (top + share * height)[None])[0])
        limit = max(photo_seams(animators[photo], share) for photo in SEAM_PHOTOS)
        assert drawn <= limit, (
            f"{DRAWN_PHOTO} at {mouth_open} open, {share} of the way down the teeth: seams "
            f"{drawn:.3f} darker than the teeth beside them, the photos' own at most "
            f"{limit:.3f}")
