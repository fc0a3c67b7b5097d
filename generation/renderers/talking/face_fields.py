"""Backward displacement fields for the mouth, the eyelids and the gaze, in the face-aligned
frame.

Each function takes destination points (u, v) - where a pixel of the new frame lies - and
returns where in the photo that pixel should be read from. Working backward (rather than
moving photo pixels forward) lets us open gaps (a mouth) and cover things (an eyelid over an
eye) with nothing more than OpenCV's remap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generation.renderers.talking.geometry import EyeGeometry, FaceGeometry

# The upper lip rises by this share of the opening; the jaw does the rest.
UPPER_LIP_SHARE = 0.15
# Beside the mouth, this share of its half-width of cheek takes up a narrower or wider mouth.
CHEEK_STRIP = 0.6
# Share of the mouth's half-width next to each corner over which a smiling photo's gap eases
# to nothing.
CORNER_EASE = 0.4
# Under the corners the jaw's drop is taken up by the skin over this many times the drop, so
# no output row reads less than 1 - 1.5 / SKIN_STRETCH_SPAN of a photo row there (0.5: the
# skin's texture at most doubled in height, not smeared into streaks).
SKIN_STRETCH_SPAN = 3.0
# Rounded lips protrude: seen from the front, each lip's red grows away from the mouth (the
# upper lip up, the lower down) by this share of its own height per unit of narrowing (1 -
# width), most at the middle and nothing at the corners. The skin beyond each lip's outer line
# is squeezed over PROTRUSION_SKIN x the lips' height at the middle; a lip grows at most 0.4 of
# that band (the skin squeezed to no less than half its height). At the plan's narrowest
# (0.72, x1.35 for lips that meet: 0.62) a lip grows by up to 0.57 of its height. In dlib's
# landmarks on bench/lipsync_quality.py's renders, the lips' height on rounded over spread
# vowels went 0.93 -> 1.01 (worst photo) at 1.0 and 1.02 at 1.5, dlib's identity distance of
# the worst frame staying 0.446 (narrowed lips that keep their height look more like the photo).
PROTRUSION_SHARE = 1.5
PROTRUSION_SKIN = 0.5
# Apart, the lower lip grows only this share as much as the upper. A real lower lip, rounded
# and open, moves down and forward with the jaw and keeps about its own thickness seen from
# the front (the extra opening is mouth interior); grown like the upper lip on top of the
# opening, it hung from the hole as a tall tongue-like bulge. Pressed against the upper lip
# (a rounded m, b, p) it bunches and pouts as before: grown less there, dlib read one more
# rounded closure in bench/lipsync_quality.py's clips as open (bilabial_closed_fraction
# 0.923 -> 0.918). The pout gives way to the lower share, and the lip to one that moves
# rigidly with the jaw (mouth_field, step 4), as the lips part to LOWER_LIP_APART x the lips'
# height.
LOWER_LIP_PROTRUSION_SHARE = 0.2
LOWER_LIP_APART = 0.25
# Rounded lips pucker: the opening is an oval hole between lips that meet beside it, the
# line where they meet straightens across the hole (a smile's upturned line made a crescent),
# and the lips slide forward over the teeth. The pucker grows (smoothly) from a narrowing of
# PUCKER_START to one of PUCKER_FULL, where the hole's half-width is PUCKER_HOLE of the
# narrowed mouth's and the lips cover the photo's teeth. The motion plan narrows a rounded
# vowel to 0.72-0.8 of the photo's width (median 0.77) and an open one (ah) to about 0.88;
# times the animator's gain (0.8-1.04 for a photo that shows its teeth, 1.35 for lips that
# meet) a median rounded vowel is puckered 0.55 (obama2.jpg, the lowest gain) to 1, and an ah
# not at all (0.3 for lips that meet): it keeps its teeth.
PUCKER_START = 0.12
PUCKER_FULL = 0.24
PUCKER_HOLE = 0.7
# Rounded, the opening's ends are pointed a little (its height across it goes as PUCKER_POINT
# x rounding of (1 - x^2), the rest of an oval's square root of it): an oval's vertical ends
# moved the lower lip by different amounts on neighbouring columns, folding the map over
# where the face is tilted (biden.jpg, 13 degrees). The hole is PUCKER_TALLER taller at full
# pucker than the jaw's opening would make it: in a hole a third narrower dlib's three
# inner-lip pairs read 0.64-0.84 of the opening (their outer two near the hole's ends), so it
# rose less with the voice; 0.7-0.91 now. Taller by 0.3 folded the map again.
PUCKER_POINT = 1.0
# A puckered hole over a photo's teeth (lips apart) is pointed only this share as far: fully
# pointed, its ends were sharp tips cut into the lip (an almond, not an oo's rounded hole;
# its height at 0.85 of its half-width 0.28 of the middle's, 0.43 now, an oval's 0.53). The
# folds the points prevent were beside the corners of lips that meet (biden.jpg), which
# keep them.
PUCKER_HOLE_POINT = 0.4
PUCKER_TALLER = 0.15
# The lips reach over the teeth as the motion plan rounds them, from a narrowing of the plan's
# width of TEETH_COVER_START to one of TEETH_COVER_FULL: a smoothstep of the narrowing itself,
# the same on every photo. Taken from the pucker instead (from 0.3 of it to 0.8, a smoothstep
# of a smoothstep of the width after the photo's narrowing gain), the teeth went from a full
# row to none within 0.03 of the width (obama.jpg 0.81 -> 0.78, astronaut.png 0.83 -> 0.81,
# biden.jpg's drawn teeth 0.88 -> 0.86): as the width moves from frame to frame in speech, the
# teeth blinked on and off. Now the visible teeth shrink by at most about a ninth of their
# height per 0.01 of the width; an ah (0.88) keeps all its teeth, the median rounded vowel
# (0.77) leaves about a tenth, and the plan's narrowest (0.72) covers them.
TEETH_COVER_START = 0.12
TEETH_COVER_FULL = 0.26
# Puckered, the upper lip takes this share of the hole's height (a rounder hole, not a half
# oval hanging from a straight upper lip); the jaw opens as before, so the lower lip lags it,
# stretched over the lower teeth.
PUCKER_UPPER_SHARE = 0.35
# The line where the lips meet is straight across a puckered hole once it is open by this
# share of the lips' height (from the photo's line when shut).
PUCKER_STRAIGHT_OPENING = 0.15
# Only a photo whose lips are apart (by this share of the face's height or more: the
# animator's own threshold for a photo that shows its teeth) puckers into a hole over its
# teeth. Lips that meet have no teeth of their own to cover and already narrow a third
# further for a rounded vowel (the animator's gain); a hole a third narrower again made dlib
# read biden.jpg's rounded mouth wider (its rounded/spread width 0.766 -> 0.81) and half as
# open. Their opening's ends are still pointed (no fold at that narrowing).
PUCKER_LIPS_APART = 0.025
# The opening's columns under this many px tall fade out (none shows at half of it): the lips'
# own line where they meet (a shut mouth's line is drawn there, see FaceAnimator).
OPENING_FADE_GAP = 0.5
# Towards the corners, an opening under this many px tall tapers out (see mouth_field).
THIN_OPENING_PX = 6.0
# The opening's ends come to a point over the last POINTED_ENDS of its half-width while it is
# at most POINTED_OPENING_PX[0] tall, and over POINTED_ENDS_OPEN of it from
# POINTED_OPENING_PX[1] on (the height a smoothstep of the distance from the end: it thins out
# to nothing with zero slope, a soft line fading out). An oval's ends are upright: at 0.15-0.3
# of the full opening a wide smile's opening ended in a dark blob a few px tall, out past where
# its lips meet (astronaut.png, whose dlib outer corners lie on the skin beyond them; in
# tests/generation/test_opening_ends.py up to 2.8 px darker than the photo there, now 0.1).
# Wider open, a long point left the photo's own dark corner beside the narrowed end, on its
# rims, read as a dark line along them (tests/generation/test_mouth_corners.py, obama.jpg
# 0.09 -> 0.16 of the samples).
POINTED_ENDS = 0.3
POINTED_ENDS_OPEN = 0.1
POINTED_OPENING_PX = (9.0, 14.0)
# A photo's open mouth closed part of the way keeps its corners open by at least this much.
CORNER_OPEN_PX = 3.0
# The lower lip closes up to the photo's upper lip edge where that lies above dlib's line
# (geometry.upper_lip_edge_raise), less so over this last share of the half-width to the
# corner: the edge falling back to dlib's corner over a px or two made the lower lip, and the
# chin under it, rise by a different amount on neighbouring columns, a cut down the chin
# (obama2.jpg). There the upper lip reaches down over the rest.
EDGE_CORNER_EASE = 0.3
# Open as far as the photo's, the mouth keeps that dark under the upper lip's corner (the
# photo's own shadow there; taken off the lip, it was a black line along the opening's rim
# between the lip and the teeth). It is closed up by the lower lip from EDGE_OPENED[1] of the
# photo's opening down, fully from EDGE_OPENED[0].
EDGE_OPENED = (0.3, 0.5)
# Where the lips meet beside a rounded hole each is read from where the photo shows it lit
# (see _opening_lines), less so over this last share of the half-width to the corner, where
# dlib's lines meet: read a few px off them right up to the corner, the lower lip and the
# skin under it were moved by a different amount on each side of the corner's column, and
# the map folded over there (obama2.jpg: read back by up to 0.3 px). The map's least step on
# tests/generation/test_pucker.py's quarter-px grid: 0.087 px on d871985, 0.004 at an
# ease of 0.05, 0.038 here; at 0.1 more of obama.jpg's dark corner stayed on the line
# (test_rounded_whiskers.py's depth 0.39 there, 0.37 here).
LIT_LIPS_CORNER_EASE = 0.08
# A jaw lifting to close a photo's open mouth (see _under_lifted_chin): its shift fades out
# over LIFTED_CHIN_SPAN x the lift, ending LIFTED_CHIN_NECK_PULL x the lift past the bare
# neck's end (a collar's edge moved by a px or two, where the chin stretched less), starting
# no higher than LIFTED_CHIN_TOP_SHARE of the way from the lower lip's outer line to the chin
# and never over less than LIFTED_CHIN_FOLD x the lift (the fade's steepest slope, 1 + 0.5 x
# LIFTED_CHIN_EASE, times the lift over its span, must stay under 1 or the map folds over).
# Nearly linear (LIFTED_CHIN_EASE of a smoothstep): a smoothstep's steepest part spread one
# photo row over many, and the chin's texture ran down it in streaks.
LIFTED_CHIN_SPAN = 2.5
LIFTED_CHIN_TOP_SHARE = 0.1
LIFTED_CHIN_NECK_PULL = 0.3
LIFTED_CHIN_FOLD = 1.3
LIFTED_CHIN_EASE = 0.3


def pucker(width: float) -> float:
    """0..1: how far a mouth at ``width`` x the photo's width is puckered (0 down to a
    narrowing of PUCKER_START, 1 from one of PUCKER_FULL), with zero slope at both ends."""
    return _smoothstep_scalar((1.0 - width - PUCKER_START) / (PUCKER_FULL - PUCKER_START))


@dataclass(frozen=True, eq=False)
class MouthField:
    du: np.ndarray  # backward displacement, aligned axes
    dv: np.ndarray
    coverage: np.ndarray  # 0..1: how much of each pixel lies inside the open mouth
    depth: np.ndarray  # 0 at the lips .. 1 in the middle of the opening
    column: np.ndarray  # -1 .. 1 across the opening (mouth corners at +-1)
    from_top: np.ndarray  # distance below the (new) upper inner lip, px
    gap: np.ndarray  # opening height of this pixel's column, px
    upper_source_v: np.ndarray  # v to read if the pixel shows what moves with the upper lip
    lower_source_v: np.ndarray  # v to read if it shows what moves with the jaw
    upper_limit_v: np.ndarray  # the photo's upper-teeth band: [upper inner lip, this]
    lower_limit_v: np.ndarray  # the photo's lower-teeth band: [this, lower inner lip]
    teeth_cover: np.ndarray  # 0..1: how far puckered lips cover the photo's teeth here
    # 0..1: how far rounded lips cover drawn teeth here (a photo whose lips meet has no
    # teeth of its own, and its opening stays full width: an oo showed a row of teeth)
    drawn_teeth_cover: np.ndarray
    # How far above dlib's upper inner line the photo's upper lip ends in this frame, at the
    # column each pixel reads (_OpeningLines.upper_raise).
    upper_lip_raise: np.ndarray | float = 0.0
    # How far above upper_source_v the upper lip's last px is read where it meets the lower
    # lip (the lip stretched down over the photo's dark under it: _OpeningLines.upper_reach).
    upper_lip_reach: np.ndarray | float = 0.0

    def opening_box(self) -> tuple[int, int, int, int] | None:
        """(x0, y0, x1, y1) within the field's arrays bounding every pixel the opening
        covers, or None when the mouth is shut."""
        return mask_box(self.coverage > 0)

    def cropped(self, box: tuple[int, int, int, int]) -> MouthField:
        x0, y0, x1, y1 = box
        return MouthField(**{
            name: _cropped(getattr(self, name), box) for name in self.__dataclass_fields__
        })


def _cropped(values: np.ndarray | float, box: tuple[int, int, int, int]) -> np.ndarray | float:
    x0, y0, x1, y1 = box
    return values[y0:y1, x0:x1] if np.ndim(values) == 2 else values


def mask_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) bounding the True pixels of a 2-D mask, or None when there are none."""
    rows = np.flatnonzero(mask.any(axis=1))
    if len(rows) == 0:
        return None
    cols = np.flatnonzero(mask[rows[0] : rows[-1] + 1].any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def mouth_field(
    geometry: FaceGeometry, u: np.ndarray, v: np.ndarray, *, opening_px: float, width: float,
    cover: float | None = None,
) -> MouthField:
    """Open the mouth to ``opening_px`` (inner-lip gap at the centre) at ``width`` x the photo's
    width. Lips keep their own pixels; the jaw, chin and lower lip move as one below the
    lip line, fading out under the chin and towards the ears. ``cover``: how far rounded lips
    reach over the teeth (teeth_cover of the plan's width; None: teeth_cover(width))."""
    g = geometry
    source_u, source_v, lower_source, lines = _mouth_motion(g, u, v, opening_px=opening_px,
                                                            width=width)
    upper, lower, new_upper, new_lower = lines.upper, lines.lower, lines.new_upper, lines.new_lower
    gap, rise, bend, column = lines.gap, lines.rise, lines.bend, lines.column
    puckered, hole = lines.puckered, lines.hole
    coverage = opening_coverage(v - new_upper, new_lower - v, gap)
    # Where it is only a few px tall its ends still taper out before the corners (a puckered
    # hole's over less of its half-width): dlib's outer corners lie on the skin beyond a wide
    # smile's commissures (astronaut.png), and a thin opening painted up to them was a dark
    # crack past the lips. Taller, it is painted to its ends (see opening_coverage).
    taper = 0.2 * hole * (1.0 - 0.75 * puckered)
    ends = np.clip((hole - np.abs(column)) / taper, 0.0, 1.0)
    coverage = coverage * np.maximum(ends, _smoothstep(gap / THIN_OPENING_PX))
    half_gap = np.maximum(gap / 2.0, 0.5)
    depth = np.clip(np.minimum(v - new_upper, new_lower - v) / half_gap, 0.0, 1.0)
    photo_gap = np.maximum(lower - upper, 0.0)
    upper_limit = upper + 0.55 * photo_gap
    lower_limit = lower - 0.5 * photo_gap
    upper_teeth_v, lower_teeth_v = v + rise - bend, lower_source
    if cover is None:
        cover = teeth_cover(width)
    # Over a photo's own teeth only where its lips are apart (as it puckers).
    photo_cover = cover * _smoothstep_scalar(g.rest_gap / (PUCKER_LIPS_APART * g.face_height))
    over_photo_teeth = np.zeros_like(upper_teeth_v)
    if photo_cover > 0.0:
        # The puckered lips reach forward over the teeth: inside the hole, what moves with
        # the upper lip is read a whole teeth band (and a pixel) further down, past the
        # upper teeth's tips, and what moves with the jaw as far up, past the lower ones, so
        # the hole shows the dark mouth behind the lips. Only where the opening is painted: a
        # shut mouth's line still reads the lips.
        over_photo_teeth = _lips_over_teeth(photo_cover, coverage)
        upper_teeth_v = upper_teeth_v + over_photo_teeth * (upper_limit - upper + 1.0)
        lower_teeth_v = lower_teeth_v - over_photo_teeth * (lower - lower_limit + 1.0)
    return MouthField(
        du=source_u - u,
        dv=source_v - v,
        coverage=coverage,
        depth=depth,
        column=column,
        from_top=v - new_upper,
        gap=gap,
        upper_source_v=upper_teeth_v,
        lower_source_v=lower_teeth_v,
        upper_limit_v=upper_limit,
        lower_limit_v=lower_limit,
        teeth_cover=over_photo_teeth,
        drawn_teeth_cover=_lips_over_teeth(cover, coverage).astype(np.float32),
        upper_lip_raise=lines.upper_raise,
        upper_lip_reach=lines.upper_reach,
    )


def mouth_displacement(
    geometry: FaceGeometry, u: np.ndarray, v: np.ndarray, *, opening_px: float, width: float,
) -> tuple[np.ndarray, np.ndarray]:
    """mouth_field's backward displacement (du, dv) alone, for points where nothing else of
    the field is read (the animator's coarse grid; the rest is a quarter of a call)."""
    source_u, source_v, _, _ = _mouth_motion(geometry, u, v, opening_px=opening_px,
                                             width=width)
    return source_u - u, source_v - v


def _mouth_motion(g: FaceGeometry, u: np.ndarray, v: np.ndarray, *, opening_px: float,
                  width: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, _OpeningLines]:
    """mouth_field's motion: where each point reads the photo (source u and v), the v it
    reads if it moves with the jaw, and the opening's lines."""
    uc, half = g.mouth_centre_u, g.mouth_half_width
    lip_top, lip_bottom = float(g.upper_outer(uc)), float(g.lower_outer(uc))
    lip_height = max(lip_bottom - lip_top, 4.0)

    # 1. Narrow or widen the mouth: scale columns about its centre between the corners;
    #    beyond them, carry the corners' shift and let it fade over the cheek.
    across = np.abs(u - uc)
    # The band reaches down as far as the jaw carries the lower lip, so an open rounded
    # mouth narrows along both lips, not only the upper one.
    band_top = lip_top - 0.3 * lip_height
    band_bottom = lip_bottom + 0.3 * lip_height + (1.0 - UPPER_LIP_SHARE) * opening_px
    envelope_v = np.where(
        v < band_top,
        np.exp(-(((band_top - v) / (0.4 * lip_height)) ** 2)),
        np.where(v > band_bottom, np.exp(-(((v - band_bottom) / (0.45 * lip_height)) ** 2)), 1.0),
    )
    # Piecewise linear and monotonic (never reads past the cheek strip beside the mouth):
    # the lips [0, width x half] show the photo's [0, half]; the cheek strip beyond, up to
    # half + CHEEK_STRIP x half, is stretched or squeezed to fill the rest.
    new_half = width * half
    outer = (1.0 + CHEEK_STRIP) * half
    source_across = np.where(
        across < new_half,
        across / width,
        np.where(across < outer,
                 half + (across - new_half) * (outer - half) / max(outer - new_half, 1e-3),
                 across),
    )
    source_u = u + np.sign(u - uc) * (source_across - across) * envelope_v

    # 2. The new inner-lip lines of each column, from the photo's lines and an oval opening.
    lines = _opening_lines(g, source_u, opening_px=opening_px, width=width,
                           lip_height=lip_height)
    new_upper, new_lower, rise, bend = lines.new_upper, lines.new_lower, lines.rise, lines.bend

    # 3. Above the opening: the upper lip rises, fading within about a lip's height.
    upper_fall = max(float(g.upper_inner(uc)) - lip_top, 3.0)
    upper_source = v + (rise - bend - lines.upper_reach) * np.exp(
        -(((new_upper - v) / (1.5 * upper_fall)) ** 2))

    # 4. Below it: lower lip, chin and jaw move down (or up, to close a photo's open mouth).
    # The skin takes its lip lines from the lip above it in the new frame, the column the
    # narrowing reads at the lips: below them the narrowing fades out and source_u swings
    # back across the lip's columns, and lines read there made the jaw take over a few
    # pixels apart down one column (the map folded beside a rounded mouth's corners once the
    # skin stretched over more than the lip's own height). Within the band the two agree, so
    # only the skin below it reads its lines again (a rounded frame's field took 10 % longer
    # read again everywhere).
    # The lower lip moves with its edge where the photo's own shape puts it (lip_edge, at or
    # above the opening's rim; between the two it is painted over the opening).
    lip_u, lip_lower, lip_new_lower, lip_inside = (source_u, lines.lower_lip_top,
                                                   lines.lip_edge, lines.inside_mouth)
    fading = v > band_bottom
    if width != 1.0 and fading.any():
        lip_u = np.where(fading, u + np.sign(u - uc) * (source_across - across), source_u)
        below = _opening_lines(g, lip_u[fading], opening_px=opening_px, width=width,
                               lip_height=lip_height)
        lip_lower, lip_new_lower, lip_inside = (
            np.array(line, copy=True) for line in (lip_lower, lip_new_lower, lip_inside))
        lip_lower[fading] = below.lower_lip_top
        lip_new_lower[fading] = below.lip_edge
        lip_inside[fading] = below.inside_mouth
    shift_at_lip = lip_new_lower - lip_lower
    centre_upper = float(g.upper_inner(uc))
    jaw_shift = centre_upper + (1.0 - UPPER_LIP_SHARE) * opening_px - float(g.lower_inner(uc))
    # The jaw takes over from the lip line across the lower lip's thickness; beside the mouth
    # (where the lip thins out) over a longer stretch of cheek, so the cheek shears smoothly.
    centre_thickness = max(float(g.lower_outer(uc) - g.lower_inner(uc)), 0.04 * g.face_height)
    beyond_corner = np.clip((across - 0.5 * half) / half, 0.0, 2.0)
    lip_thickness = g.lower_outer(lip_u) - lip_lower
    lower_thickness = np.maximum(lip_thickness, centre_thickness) * (
        1.0 + 1.5 * beyond_corner
    )
    jaw_profile = 1.0 - _smoothstep((across - 0.28 * g.face_width) / (0.32 * g.face_width))
    # Beside the corners the lip line stays and the jaw drops: the skin between stretches.
    # Over less than 1.5 x the drop (the smoothstep's steepest slope) the backward map folds
    # over, and the corner's dark crease is smeared down the cheek as a crack. Just unfolded
    # (1.6 x), one photo row was spread over up to 16 output rows in the middle of the band:
    # the skin's texture was smeared into vertical streaks beside and under the corners. A
    # drop is stretched over SKIN_STRETCH_SPAN x itself (reaching most of the way to the jaw
    # line, as real skin stretches over the lower face); a rise (a photo's open mouth
    # closed) only squeezes the skin, and keeps the shorter span.
    drop_from_lip = jaw_shift * jaw_profile - shift_at_lip
    lower_thickness = np.maximum(lower_thickness, np.maximum(
        1.6 * np.abs(drop_from_lip), SKIN_STRETCH_SPAN * drop_from_lip))
    # Apart, the lower lip moves as one piece with its inner line, down to its outer line;
    # the skin under it takes up any difference from the jaw's shift. Blended from the inner
    # line, a lip line that lagged the jaw (a puckered hole) stretched the lip itself. Shut
    # (lips pressed together, or a photo's open mouth closed), and towards the corners where
    # the lip thins out and the cheek shears, the jaw takes over from the lip line as before.
    apart = _smoothstep_scalar(opening_px / (LOWER_LIP_APART * lip_height))
    rigid_lip = np.maximum(lip_thickness, 0.0) * lip_inside * apart
    into_jaw = _smoothstep((v - lip_new_lower - rigid_lip) / lower_thickness)
    # An opening jaw slides the chin down over the neck, fading out a quarter of the face's
    # height below it. A closing one (a photo's open mouth shut) lifts the chin off the neck:
    # the larger the lift, the closer under the chin the neck alone stretches up behind it
    # (never over less than 1.6 x the lift, which would fold the map over), so a collar or
    # scarf further down stays where it is. Continuous in the lift, so frames near the
    # photo's own opening do not flicker between the two.
    lift = max(-jaw_shift, 0.0)
    chin_reach = max(0.25 * g.face_height - 2.2 * lift, 1.6 * lift, 0.06 * g.face_height)
    if lift > 0.0:
        under_chin = _under_lifted_chin(g, v, lift, chin_reach)
    else:
        under_chin = 1.0 - _smoothstep((v - g.chin_v) / chin_reach)
    shift = (shift_at_lip * (1.0 - into_jaw) + jaw_shift * jaw_profile * into_jaw) * under_chin
    lower_source = v - shift

    inside = (v > new_upper) & (v < new_lower)
    # Inside the opening the map reads on from the upper lip's edge (seen only in the pixels
    # the opening's rims cross).
    source_v = np.where(v <= new_upper, upper_source,
                        np.where(inside, v + rise - bend, lower_source))
    if width < 1.0:
        # Backward, after the rest: the opening and narrowing are made on the photo with its
        # lips already protruded. Only the lips' red and the skin beyond move; the lines
        # where the lips meet stay, so the interior and a shut mouth's line are unchanged.
        lower_share = 1.0 - (1.0 - LOWER_LIP_PROTRUSION_SHARE) * apart
        source_v = _protruded(g, source_u, source_v, 1.0 - width,
                              (lines.photo_upper, lines.photo_lower, g.lower_outer(source_u)),
                              lower_share)
    return source_u, source_v, lower_source, lines


@dataclass(frozen=True, eq=False)
class _OpeningLines:
    """The inner-lip lines of each column, in the photo and opened (aligned v)."""

    photo_upper: np.ndarray  # the photo's inner lines, as dlib's points give them
    photo_lower: np.ndarray
    upper: np.ndarray  # the photo's opening (a smile's gap at least an oval that wide)
    lower: np.ndarray
    new_upper: np.ndarray  # the opened mouth's
    new_lower: np.ndarray
    gap: np.ndarray  # new_lower - new_upper
    rise: np.ndarray  # how far the upper lip moves up
    bend: np.ndarray | float  # how far a puckered hole straightens the upper lip's line down
    column: np.ndarray  # -1 .. 1 across the photo's mouth (corners at +-1)
    inside_mouth: np.ndarray  # 1 - column^2, 0 beyond the corners
    rounded: float  # pucker(width)
    puckered: float  # rounded, over a photo's teeth
    hole: float  # the puckered hole's half-width, share of the mouth's
    # The lower lip's new inner line: new_lower, or above it where the photo's own shape
    # closes the opening's corners further (the lip is painted over the opening there).
    lip_edge: np.ndarray
    # How far the upper lip's edge is drawn down past where the photo's lip ends (its pixels
    # spread over the rest of the lip's height).
    upper_reach: np.ndarray | float
    # How far above dlib's upper inner line the upper lip ends in this frame (its measured
    # edge, while the photo's dark under it is closed up; 0 where it is dlib's line).
    upper_raise: np.ndarray | float
    # The photo's line the lower lip's edge is read from: lower, or below it where the lips
    # meet beside a rounded hole and the photo's lower lip is lit only further down.
    lower_lip_top: np.ndarray


def _opening_lines(g: FaceGeometry, source_u: np.ndarray, *, opening_px: float, width: float,
                   lip_height: float) -> _OpeningLines:
    """The lips' inner lines where the photo's columns ``source_u`` show, opened to
    ``opening_px`` at ``width`` x the photo's width (see mouth_field)."""
    uc, half = g.mouth_centre_u, g.mouth_half_width
    upper = photo_upper = g.upper_inner(source_u)
    lower = photo_lower = g.lower_inner(source_u)
    column = (source_u - uc) / half
    inside_mouth = np.clip(1.0 - column * column, 0.0, 1.0)
    # The opening: an oval across the mouth or, puckered, a hole narrower than it (the lips
    # meet beside the hole, as they do along a shut mouth's line), its ends pointed a little:
    # an oval's vertical ends moved the lower lip by different amounts on neighbouring
    # columns, folding the map over where the face is tilted (biden.jpg, 13 degrees).
    rounded = pucker(width)
    puckered = rounded * _smoothstep_scalar(g.rest_gap / (PUCKER_LIPS_APART * g.face_height))
    hole = 1.0 - (1.0 - PUCKER_HOLE) * puckered
    if rounded > 0.0:
        within = np.maximum(1.0 - column * column * (1.0 / (hole * hole)), 0.0)
        pointed = PUCKER_POINT * rounded * (1.0 - (1.0 - PUCKER_HOLE_POINT) * puckered)
        profile = (1.0 - pointed) * np.sqrt(within) + pointed * within
    else:
        profile = np.sqrt(inside_mouth)
    # Its ends come to a point (see POINTED_ENDS); a rounded hole's are pointed as far as it
    # wants them above (pointed further, an oo's hole became an almond).
    wide_open = _smoothstep_scalar((opening_px - POINTED_OPENING_PX[0])
                                   / (POINTED_OPENING_PX[1] - POINTED_OPENING_PX[0]))
    point = POINTED_ENDS + (POINTED_ENDS_OPEN - POINTED_ENDS) * wide_open
    ends = _smoothstep((hole - np.abs(column)) / (point * hole))
    profile = profile * (1.0 - (1.0 - rounded) * (1.0 - ends))
    upper_reach = 0.0
    upper_raise = 0.0
    # Puckered and open, the lips meet along a straight line across the hole (see bend).
    straight = puckered * _smoothstep_scalar(opening_px / (PUCKER_STRAIGHT_OPENING * lip_height))
    # A smile's commissure shadow above dlib's line (geometry.EDGE_MIN_RAISE) is closed up
    # only as far as that line is straightened: beside a rounded hole the lips meet, the
    # line moved down and the upper lip stretched down to it, and kept there, the upper
    # lip's last dark px stood past the hole's ends as dark horns pointing up the smile's
    # line (astronaut.png, 0.15-0.6 open at 0.75-0.8 of the width). A rounded mouth still
    # shut keeps the shadow: closed up to its edge there, the lips' line ended in a hard
    # hooked step at each corner.
    edge_weight = straight if g.upper_lip_edge_rounded_only else 1.0
    # How far each column is open, as a share of the unrounded mouth (1 unrounded).
    hole_share = _hole_share(profile, inside_mouth, column, point) if rounded > 0.0 else 1.0
    if g.upper_lip_edge is not None and edge_weight > 0.0:
        # Near a corner dlib's line can lie in the mouth's dark, below where the photo's
        # upper lip ends (taken for lip, that dark stayed as a wedge beside a closing
        # mouth's corner; obama2.jpg). The opening starts at the lip's edge; towards the
        # corner, where dlib's lines meet, the upper lip reaches down over the rest
        # (upper_reach) instead (see EDGE_CORNER_EASE).
        opened = opening_px / max(g.rest_gap, 1e-6)
        if rounded > 0.0:
            # Rounded, each column is open only as far as the hole is there: beside it the
            # lips meet, and the photo's dark kept under the upper lip's corner (the mouth
            # open as far as the photo's) stood as a black wedge beside the hole.
            opened = opened * hole_share
        closing = 1.0 - (_smoothstep if rounded > 0.0 else _smoothstep_scalar)(
            (opened - EDGE_OPENED[0]) / (EDGE_OPENED[1] - EDGE_OPENED[0]))
        # Squared, so a mouth closing part of the way (0.4 of the full opening: closing 0.2)
        # keeps its upper rim near dlib's line: the edge found higher up its ramp
        # (geometry.EDGE_LIT_SHARE) and taken a fifth of the way there put the rim on the
        # ramp's dark foot, a dark line along it (tests/generation/test_mouth_corners.py,
        # obama2.jpg at 0.4 open: 0.15 of the rim samples on 323e045, 0.24 so, 0.10 squared).
        upper_raise = edge_weight * closing * closing * np.maximum(
            photo_upper - g.upper_edge(source_u), 0.0)
        lip_end = photo_upper - upper_raise
        ease = _smoothstep((1.0 - np.abs(column)) / EDGE_CORNER_EASE)
        upper = photo_upper - ease * (photo_upper - lip_end)
        upper_reach = upper - lip_end
    # How far each column's lips meet beside a rounded hole (fully once the mouth is open
    # by PUCKER_STRAIGHT_OPENING of the lips' height; shut, a rounded mouth keeps the photo's
    # line, as it keeps a smile's commissure shadow above): there each lip is read from
    # where the photo shows it lit (geometry.lit_lip_offsets), the upper lip stretched down
    # to the line where they meet and the lower lip's shadowed top left out. Read down to
    # dlib's line (the upper lip to the commissure shadow's edge), the photo's dark between a
    # smile's lips stood where they met as a thin dark line from each end of the hole up the
    # smile's line (astronaut.png; obama.jpg's lower lip too; black dots along obama2.jpg's).
    meeting = 0.0
    if rounded > 0.0 and g.upper_lip_lit is not None and g.lower_lip_lit is not None:
        meeting = (_smoothstep_scalar(opening_px / (PUCKER_STRAIGHT_OPENING * lip_height))
                   * (1.0 - hole_share)
                   * _smoothstep((1.0 - np.abs(column)) / LIT_LIPS_CORNER_EASE))
        lit_end = photo_upper - meeting * np.maximum(photo_upper - g.upper_lip_lit(source_u),
                                                     0.0)
        lip_end = np.minimum(upper - upper_reach, lit_end)
        upper_reach = upper - lip_end
        upper_raise = photo_upper - lip_end
    if g.rest_gap > 0.0:
        # A smiling photo's teeth reach nearly to the corners, beyond the straight lines
        # dlib's few lip points give: take the photo's gap as at least an oval that wide.
        # The oval eases to nothing over the last CORNER_EASE of the half-width: its edge
        # (infinitely steep at the corner) moved the chin under a closing mouth by a different
        # amount on each side of one pixel column, a visible cut from the corner down the chin.
        middle = (upper + lower) / 2.0
        oval = inside_mouth**0.35 * _smoothstep((1.0 - np.abs(column)) / CORNER_EASE)
        photo_gap = np.maximum(lower - upper, g.rest_gap * oval)
        upper, lower = middle - photo_gap / 2.0, middle + photo_gap / 2.0
    lower_lip_top = lower
    if np.ndim(meeting):
        lower_lip_top = np.maximum(lower, photo_lower + meeting * np.maximum(
            g.lower_lip_lit(source_u) - photo_lower, 0.0))
    gap = opening_px * (1.0 + PUCKER_TALLER * puckered) * profile
    rise = (UPPER_LIP_SHARE + (PUCKER_UPPER_SHARE - UPPER_LIP_SHARE) * puckered) * gap
    # Puckered and open, the lips meet along a straight line across the hole (the photo's
    # line at the middle; a smile's upturned line made the hole a crescent), easing back to
    # the photo's line between the hole's ends and the corners. Shut, they keep the photo's
    # line: straightened, a smile's dark corners were dragged into a hard-edged strip.
    bend = 0.0
    if straight > 0.0:
        bend = (straight * _smoothstep((1.0 - np.abs(column)) / max(1.0 - hole, 1e-3))
                * (float(g.upper_inner(uc)) - upper))
    new_upper = upper - rise + bend
    new_lower = new_upper + gap
    lip_sink = 0.0
    if g.rest_gap > 0.0:
        # The photo's own shape: each column's gap changed by the middle's change, shaded by
        # the oval, never past the oval. A photo's mouth closed part of the way opens its
        # corners to the oval while its middle closes: moved with that rim, the lower lip's
        # edge rose in the middle and sank again beside it, a notch of the mouth's dark cut
        # into the lip past the lower teeth (obama2.jpg). The opening keeps the oval (its
        # corners stay open); the lip is painted up to where this shape puts its edge.
        from_photo = np.maximum(photo_gap + (gap - g.rest_gap * profile), 0.0)
        shaped = gap - (1.0 - rounded) * np.maximum(gap - from_photo, 0.0)
        # The corners stay open by a few px (as far as the oval is): the lower lip painted up
        # against the upper one drew the upper lip's own dark edge, read from the photo's
        # gap, as a dark line along the corners.
        shaped = np.maximum(shaped, np.minimum(gap, CORNER_OPEN_PX))
        lip_sink = np.maximum((gap - rise) - (shaped - rise * shaped / np.maximum(gap, 1e-6)),
                              0.0)
    return _OpeningLines(
        photo_upper=photo_upper, photo_lower=photo_lower, upper=upper, lower=lower,
        new_upper=new_upper, new_lower=new_lower, gap=gap, rise=rise, bend=bend, column=column,
        inside_mouth=inside_mouth, rounded=rounded, puckered=puckered, hole=hole,
        lip_edge=new_lower - lip_sink, upper_reach=upper_reach, upper_raise=upper_raise,
        lower_lip_top=lower_lip_top,
    )


def _hole_share(profile: np.ndarray, inside_mouth: np.ndarray, column: np.ndarray,
                point: float) -> np.ndarray:
    """0..1 per column: how far a rounded hole's ``profile`` is open there, as a share of
    the unrounded mouth's (1 at and beyond the corners)."""
    unrounded = np.sqrt(inside_mouth) * _smoothstep((1.0 - np.abs(column)) / point)
    return np.where(unrounded > 1e-3, np.minimum(profile / np.maximum(unrounded, 1e-3), 1.0),
                    1.0)


def opening_coverage(from_top: np.ndarray, from_bottom: np.ndarray, gap: np.ndarray
                     ) -> np.ndarray:
    """0..1: the share of each pixel that lies in the opening, between its upper rim
    (``from_top`` px above the pixel's centre, straight up the mouth) and its lower rim
    (``from_bottom`` px below it); ``gap``: the opening's height in the pixel's column.

    On a grid of pixels (2-D, as the animator computes the lips' box) each distance is taken
    across its rim, not straight up or down the mouth: towards the corners the rims slope and
    at the opening's ends they are upright, and there the vertical distance changed by several
    px from one pixel to the next, a hard, stair-stepped edge. The share is of the pixel
    between both rims (not of the nearer one alone, which made a sliver of a fraction of a
    pixel near the corners half opaque: a dark crack along the lips' line), so the opening
    thins out to its ends by itself. Where it is still tall there, it no longer fades out over
    the last fifth of the half-width (against that crack; see mouth_field): half see-through,
    it showed the map's stretched photo inside the opening and, along its rims, the photo's own
    dark line where the lips meet, carried out with each lip, as a hairline or a chain of
    dots darker than the skin and the pale mouth either side (biden.jpg, obama.jpg;
    tests/generation/test_mouth_corners.py).
    """
    from_top, from_bottom = distance_across(from_top), distance_across(from_bottom)
    below_top = np.clip(from_top + 0.5, 0.0, 1.0)
    above_bottom = np.clip(from_bottom + 0.5, 0.0, 1.0)
    share = np.clip(below_top + above_bottom - 1.0, 0.0, 1.0)
    return share * np.clip((gap - 0.5 * OPENING_FADE_GAP) / (0.5 * OPENING_FADE_GAP), 0.0, 1.0)


def distance_across(distance: np.ndarray) -> np.ndarray:
    """A line's distance straight up or down the mouth (px, per pixel), taken across the
    line instead where it is a 2-D grid of pixels (see opening_coverage)."""
    if distance.ndim == 2 and min(distance.shape) >= 2:
        return distance / _gradient_length(distance)
    return distance


def _gradient_length(values: np.ndarray) -> np.ndarray:
    """How fast ``values`` (a 2-D grid of pixels) change per pixel, at least 1 (a rim's
    distance straight up the mouth changes by 1 per pixel across a level rim)."""
    along_y, along_x = np.gradient(values)
    return np.maximum(np.sqrt(along_x * along_x + along_y * along_y), 1.0)


def _protruded(g: FaceGeometry, u: np.ndarray, v: np.ndarray, narrowing: float,
               lines: tuple[np.ndarray, np.ndarray, np.ndarray], lower_share: float
               ) -> np.ndarray:
    """``v`` (photo points, with ``u``) moved backward so that each lip's red grows away from
    the mouth by PROTRUSION_SHARE x narrowing x its own height (the lower lip ``lower_share``
    of that), most at the middle and nothing at the corners: a point just above the upper
    lip's outer line reads from the lip.
    The lip is stretched from its inner line (which stays) and the skin beyond it squeezed
    over a band; the displacement eases to nothing at the inner line and at the band's far
    edge (smoothsteps that meet at the new outer line with zero slope: no kink). ``lines``:
    the photo's upper inner, lower inner and lower outer lines at ``u``, already known."""
    uc, half = g.mouth_centre_u, g.mouth_half_width
    band = PROTRUSION_SKIN * max(float(g.lower_outer(uc) - g.upper_outer(uc)), 4.0)
    lips = g.points[48:60, 1]
    # Computed only where it is not nothing: between the corners, from the band above the
    # lips to the band below them.
    near = ((np.abs(u - uc) < half) & (v > float(lips.min()) - band)
            & (v < float(lips.max()) + band))
    if not near.any():
        return v
    u, at = u[near], v[near]
    upper_inner, lower_inner, lower_outer = (line[near] for line in lines)
    upper = at < (upper_inner + lower_inner) / 2.0
    # Outward from the lip's inner line (up for the upper lip, down for the lower).
    outward = np.where(upper, upper_inner - at, at - lower_inner)
    thickness = np.maximum(np.where(upper, upper_inner - g.upper_outer(u),
                                    lower_outer - lower_inner), 0.0)
    across = (u - uc) / half
    taper = (1.0 - across * across) ** 2
    # The lip's growth (px), at most 0.4 of the band.
    share = PROTRUSION_SHARE * np.where(upper, 1.0, lower_share)
    grow = np.minimum(share * narrowing * taper * thickness, band / 2.5)
    peak = thickness + grow  # where the photo's outer line now shows
    weight = _smoothstep(np.where(outward < peak, outward / np.maximum(peak, 1e-3),
                                  (thickness + band - outward) / (band - grow)))
    moved = v.copy()
    moved[near] = at + np.where(upper, grow, -grow) * weight
    return moved


# A shut lid reaches this share of the eye's half-width below dlib's lower-lid line, tapering
# to nothing as far beyond each corner: dlib's lid points sit on or just inside the margins,
# and a lid that stopped on the line left a sliver of white (and the waterline) below it, and
# the corners' whites beside it. Further hides a pixel or two more of obama.jpg's whites,
# but moves astronaut.png's shut eyes away from the photo in dlib's identity space (mean over
# its 33 blink frames in the bench's clips, against none: 0.006 here, 0.008 at 0.09, 0.012
# at 0.12; the bench's worst frame 0.447 here, 0.452 at 0.09, target 0.45).
LID_OVERSHOOT = 0.06


@dataclass(frozen=True, eq=False)
class EyelidField:
    dv: np.ndarray  # backward vertical displacement, aligned axes
    covering: np.ndarray  # 0..1: share of the pixel where the lowered lid now covers the eye
    towards_lashes: np.ndarray  # 0 at the lid's old margin .. 1 at its lash line
    down_lid: np.ndarray  # 0 where the stretched lid skin starts .. 1 at its new margin
    below_lid: np.ndarray  # px from the lowered lid's margin down (negative: on the lid)


def eyelid_field(eye: EyeGeometry, u: np.ndarray, v: np.ndarray, *, closed: float
                 ) -> EyelidField:
    """Lower the upper lid by ``closed`` (0..1) of the way to shut_margin's arc (shut: a
    little past it). The lid skin between crease and lid stretches down over the eye, which
    stays where it is (eyeballs do not squash); the lash line just above the margin moves down
    unchanged (stretched lashes read as a dark smear)."""
    upper = eye.upper(u)
    across = (u - eye.centre_u) / eye.half_width
    reach = 1.0 + LID_OVERSHOOT
    overshoot = LID_OVERSHOOT * eye.half_width * np.sqrt(
        np.clip(1.0 - (across / reach) ** 2, 0.0, 1.0))
    top = upper - 0.55 * np.clip(upper - eye.brow(u), 0.0, None)
    lash = 0.25 * (upper - top)
    drop = closed * np.clip(shut_margin(eye, u) + overshoot - upper, 0.0, None)
    new_upper = upper + drop
    stretch = (upper - lash - top) / np.maximum(new_upper - lash - top, 1e-3)
    lash_source = v - drop
    source = np.where(
        (v >= top) & (v <= new_upper - lash),
        top + (v - top) * stretch,
        np.where((v > new_upper - lash) & (v <= new_upper), lash_source, v),
    )
    cover_bottom = new_upper - lash
    # Soft edges (about 3 px), fading towards the eye's corners where the lid is thin.
    covering = np.clip((np.minimum(v - upper, cover_bottom - v) + 0.5) / 3.0, 0.0, 1.0)
    covering = np.where(cover_bottom - upper > 0.5, covering, 0.0)
    covering = covering * np.clip(1.0 - across * across, 0.0, 1.0)
    towards = np.clip((v - upper) / np.maximum(cover_bottom - upper, 1.0), 0.0, 1.0)
    down_lid = np.clip((v - top) / np.maximum(new_upper - top, 1.0), 0.0, 1.0)
    return EyelidField(dv=source - v, covering=covering, towards_lashes=towards,
                       down_lid=down_lid.astype(np.float32),
                       below_lid=(v - new_upper).astype(np.float32))


def shut_margin(eye: EyeGeometry, u: np.ndarray) -> np.ndarray:
    """Where a shut upper lid meets the lower one: one smooth arc from corner to corner, the
    cubic through dlib's four lower-lid points (the chord between the corners, sagging by
    (1 - across^2) x a straight line in across). The lower lid's own curve (a PCHIP through
    those points, flat at each point that is higher or lower than both its neighbours) drew
    the shut lash line as a wavy "~" or an "M" where dlib's points wander by a pixel
    (obama.jpg's right eye dips, rises and dips again)."""
    first, last = eye.lower.start, eye.lower.end
    first_v, last_v = float(eye.lower(first)), float(eye.lower(last))
    span = max(last - first, 1e-3)

    def chord(at: np.ndarray) -> np.ndarray:
        return first_v + (last_v - first_v) * (np.clip(at, first, last) - first) / span

    inner_u, inner_v = eye.lower.us[1:-1], eye.lower.vs[1:-1]
    inner_across = (inner_u - eye.centre_u) / eye.half_width
    room = np.clip(1.0 - inner_across ** 2, 0.05, None)
    sag_at = (inner_v - chord(inner_u)) / room
    if np.ptp(inner_across) > 1e-3:
        slope, offset = np.polyfit(inner_across, sag_at, 1)
    else:
        slope, offset = 0.0, float(np.mean(sag_at))
    across = np.clip((u - eye.centre_u) / eye.half_width, -1.0, 1.0)
    sag = np.clip(offset + slope * across, 0.0, None) * (1.0 - across * across)
    return (chord(u) + sag).astype(np.float32)


# The eye's contents move fully this far (share of the eye's half-width) inside the lid
# margins, and not at all on them: the lash line and the lids' skin stay where they are, the
# iris slides under them. Thin, so the iris moves as one piece (a shear there cannot fold the
# map: the displacement runs along the margin).
GAZE_LID_FEATHER = 0.1
# Towards each corner the shift eases off over this share of the half-width: the whites on one
# side are squeezed and on the other stretched, never folded (the shift is at most a fifth of
# this span).
GAZE_CORNER_FEATHER = 0.45


def gaze_field(eye: EyeGeometry, u: np.ndarray, v: np.ndarray, *, gaze: tuple[float, float]
               ) -> tuple[np.ndarray, np.ndarray]:
    """Backward (du, dv) that turns the eye by ``gaze`` (sideways, down; in half-widths of
    the eye): what shows between the lids - iris, pupil, the whites - slides inside the
    opening; everything on and outside the lid margins stays put."""
    upper = eye.upper(u)
    lower = eye.lower(u)
    feather = max(GAZE_LID_FEATHER * eye.half_width, 1.0)
    from_lids = np.minimum(v - upper, lower - v)
    across = np.abs(u - eye.centre_u) / eye.half_width
    weight = (_smoothstep(from_lids / feather)
              * _smoothstep((1.0 - across) / GAZE_CORNER_FEATHER))
    shift_u, shift_v = gaze[0] * eye.half_width, gaze[1] * eye.half_width
    # Backward: an eye looking right shows, at each pixel, what lay to its left.
    return -shift_u * weight, -shift_v * weight


def teeth_cover(plan_width: float) -> float:
    """0..1: how far lips rounded to the motion plan's ``plan_width`` (before the photo's
    narrowing gain) reach over the teeth (0 down to a narrowing of TEETH_COVER_START, 1 from
    one of TEETH_COVER_FULL)."""
    return _smoothstep_scalar((1.0 - plan_width - TEETH_COVER_START)
                              / (TEETH_COVER_FULL - TEETH_COVER_START))


def _lips_over_teeth(cover: float, coverage: np.ndarray) -> np.ndarray:
    """``cover`` (teeth_cover) per pixel, only where the opening is painted."""
    return cover * (coverage > 0.0)


def _under_lifted_chin(g: FaceGeometry, v: np.ndarray, lift: float, reach: float
                       ) -> np.ndarray:
    """How much of a lifting jaw's shift each row keeps (1 above the fade, 0 below it): the
    fade ends ``reach`` under the chin, or where the photo's bare neck does if that is sooner.

    The rows moved up whole under the chin read the neck's first ``lift`` px: with a collar or
    a microphone right under the chin (obama2.jpg, obama.jpg) they carried it up the neck,
    25-33 px, as a stalk of collar or a sock over the microphone. Now little below the bare
    neck moves, and what the neck cannot take up is taken up by the chin above it, stretched
    (the fade starts higher, from where the lip's own shift has ended at the most). Continuous
    in the lift, and at no lift the same as the opening jaw's fade.
    """
    lip_bottom = float(g.lower_outer(g.mouth_centre_u))
    highest = lip_bottom + LIFTED_CHIN_TOP_SHARE * (g.chin_v - lip_bottom)
    end = g.chin_v + min(g.neck_room + LIFTED_CHIN_NECK_PULL * lift, reach)
    top = float(np.clip(end - LIFTED_CHIN_SPAN * lift, highest, g.chin_v))
    end = max(end, top + LIFTED_CHIN_FOLD * lift)
    t = np.clip((v - top) / (end - top), 0.0, 1.0)
    return 1.0 - ((1.0 - LIFTED_CHIN_EASE) * t + LIFTED_CHIN_EASE * t * t * (3.0 - 2.0 * t))


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _smoothstep_scalar(x: float) -> float:
    """_smoothstep of one number, without numpy's per-call cost (several per frame)."""
    x = min(max(float(x), 0.0), 1.0)
    return x * x * (3.0 - 2.0 * x)
