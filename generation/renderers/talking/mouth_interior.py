"""Painting inside an open mouth: the throat, a lit tongue low in the mouth, teeth, and the
shadow the upper lip and teeth cast on what lies behind them.

When the photo shows teeth, they are the photo's own, moved as two rigid rows: the upper
row with the head (and the upper lip's small rise), the lower row with the jaw, the upper
drawn over the lower where a closing jaw slides the lower teeth up behind it. Where the
photo's lips are parted over a dark cavity, the rows end at the cavity's edges (found once,
per column, by ``find_photo_teeth``); the cavity itself is painted, so a wider opening shows
throat and tongue, never stretched slivers of tooth. When the photo shows a closed mouth
there are no teeth to reuse, so a row of upper teeth (and, wide open, the lower incisors'
tips) is drawn under the upper lip, lit by the photo's light and in its colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property

import cv2
import numpy as np
from scipy.ndimage import maximum_filter1d, median_filter, minimum_filter1d, uniform_filter1d

from generation.renderers.talking.face_fields import CORNER_EASE, MouthField
from generation.renderers.talking.geometry import FaceGeometry

CAVITY_EDGE_RGB = np.array([84.0, 34.0, 36.0], dtype=np.float32)
CAVITY_DEEP_RGB = np.array([36.0, 13.0, 15.0], dtype=np.float32)
# Towards the corners the cavity darkens to this depth of its shading (in the cheeks' shadow).
# Where the photo shows its own mouth's dark (MouthLook.cavity_rgb), that dark is the colour
# painted at this depth, and the shading from the lips' edge to the throat is relative to it:
# the photos show their dark beside their teeth, in the corners' shadow (obama.jpg,
# astronaut.png) or between the rows (obama2.jpg). The fixed colours, times the skin's light,
# painted astronaut.png's warm brown corners (a* 19, b* 20) as purple-maroon blobs (b* 6), and
# obama.jpg's brown near-black and obama2.jpg's near-black red (luma 18 and 10) at luma 28-31.
# A photo's dark is painted no lighter than the fixed colours are in its light, though:
# astronaut.png's is lighter (luma 39 against 31), being thin slivers in its corners blurred into
# its teeth and lips, and painted as light, its own dark corner carried out on the opening's
# rims stood darker than the mouth inside them, a dark line along the rims
# (tests/generation/test_mouth_corners.py: 0.133 of the rim samples, at most 0.12; 0.097 so).
# So painted, the darker half of a frame's corners wide open reads 0.85-1.23 of the photo's own
# dark's brightness, in its hue (tests/generation/test_cavity_colour.py).
CHEEK_DEPTH = 0.85
# The tongue when the photo's lips are not known: lit from the front, the brightest thing
# behind the teeth.
TONGUE_RGB = np.array([172.0, 84.0, 88.0], dtype=np.float32)
# The tongue from the photo's own lip colour: a little darker (it lies inside the mouth) and
# pinker (less green, a touch of blue: wet mucosa, not lip skin).
TONGUE_FROM_LIP = np.array([0.86, 0.55, 0.6], dtype=np.float32)
TEETH_RGB = np.array([216.0, 207.0, 190.0], dtype=np.float32)
# Drawn teeth are lit by the photo's light, and take its colour: TEETH_RGB's lightness (times
# the photo's light) in the colour (CIE a*, b*) that teeth show in this photo. Fixed ivory
# next to biden.jpg's red-cast skin read as a cyan grey. The colour is read where a photo
# shows something near white: its eye whites (the brightest fifth inside each eye), where they
# are at least EYE_WHITES_LIGHTNESS of the cheeks' L* and at most EYE_WHITES_CHROMA of their
# chroma (biden.jpg's narrowed eyes show lids and lashes: 0.52-0.60 and 0.51-0.69; the other
# photos' whites 0.78-1.22 and 0.11-0.36); the photos' own teeth lie TEETH_OVER_EYE_WHITES
# from their whites (obama.jpg -5.6, 2.7; obama2.jpg -0.6, 1.8; astronaut.png -1.2, 0.0: teeth
# are yellower and less pink than whites, which show blood vessels).
EYE_WHITES_LIGHTNESS = 0.7
EYE_WHITES_CHROMA = 0.4
TEETH_OVER_EYE_WHITES = np.array([-2.0, 1.5], dtype=np.float32)
# Without measurable eye whites, the teeth's colour is this share of the cheeks' a*, b*: the
# light's cast is in both (obama2.jpg's teeth 0.28 of its skin's chroma along the skin's hue,
# astronaut.png's 0.30, and within 4 degrees of its hue). Skin's own tone is in it too:
# obama.jpg's brown skin would give his neutral-lit teeth 8 units too warm, its eye whites 4.
TEETH_SKIN_CAST_SHARE = 0.28
# The tongue's top above the lower teeth: this share of the room between the rows, at most
# TONGUE_HEIGHT drawn-teeth heights (th/l lift its tip towards the upper teeth). Low in the
# mouth: the lower teeth hide its front, the throat shows above it; once the room is wide
# it rides down with the jaw, and the widening opening shows more throat above it.
TONGUE_TOP_SHARE = 0.6
TONGUE_HEIGHT = 0.55
# Its top edge fades in (a smoothstep) over this share of its height above the lower lip, and
# over at least TONGUE_EDGE_PX: its rounded top turns away from the light over a part of its
# thickness (wide open 4.5-5 px on a 512 px portrait). A linear ramp 2.5 px wide at any
# opening read as a crisp line drawn across the mouth once the opening's rims were softened:
# its rise over its steepest slope was 0.61 of astronaut.png's own lip edges' (wide open), the
# rims' at least 0.67 (tests/generation/test_tongue_edge.py). The wider fade starts halfway
# between where the narrow ramp did and where one centred on the top would: centred, its faint
# tint reached up into the dark and biden.jpg's rounded hole shrank; started where the narrow
# ramp did, the tongue's full colour began lower and obama.jpg's wide open tongue showed only
# 5.25 px of it.
TONGUE_EDGE_SHARE = 0.55
TONGUE_EDGE_PX = 2.5
# It shows once the opening is this many drawn-teeth heights (about 0.045 face heights
# each) and fully from twice that: a nearly shut mouth shows no tongue.
TONGUE_SHOWS_FROM = 0.35
TONGUE_FULL_AT = 1.5
# The shadow the upper lip and upper teeth cast down into the mouth (lit from above): at
# most this much darker just under the upper row, fading over this many teeth heights.
UNDER_TEETH_SHADOW = 0.4
UNDER_TEETH_REACH = 0.45
# Rounded lips roll forward over the teeth, and the upper lip shows its inner surface, in
# its own shadow: a band in the lips' colour darkened to INNER_LIP_SHADE, fading into the dark
# mouth over INNER_LIP_REACH of the hole's height (a hole painted flat dark right up to the
# lip read as a hole cut in the photo). The lower lip's inner side is left to the lit tongue
# behind it (painted there in the lips' colour, it read grey-brown against the tongue's red).
INNER_LIP_SHADE = 0.42
INNER_LIP_REACH = 0.3
INNER_LIP_ALPHA = 0.85
# Where the photo's own lips are known (FaceAnimator passes them, mirrored about each rim:
# LipsAtRims), the upper lip rolls in: at the rim its inner surface is the lip as the frame
# shows it there, and over INNER_LIP_ROLL_PX it turns into the band above. Started at the
# band's colour, the rim was one step of most of the fall (obama2.jpg, whose lip by the rim
# is lighter than the band: 0.57 of the fall).
INNER_LIP_ROLL_PX = 4.0
# The lower lip rolls in too, over LOWER_LIP_ROLL_PX, from its own colour at the rim to
# LOWER_LIP_ROLL_SHADE of it, giving way to the mouth's dark (the tongue) as it goes. The hole
# cut flat into the lit lip had a hard lower rim, one pixel from the lip's ~140 to the
# mouth's ~45 lightness, in visible steps where it slopes.
LOWER_LIP_ROLL_PX = 3.0
LOWER_LIP_ROLL_SHADE = 0.5
# Rounded, both lips' inner surfaces fall off into the mouth's dark, the share of them shown
# falling linearly from the rim over up to INNER_LIP_FALLOFF_TEETH drawn-teeth heights (0.045
# face heights each), and over at most INNER_LIP_FALLOFF_UPPER (LOWER) of the opening's height
# from the upper (lower) rim. Fading over a fixed 3 px (lower) and 0.3 of the opening (upper),
# the rounded hole on the photos whose lips are shut or teeth together (obama.jpg,
# astronaut.png, biden.jpg) was a flat near-black ellipse: 0.55-0.71 of its middle within a
# tenth of the way from its darkest to the lips' lightness, where obama2.jpg's own open mouth
# shows 0.21 (its dark falls off over 0.034 face heights each side); now 0.34-0.48
# (tests/generation/test_rounded_hole_depth.py). The eye reads about half the reach as the
# falloff: 1.4 teeth heights read as up to 0.03 face heights. The shares leave the middle to
# the dark (its darkest under 0.17 of the lips' box); 0.6 from the top left too little of
# biden.jpg's half-open hole dark to be read as one (test_rounded_cavity.py). Falling as a
# power (1.25-1.5) of the distance left, the light stayed nearer the lips and obama.jpg's
# near-black was 0.45-0.54 of its middle.
INNER_LIP_FALLOFF_TEETH = 1.4
INNER_LIP_FALLOFF_UPPER = 0.5
INNER_LIP_FALLOFF_LOWER = 0.45
# Puckered lips reach over the teeth from the opening's rims (MouthField.teeth_cover over a
# photo's own, drawn_teeth_cover over drawn ones): each row slides in under its lip, tips last,
# until at full cover its tips are this many px past the rim; what still shows is whole tooth in
# the lips' shadow, darkened by up to LIPS_OVER_TEETH_SHADE (multiplied: it keeps its hue).
# Faded out as a whole instead, the teeth turned a see-through grey over the mouth's dark
# (obama.jpg at 0.79 of its width: 0.35-0.4 of the lit teeth's brightness), and where the
# faded upper row overlapped the faded lower band their opacities added up to a pale, ragged
# line across the mouth.
LIPS_OVER_TEETH_EDGE_PX = 1.0
LIPS_OVER_TEETH_SHADE = 0.25
# The rows' soft edges, still a pixel or two into the opening past the tips, go over the last
# 1 / LIPS_OVER_TEETH_LAST of the cover (then under a pixel of tooth is left to fade).
LIPS_OVER_TEETH_LAST = 10.0
# A photo's cavity: pixels darker than this share of its teeth's brightness.
CAVITY_LUMA_SHARE = 0.33
# Its colour (photo_cavity_rgb) is the mean of its pixels between these percentiles of their
# brightness: the blackest quarter are specks of noise or the deepest crease, the lighter half
# the dark's fringe blurred into teeth and lips. It is read where at least CAVITY_LEAST_PX
# half-pixel samples are dark (astronaut.png shows the fewest of the shared photos: 334, in
# its corners' slivers; obama.jpg 929, obama2.jpg 3593).
CAVITY_PERCENTILES = (25.0, 50.0)
CAVITY_LEAST_PX = 40
# The lower lip's lit top: from the lip line up, pixels at least this share of the lip's own
# brightness (obama2.jpg: a band at 100-110 between its lower teeth and the lip's 130 is
# not lip); the curve is smoothed over this many half-pixel columns.
LIP_EDGE_LUMA_SHARE = 0.88
LIP_EDGE_SMOOTHING = 21
# The lower lip strip starts this share of the way down the band (the rest of it filled with
# the lit lip; the part above goes with the lower teeth, or is mouth). The whole band as lip, dlib
# read more consonants as shut (bench/lipsync_quality.py's other_consonants_closed_fraction
# 0.159 -> 0.175); none of it, the lip's top fell by the band's height and dlib read ee as
# more open (open_spread_opening_ratio on obama.jpg 1.548 -> 1.442).
STRIP_IN_BAND = 0.25
# ... and at most this many px of it: in a corner the "band" is the dark corner itself, and
# the lip filled up into it rose as a pale wedge.
BAND_FILL_MAX_PX = 1.5
# As the lips reach over the upper row (teeth_cover), it slides up under them by a smooth line
# and ends at one: the photo's measured biting edge is smooth only over 4.5 px, and slid by it
# neighbouring columns read the photo a pixel or two apart, so the strip left under the lip had
# a sawtooth of 1-3 px tips (obama.jpg at 0.79 of its width). The lines run under the longest
# and over the shortest teeth within TIPS_REACH half-pixel columns (7.5 px, about a tooth),
# smoothed over TIPS_SMOOTHING; the row's end goes from past its longest teeth (no cut) to the
# shortest teeth's line over the first TIPS_CUT_BY of the cover, so what is left is a clean band
# along the lip.
TIPS_REACH = 15
TIPS_SMOOTHING = 21
TIPS_CUT_BY = 0.4
# The teeth rows soften into the painted cavity over up to this many px (and at least this
# little where the rows touch).
ROW_EDGE_PX = (0.75, 2.0)
# A row's ends are rounded: within ROW_END_ROUND_SHARE of the face's height (about 4 mm, a side
# tooth) of where the row ends, it shows no deeper than a quarter sine that far across, as deep
# as the row's deepest there. Measured per column, the edge dropped from the row's full depth to
# nothing within a pixel or two, and read off the steps of the median-filtered edge, the end was
# cut in square steps (astronaut.png's upper row: a 9 px wall and a ledge) or stood as a pale
# block as tall as the teeth and the shadowed band under them (obama2.jpg's lower row). (A
# quarter ellipse stood as a 5 px wall at its very end; the sine leaves it at 45-60 degrees. A
# sine of one depth for all rows cut into obama2.jpg's 15 px deep lower row, and the mouth's
# painted tongue showed through as a pink lump.)
ROW_END_ROUND_SHARE = 0.045


@dataclass(frozen=True)
class MouthLook:
    light: float  # the photo's skin brightness relative to a typical portrait (1.0)
    teeth_height_px: float  # how far drawn upper teeth may show below the upper lip
    photo_shows_teeth: bool
    lip_rgb: np.ndarray | None = dataclass_field(default=None, compare=False)  # the lips' colour
    # Drawn teeth's lit colour in this photo's light (teeth_in_photo_light; None: TEETH_RGB
    # times ``light``).
    teeth_rgb: np.ndarray | None = dataclass_field(default=None, compare=False)
    # The photo's own mouth's dark (photo_cavity_rgb; None where it shows none): the cavity's
    # colour in the cheeks' shadow at the corners.
    cavity_rgb: np.ndarray | None = dataclass_field(default=None, compare=False)

    @property
    def drawn_teeth_rgb(self) -> np.ndarray:
        if self.teeth_rgb is None:
            return TEETH_RGB * self.light
        return np.asarray(self.teeth_rgb, dtype=np.float32)

    @property
    def cavity_edge_and_deep(self) -> tuple[np.ndarray, np.ndarray]:
        """The cavity's colour just inside the lips and deepest in the throat."""
        if self.cavity_rgb is None:
            return CAVITY_EDGE_RGB * self.light, CAVITY_DEEP_RGB * self.light
        # Per channel, so the photo's hue is kept and the lips' side stays a little redder.
        at_cheek = CAVITY_EDGE_RGB + (CAVITY_DEEP_RGB - CAVITY_EDGE_RGB) * CHEEK_DEPTH
        photo = np.asarray(self.cavity_rgb, dtype=np.float32)
        # No lighter than the fixed colours in the skin's light (CHEEK_DEPTH says why).
        photo = photo * min(1.0, float(at_cheek.mean()) * self.light
                            / max(float(photo.mean()), 1.0))
        scale = photo / at_cheek
        return CAVITY_EDGE_RGB * scale, CAVITY_DEEP_RGB * scale

    @property
    def tongue_rgb(self) -> np.ndarray:
        if self.lip_rgb is None:
            return TONGUE_RGB * self.light
        return (np.asarray(self.lip_rgb, dtype=np.float32) * TONGUE_FROM_LIP).astype(np.float32)


def _lab(rgb: np.ndarray) -> np.ndarray:
    pixels = np.asarray(rgb, dtype=np.float32).reshape(1, -1, 3) / 255.0
    return cv2.cvtColor(pixels, cv2.COLOR_RGB2Lab).reshape(-1, 3)


def teeth_in_photo_light(light: float, skin_rgb: np.ndarray,
                         eye_whites_rgb: list[np.ndarray]) -> np.ndarray:
    """Drawn teeth's lit RGB in a photo whose cheeks are ``skin_rgb`` and whose eyes' brightest
    parts are ``eye_whites_rgb`` (one per eye): TEETH_RGB's lightness at the photo's
    ``light``, in the colour its eye whites show (where they are measurable) or its skin's
    cast (EYE_WHITES_*, TEETH_*)."""
    lightness = float(_lab(TEETH_RGB * light)[0, 0])
    skin = _lab(skin_rgb)[0]
    skin_chroma = float(np.hypot(skin[1], skin[2]))
    whites = [white for white in (_lab(rgb)[0] for rgb in eye_whites_rgb)
              if white[0] >= EYE_WHITES_LIGHTNESS * skin[0]
              and np.hypot(white[1], white[2]) <= EYE_WHITES_CHROMA * skin_chroma]
    if whites:
        colour = np.mean([white[1:] for white in whites], axis=0) + TEETH_OVER_EYE_WHITES
    else:
        colour = TEETH_SKIN_CAST_SHARE * skin[1:]
    lab = np.array([[[lightness, colour[0], colour[1]]]], dtype=np.float32)
    return np.clip(cv2.cvtColor(lab, cv2.COLOR_Lab2RGB).reshape(3) * 255.0, 0.0,
                   255.0).astype(np.float32)


@dataclass(frozen=True, eq=False)
class PhotoTeeth:
    """Where the photo's own teeth rows are, per column of its mouth (aligned u, every half
    pixel; v in aligned px). From the upper inner lip (``lip_top``) down: a strip of lip
    (past dlib's line, or a lip edge in shadow) to ``top``, the upper teeth to
    ``upper_edge``, the photo's dark cavity, the lower teeth from ``lower_edge`` to
    ``bottom``, and lip again down to the lower inner lip (``lip_bottom``). Where the rows
    touch (a smile with the teeth together) the edges meet at the upper teeth's biting
    edge; where the upper teeth rest on the lower lip the lower row is empty. Between the
    lower teeth and the lower lip a photo may show a shadowed band (the lip's inner side,
    the gums): ``lip_edge`` is where the lit lip begins below it, a smooth curve;
    ``strip_top`` is where the lip strip drawn in front of the teeth begins."""

    us: np.ndarray
    lip_top: np.ndarray
    top: np.ndarray
    upper_edge: np.ndarray
    lower_edge: np.ndarray
    bottom: np.ndarray
    lip_bottom: np.ndarray
    lip_edge: np.ndarray  # the lower lip's own lit top, between ``bottom`` and ``lip_bottom``
    strip_top: np.ndarray  # ``bottom`` as a smooth curve, up to ``lip_edge``: the lower strip's top
    longest_tips: np.ndarray  # ``upper_edge`` as a smooth curve under its longest teeth
    shortest_tips: np.ndarray  # ... and over its shortest (TIPS_*)
    # How far up from ``strip_top`` the lower row (with the band under it) shows: rounded at
    # the row's ends (ROW_END_ROUND_SHARE), 0 where there is no lower row.
    lower_reach: np.ndarray
    # px along the mouth from the lower row's outer end, towards its own corner (0 where there
    # is no lower row): as the frame places the row over the lip, it shows at most this high
    # above the lip's strip (FaceAnimator._photo_teeth).
    lower_from_end: np.ndarray
    # The upper strip's bottom: ``top``, rounded up to ``lip_top`` at the strip's outer ends
    # (ROW_END_ROUND_SHARE) as the rows' ends are (over the upper row, only nearly shut:
    # face_animator.STRIP_ROUNDED_OVER_ROW). It ended where the upper row's measured top
    # fell to the lip's line, from 7 px deep to nothing within a column (obama2.jpg, its upper
    # teeth's shaded tops read as lip): nearly shut, the lower lip's strip reached up to the
    # upper lip past there, and the lower lip's top edge stood in a wall where the two met.
    upper_strip_bottom: np.ndarray
    teeth_luma: float  # the teeth's brightness (80th percentile of the gap's)
    lip_redness: float  # redder than this ((R - G) / R) is lip, not tooth

    def toothness(self, rgb: np.ndarray) -> np.ndarray:
        """0..1 per pixel: how much a colour read from the photo looks like its teeth
        (bright, and whiter than lip)."""
        luma = rgb[..., :3].mean(axis=-1)
        redness = (rgb[..., 0] - rgb[..., 1]) / np.maximum(rgb[..., 0], 1.0)
        bright = np.clip((luma / max(self.teeth_luma, 1.0) - 0.4) / 0.25, 0.0, 1.0)
        return bright * np.clip((self.lip_redness - redness) / 0.06 + 0.5, 0.0, 1.0)

    def at(self, u: np.ndarray) -> tuple[np.ndarray, ...]:
        """(top, upper_edge, lower_edge, bottom, lip_edge, strip_top, longest_tips,
        shortest_tips, lower_reach, upper_strip_bottom, lower_from_end) at aligned ``u``
        (2-D):
        linear between columns, flat beyond the ends. The columns are evenly spaced, so the
        lines are one multi-channel row of an image that cv2.remap reads at once (4x faster
        per frame than np.interp on each)."""
        place = ((np.asarray(u, dtype=np.float32) - np.float32(self.us[0]))
                 / np.float32(self.us[1] - self.us[0]))
        read = cv2.remap(self._lines, place, np.zeros_like(place), cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REPLICATE)
        return tuple(read[..., channel] for channel in range(read.shape[-1]))

    @cached_property
    def _lines(self) -> np.ndarray:
        return np.ascontiguousarray(np.stack(
            [self.top, self.upper_edge, self.lower_edge, self.bottom, self.lip_edge,
             self.strip_top, self.longest_tips, self.shortest_tips, self.lower_reach,
             self.upper_strip_bottom, self.lower_from_end],
            axis=-1)[None],
            dtype=np.float32)

    def toothness_image(self, image: np.ndarray) -> np.ndarray:
        """The photo as float32 RGB with its toothness as a fourth channel, to be read with
        the rows (one remap gives both)."""
        rgb = image.astype(np.float32)
        return np.dstack([rgb, self.toothness(rgb)]).astype(np.float32)


@dataclass(frozen=True, eq=False)
class LipsAtRims:
    """Per pixel of the painted box, RGB of the lips as the frame shows them beyond the
    opening's rims, mirrored into it: ``upper`` is what lies as far above the upper rim as the
    pixel lies below it, ``lower`` as far below the lower rim as it lies above it."""

    upper: np.ndarray
    lower: np.ndarray


@dataclass(frozen=True, eq=False)
class TeethRows:
    """The photo's mouth as placed in one frame, per pixel of the painted box: its teeth
    rows, and the strips of lip inside its gap (drawn in front of the teeth)."""

    upper: np.ndarray  # RGB of the upper row read at this pixel
    upper_alpha: np.ndarray  # 0..1: how much of the pixel the upper row covers
    lower: np.ndarray
    lower_alpha: np.ndarray
    lips: np.ndarray  # RGB of the upper lip's strip read at this pixel
    lower_lips: np.ndarray  # ... and of the lower lip's
    upper_lip_alpha: np.ndarray
    lower_lip_alpha: np.ndarray
    below_upper: np.ndarray  # px below the upper row's edge (negative: on the teeth)
    lower_height: float  # px of the lower row (and lip) above the lip line, at the middle
    room: float  # px between the rows' edges at the mouth's middle (negative: overlapping)


def photo_gap_lines(g: FaceGeometry, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The photo's upper and lower inner-lip lines at ``u`` as the mouth's field takes them:
    a smiling photo's gap at least an oval as wide as the mouth, easing to nothing at the
    corners (face_fields.mouth_field, step 2)."""
    uc, half = g.mouth_centre_u, g.mouth_half_width
    upper = np.asarray(g.upper_inner(u), dtype=np.float64)
    lower = np.asarray(g.lower_inner(u), dtype=np.float64)
    if g.rest_gap <= 0.0:
        return upper, lower
    column = (u - uc) / half
    inside = np.clip(1.0 - column * column, 0.0, 1.0)
    middle = (upper + lower) / 2.0
    oval = inside**0.35 * _smoothstep((1.0 - np.abs(column)) / CORNER_EASE)
    gap = np.maximum(lower - upper, g.rest_gap * oval)
    return middle - gap / 2.0, middle + gap / 2.0


def find_photo_teeth(image: np.ndarray, g: FaceGeometry, lip_rgb: np.ndarray
                     ) -> PhotoTeeth | None:
    """Measure the photo's teeth rows (see PhotoTeeth), once per photo.

    Each column of the photo's gap (smoothed over 2.5 px sideways, so a seam between two
    teeth is not taken for the end of a row) is searched for its longest dark run, darker
    than CAVITY_LUMA_SHARE of the teeth's brightness: the cavity between the rows, when it
    lies away from the lips. A column without one (teeth together, or the upper teeth
    resting on the lower lip) is split where its brightness falls most steeply below its
    first quarter: the upper teeth's biting edge. A column that is dark from lip to lip has
    no rows. Lip-coloured pixels at a column's ends (redder than halfway from the teeth's
    colour to the lips') are lip, not teeth: moved with the rigid rows they floated off the
    lip as pale slivers in the corners, where the lip moves less than the jaw. The edges
    are median-filtered.

    The lower lip's lit edge (``lip_edge``): up from the lip line, the last pixel that is
    lip-coloured and at least LIP_EDGE_LUMA_SHARE of the lip's own brightness below it, as a
    smooth curve. Drawn with the lip, the shadowed band above it showed as a ragged dark line
    along the lip's top once the teeth closed up behind it."""
    uc, half = g.mouth_centre_u, g.mouth_half_width
    us = np.arange(uc - half, uc + half + 0.25, 0.5)
    top, bottom = photo_gap_lines(g, us)
    height = float((bottom - top).max())
    if height < 2.0:
        return None
    steps = np.arange(0.0, height + 0.5, 0.5)
    vs = top[:, None] + steps[None, :]
    valid = vs <= bottom[:, None] + 1e-6
    xs, ys = g.to_image(np.broadcast_to(us[:, None], vs.shape), vs)
    rgb = cv2.remap(image, xs.astype(np.float32), ys.astype(np.float32), cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    rgb = uniform_filter1d(rgb, 5, axis=0)
    luma = rgb.mean(axis=2)
    central = valid & (np.abs(us[:, None] - uc) < 0.6 * half)
    if central.sum() < 10:
        return None
    teeth_luma = float(np.percentile(luma[central], 80))
    dark = (luma < CAVITY_LUMA_SHARE * teeth_luma) & valid
    teeth_rgb = np.median(rgb[central & (luma >= teeth_luma)], axis=0)
    redness = (rgb[..., 0] - rgb[..., 1]) / np.maximum(rgb[..., 0], 1.0)
    lip = np.asarray(lip_rgb, dtype=np.float32)
    lip_redness = (lip[0] - lip[1]) / max(float(lip[0]), 1.0)
    teeth_redness = (teeth_rgb[0] - teeth_rgb[1]) / max(float(teeth_rgb[0]), 1.0)
    lip_split = float(lip_redness + teeth_redness) / 2.0
    lip_like = ~dark & (redness > lip_split)
    not_row = lip_like | ~valid
    falls = np.diff(luma, axis=1)
    lit_lip = _lower_lip_luma(image, g, us, bottom)
    lip_edges = np.empty(len(us))
    edges = np.empty((4, len(us)))
    for i in range(len(us)):
        count = int(valid[i].sum())
        runs = np.flatnonzero(np.diff(np.concatenate([[0], dark[i, :count], [0]]))).reshape(-1, 2)
        cavity = None
        if len(runs):
            start, end = runs[np.argmax(runs[:, 1] - runs[:, 0])]
            if end - start >= count - 1:
                cavity = (0, count - 1)  # dark from lip to lip: no teeth here
            elif end - start >= 3 and 0.15 * count <= (start + end) / 2.0 <= 0.9 * count:
                cavity = (start, min(end, count - 1))
        if cavity is None:
            first = int(0.25 * count)
            edge = first + int(np.argmin(falls[i, first : count - 1])) if count - 1 > first \
                else count - 1
            upper_edge = lower_edge = steps[edge] + 0.25
        else:
            upper_edge, lower_edge = steps[cavity[0]], steps[cavity[1]]
        # The rows' outer ends: the first (last) pixel that is not lip.
        inner = np.flatnonzero(~not_row[i, :count])
        first_row, last_row = (steps[inner[0]], steps[inner[-1]]) if len(inner) else (0.0, 0.0)
        edges[:, i] = first_row, upper_edge, lower_edge, last_row
        # Up from the lip line, as far as the pixels are lip and lit like it.
        lit = lip_like[i, :count] & (luma[i, :count] >= LIP_EDGE_LUMA_SHARE * lit_lip[i])
        not_lit = np.flatnonzero(~lit)
        lip_edges[i] = steps[not_lit[-1]] + 0.5 if len(not_lit) else 0.0
    # The lips' edges are smooth curves (filtered over 7.5 px); the teeth's biting edges
    # are not (4.5 px).
    row_top, upper_edge, lower_edge, row_bottom = (
        top + median_filter(line, size, mode="nearest")
        for line, size in zip(edges, (15, 9, 9, 15), strict=True))
    row_top = np.clip(row_top, top, bottom)
    upper_edge = np.clip(upper_edge, row_top, bottom)
    lower_edge = np.clip(np.maximum(lower_edge, upper_edge), top, bottom)
    row_bottom = np.clip(np.maximum(row_bottom, lower_edge), top, bottom)
    step = float(us[1] - us[0])
    middle = len(us) // 2
    upper_depth, lower_depth = upper_edge - row_top, row_bottom - lower_edge
    has_upper = upper_depth >= 1.0
    upper_edge = row_top + np.minimum(
        upper_depth, _row_end_cap(upper_depth, has_upper, step, g.face_height, middle))
    has_lower = lower_depth >= 1.0
    lower_edge = row_bottom - np.minimum(
        lower_depth, _row_end_cap(lower_depth, has_lower, step, g.face_height, middle))
    # A lip's edge is a smooth curve, whatever the band's own ragged edge does.
    lip_edge = top + uniform_filter1d(median_filter(lip_edges, 15, mode="nearest"),
                                      LIP_EDGE_SMOOTHING, mode="nearest")
    lip_edge = np.clip(lip_edge, row_bottom, bottom)
    # The teeth's measured ends step from column to column (and drop where a row ends); the
    # lip strip that starts there is a lip's edge, a smooth curve.
    strip_top = np.minimum(uniform_filter1d(row_bottom, LIP_EDGE_SMOOTHING, mode="nearest"),
                           lip_edge)
    strip_top = np.maximum(strip_top + STRIP_IN_BAND * (lip_edge - strip_top),
                           lip_edge - BAND_FILL_MAX_PX)
    # (Finite: read between two columns, an infinite reach is not a number.)
    lower_reach = np.minimum(_row_end_cap(strip_top - lower_edge, has_lower, step,
                                          g.face_height, middle), 1e4)
    lower_from_end = np.minimum(_to_row_end(has_lower, step, middle), 1e4)
    # Rounded at the strip's outer ends only: cut round at a gap between its ends too, it
    # opened a dark notch under the lip (obama.jpg, by its front teeth).
    upper_strip = row_top - top
    has_strip = np.flatnonzero(upper_strip >= 1.0)
    within = np.zeros(len(us), dtype=bool)
    if len(has_strip):
        within[has_strip[0] : has_strip[-1] + 1] = True
    upper_strip_bottom = top + np.minimum(
        upper_strip, _row_end_cap(upper_strip, within, step, g.face_height, middle))
    longest_tips, shortest_tips = (
        uniform_filter1d(extreme(upper_edge, TIPS_REACH, mode="nearest"), TIPS_SMOOTHING,
                         mode="nearest")
        for extreme in (maximum_filter1d, minimum_filter1d))
    return PhotoTeeth(us=us, lip_top=top, top=row_top, upper_edge=upper_edge,
                      lower_edge=lower_edge, bottom=row_bottom, lip_bottom=bottom,
                      lip_edge=lip_edge, strip_top=strip_top, longest_tips=longest_tips,
                      shortest_tips=shortest_tips, lower_reach=lower_reach,
                      upper_strip_bottom=upper_strip_bottom, lower_from_end=lower_from_end,
                      teeth_luma=teeth_luma,
                      lip_redness=lip_split)


def photo_cavity_rgb(image: np.ndarray, g: FaceGeometry, teeth: PhotoTeeth
                     ) -> np.ndarray | None:
    """The colour of the photo's own mouth's dark, once per photo: its pixels between the
    lips (every half pixel) darker than CAVITY_LUMA_SHARE of its teeth, as find_photo_teeth
    finds its cavity, averaged over CAVITY_PERCENTILES of their brightness. None where the
    photo shows too little of it (CAVITY_LEAST_PX)."""
    height = float((teeth.lip_bottom - teeth.lip_top).max())
    steps = np.arange(0.0, height + 0.5, 0.5)
    vs = teeth.lip_top[:, None] + steps[None, :]
    xs, ys = g.to_image(np.broadcast_to(teeth.us[:, None], vs.shape), vs)
    rgb = cv2.remap(image, xs.astype(np.float32), ys.astype(np.float32), cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    luma = rgb.mean(axis=2)
    dark = (luma < CAVITY_LUMA_SHARE * teeth.teeth_luma) & (vs <= teeth.lip_bottom[:, None])
    if dark.sum() < CAVITY_LEAST_PX:
        return None
    low, middle = np.percentile(luma[dark], CAVITY_PERCENTILES)
    within = dark & (luma >= low) & (luma <= middle)
    return rgb[within].mean(axis=0).astype(np.float32)


def _row_end_cap(depth: np.ndarray, has_row: np.ndarray, step: float, face_height: float,
                 middle: int) -> np.ndarray:
    """Per column (``step`` px apart, the mouth's middle at index ``middle``): how deep a row
    ``depth`` deep (there where ``has_row``) may show, rounded at its outer ends
    (ROW_END_ROUND_SHARE); 0 where there is no row."""
    to_end = _to_row_end(has_row, step, middle)
    across = ROW_END_ROUND_SHARE * face_height
    deepest = maximum_filter1d(np.where(has_row, depth, 0.0), 2 * int(across / step) + 1,
                               mode="nearest")
    rounded = deepest * np.sin(0.5 * np.pi * np.clip(to_end / across, 0.0, 1.0))
    return np.where(has_row, np.where(to_end < across, rounded, np.inf), 0.0)


def _to_row_end(has_row: np.ndarray, step: float, middle: int) -> np.ndarray:
    """Per column (``step`` px apart, the mouth's middle at index ``middle``): px from the
    row's outer end, towards the column's own corner (0 where there is no row)."""
    # Each column looks for the row's end towards its own corner only: the side teeth past a
    # gap in a row (obama2.jpg's missing tooth) are rounded at their outer end, not at the
    # gap too (rounded from both sides, they went).
    index = np.arange(len(has_row))
    last_gap = np.maximum.accumulate(np.where(has_row, -1, index))
    next_gap = np.minimum.accumulate(np.where(has_row, len(has_row), index)[::-1])[::-1]
    outwards = np.where(index < middle, index - last_gap, next_gap - index)
    return np.where(has_row, np.maximum((outwards - 0.5) * step, 0.0), 0.0)


def _lower_lip_luma(image: np.ndarray, g: FaceGeometry, us: np.ndarray,
                    lip_line: np.ndarray) -> np.ndarray:
    """Per column, the lower lip's brightness just below its inner line (the median of its
    upper half), evened out along the lip: the light it has where it is surely lip."""
    thickness = np.maximum(np.asarray(g.lower_outer(us), dtype=np.float64) - lip_line, 2.0)
    shares = np.linspace(0.1, 0.5, 9)
    vs = lip_line[:, None] + thickness[:, None] * shares[None, :]
    xs, ys = g.to_image(np.broadcast_to(us[:, None], vs.shape), vs)
    rgb = cv2.remap(image, xs.astype(np.float32), ys.astype(np.float32), cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    return median_filter(np.median(rgb.mean(axis=2), axis=1), 15, mode="nearest")


def row_alpha(beyond_edge: np.ndarray, room: np.ndarray) -> np.ndarray:
    """How much a teeth row covers a pixel ``beyond_edge`` px past the row's edge (towards
    the cavity), softened over half the photo's ``room`` between the rows (ROW_EDGE_PX)."""
    reach = np.clip(room / 2.0, *ROW_EDGE_PX)
    return _smoothstep((reach - beyond_edge) / (2.0 * reach))


def paint_interior(
    look: MouthLook,
    field: MouthField,
    rows: TeethRows | None = None,
    tongue: float = 0.0,
    rims: LipsAtRims | None = None,
    drawn: DrawnTeeth | None = None,
) -> np.ndarray:
    """RGB (float32) for every pixel of the mouth's region; only ``field.coverage`` of it
    is used. ``rows``: the photo's own teeth placed for this frame (None: the photo shows
    none, and teeth are drawn: ``drawn``, drawn_teeth's, or drawn here when None).
    ``tongue`` (0..1) raises the tongue's tip towards the upper teeth (th, l). ``rims``: the
    lips beyond the opening's rims, which rounded lips roll in from (None: the upper lip's
    inner surface is drawn in the lips' median colour)."""
    across = np.abs(field.column).astype(np.float32)
    if rows is None:
        if drawn is None:
            drawn = drawn_teeth(look, field)
        below_upper, lower_height, room = drawn.below_upper, drawn.lower_height, drawn.room
    else:
        below_upper, lower_height, room = rows.below_upper, rows.lower_height, rows.room

    colour = _throat(look, field, across)
    colour = _with_tongue(colour, look, field, across, lower_height, room, tongue)
    # The upper lip and the upper teeth shade what lies below and behind them.
    reach = UNDER_TEETH_REACH * look.teeth_height_px + 1.0
    shade = 1.0 - UNDER_TEETH_SHADOW * np.exp(-np.maximum(below_upper, 0.0) / reach)
    colour = colour * shade[..., None]

    if rows is not None:
        # Lower row first (behind), in the upper row's shadow; the upper row over it, and
        # the upper lip's own edge in front of both (the lower lip's comes below).
        lower = rows.lower * (0.5 + 0.5 * shade)[..., None]
        colour = colour + (lower - colour) * rows.lower_alpha[..., None]
        colour = colour + (rows.upper - colour) * rows.upper_alpha[..., None]
        colour = colour + (rows.lips - colour) * rows.upper_lip_alpha[..., None]
    else:
        colour = colour + (drawn.lower - colour) * drawn.lower_alpha[..., None]
        colour = colour + (drawn.upper - colour) * drawn.upper_alpha[..., None]
    # The lips' shadow: a soft darkening just inside the lips, so the opening has no hard
    # edge against them.
    edge = np.clip(np.minimum(field.from_top, field.gap - field.from_top) / 2.5, 0.0, 1.0)
    colour = colour * (0.8 + 0.2 * edge)[..., None]
    if rows is not None:
        # The lower lip's strip is lip up to its edge, in front of the lips' shadow: darkened
        # with the opening's rim it drew a dark line along the lip's top.
        colour = colour + (rows.lower_lips - colour) * rows.lower_lip_alpha[..., None]
    # The teeth the lips have not yet reached over (they slide in under the lips, tips last)
    # show up to the rim: shaded there by the inner lip, they went a dull grey.
    teeth = rows if rows is not None else drawn
    cover = ((field.teeth_cover if rows is not None else field.drawn_teeth_cover)
             * (1.0 - np.maximum(teeth.upper_alpha, teeth.lower_alpha)))
    if rims is not None and look.lip_rgb is not None and (cover > 0.0).any():
        colour = _with_lips_rolled_in(colour, look, field, cover, rims)
    elif look.lip_rgb is not None and (cover > 0.0).any():
        colour = _with_inner_lips(colour, look, field, cover)
    return colour.astype(np.float32)


def _with_inner_lips(colour: np.ndarray, look: MouthLook, field: MouthField,
                     cover: np.ndarray) -> np.ndarray:
    """The rounded upper lip's inner surface under it (INNER_LIP_*), as far as the lips have
    reached over the teeth (``cover``)."""
    reach = INNER_LIP_REACH * field.gap + 0.75
    weight = (INNER_LIP_ALPHA * cover
              * _smoothstep(1.0 - np.maximum(field.from_top, 0.0) / reach))
    inner = np.asarray(look.lip_rgb, dtype=np.float32) * INNER_LIP_SHADE
    return colour + (inner - colour) * weight[..., None]


def lips_rolled_in_reach(gap: np.ndarray) -> tuple[np.ndarray, float]:
    """How far (px) into an opening ``gap`` px tall the upper and the lower lip's own texture
    at the rims shows (_with_lips_rolled_in): past them the lips at the rims are not read."""
    return np.minimum(INNER_LIP_REACH * gap + 0.75, INNER_LIP_ROLL_PX), LOWER_LIP_ROLL_PX


def _inner_lips_falloff(look: MouthLook, field: MouthField, share: float) -> np.ndarray:
    """How far (px) a rounded lip's inner surface reaches into the opening before it is lost
    in the mouth's dark (INNER_LIP_FALLOFF_*): at most ``share`` of the opening's height."""
    return np.minimum(INNER_LIP_FALLOFF_TEETH * look.teeth_height_px, share * field.gap) + 0.75


def _falloff(distance: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """0..1: how much of a rounded lip's inner surface shows ``distance`` px in from its rim,
    fading into the dark over ``reach`` px."""
    return np.clip(1.0 - distance / reach, 0.0, 1.0)


def _with_lips_rolled_in(colour: np.ndarray, look: MouthLook, field: MouthField,
                         cover: np.ndarray, rims: LipsAtRims) -> np.ndarray:
    """Both rounded lips' inner surfaces, rolling in from the lips' own texture at the rims
    (INNER_LIP_*, LOWER_LIP_ROLL_*) and falling off into the mouth's dark
    (INNER_LIP_FALLOFF_*), as far as the lips have reached over the teeth (``cover``): the
    lower one first, the upper one (in front, lit from above) over it."""
    lip = np.asarray(look.lip_rgb, dtype=np.float32)
    from_bottom = np.maximum(field.gap - field.from_top, 0.0)
    roll = _smoothstep(1.0 - from_bottom / LOWER_LIP_ROLL_PX)
    shade = LOWER_LIP_ROLL_SHADE + (1.0 - LOWER_LIP_ROLL_SHADE) * roll
    band = lip * LOWER_LIP_ROLL_SHADE
    inner = band + (rims.lower * shade[..., None] - band) * roll[..., None]
    weight = cover * _falloff(from_bottom, _inner_lips_falloff(look, field,
                                                               INNER_LIP_FALLOFF_LOWER))
    colour = colour + (inner - colour) * weight[..., None]
    from_top = np.maximum(field.from_top, 0.0)
    roll = _smoothstep(1.0 - from_top / INNER_LIP_ROLL_PX)
    band = lip * INNER_LIP_SHADE
    inner = band + (rims.upper - band) * roll[..., None]
    weight = (cover * (INNER_LIP_ALPHA + (1.0 - INNER_LIP_ALPHA) * roll)
              * _falloff(from_top, _inner_lips_falloff(look, field, INNER_LIP_FALLOFF_UPPER)))
    return colour + (inner - colour) * weight[..., None]


def _throat(look: MouthLook, field: MouthField, across: np.ndarray) -> np.ndarray:
    """The cavity: darkest towards the back (the middle of the opening, where the throat
    is seen), lighter and redder under the lips; towards the corners dark again, in the
    cheeks' shadow (the photo's own corners are), as dark as the photo's own mouth's dark
    where it shows one (CHEEK_DEPTH)."""
    back = np.sqrt(np.clip(field.depth, 0.0, 1.0)) * (1.0 - 0.5 * across**2)
    cheek = CHEEK_DEPTH * _smoothstep((across - 0.55) / 0.4)
    depth = np.maximum(back, cheek)[..., None]
    edge, deep = look.cavity_edge_and_deep
    return edge + (deep - edge) * depth


def _with_tongue(colour: np.ndarray, look: MouthLook, field: MouthField, across: np.ndarray,
                 lower_height: float, room: float, tongue: float) -> np.ndarray:
    """A rounded tongue low in the mouth, behind the lower teeth: its top an arch over the
    lower lip (moving with the jaw, as the lip does), a little above the lower teeth at the
    middle (TONGUE_TOP_SHARE, TONGUE_HEIGHT), lower towards the sides; soft-edged, lit
    from the front (brightest along its top, darker below it and towards the sides); shown
    in proportion to the opening."""
    teeth = max(look.teeth_height_px, 1.0)
    shows = np.clip((field.gap - TONGUE_SHOWS_FROM * teeth)
                    / ((TONGUE_FULL_AT - TONGUE_SHOWS_FROM) * teeth), 0.0, 1.0)
    gap_middle = float(field.gap.max()) if field.gap.size else 0.0
    if not (shows > 0.0).any() or gap_middle <= 0.0:
        return colour
    room = max(room, 0.0)
    rest = min(TONGUE_TOP_SHARE * room, TONGUE_HEIGHT * teeth)
    lift = float(np.clip(tongue, 0.0, 1.0))
    top_middle = max(lower_height, 0.0) + rest + lift * (0.92 * room - rest)
    # Its top over the lower lip, per column: smooth (the lip line and the opening's own
    # profile), whatever the teeth's edges do.
    height = top_middle * (field.gap / gap_middle) * (1.0 - 0.35 * across**2)
    below_top = height - (field.gap - field.from_top)
    edge_px = max(TONGUE_EDGE_PX, TONGUE_EDGE_SHARE * top_middle)
    on = _smoothstep((below_top + 0.25 * (TONGUE_EDGE_PX + edge_px)) / edge_px)
    on = on * np.clip((0.85 - across) / 0.3, 0.0, 1.0)
    lit = 0.78 + 0.3 * np.exp(-np.maximum(below_top - 1.0, 0.0) / (0.35 * height + 1.0))
    lit = lit * (1.0 - 0.3 * across**2)
    # A faint groove down its middle.
    lit = lit * (1.0 - 0.06 * np.exp(-((field.column / 0.06) ** 2)))
    tongue_rgb = look.tongue_rgb * lit[..., None]
    return colour + (tongue_rgb - colour) * (0.95 * on * shows)[..., None]


# Tooth widths from the middle outwards (central and lateral incisors, canine, premolars), as
# shares of the mouth's half-width, seen from the front: an adult's upper centrals are about
# 8.5 mm of a 50 mm mouth, the laterals 6.5 mm, the canine and premolars foreshortened as the
# arch turns away. (Narrower teeth read as a picket fence of tiles.)
_TOOTH_EDGES = np.cumsum([0.0, 0.32, 0.24, 0.19, 0.13, 0.12])
_LOWER_TOOTH_EDGES = np.cumsum([0.0, 0.22, 0.22, 0.2, 0.18, 0.18])
# Where neighbouring teeth meet: a faint, soft shading, not a dark gap (they touch), deepest
# by the gums (under the lip) and gone before the biting edge, where they touch. A seam as
# dark over every row, 1 px wide (0.18 darker), read as lines drawn down the teeth, a picket
# fence: on biden.jpg's frames 0.14 below the teeth beside them 0.6 of the way down to the
# edge, where obama.jpg's and astronaut.png's own teeth dip by 0.076 and 0.088 (near the lip
# 0.131 and 0.112; tests/generation/test_drawn_teeth_look.py); now 0.07 there, 0.12 near the
# lip. _SEAM_AT_GUM darker at the row's top, fading to nothing _SEAM_FADES_BY of the way
# down; a Gaussian _SEAM_SOFT_PX wide (1/e) either side.
_SEAM_AT_GUM = 0.16
_SEAM_FADES_BY = 0.85
_SEAM_SOFT_PX = 0.9
# The upper row's biting edge fades out over this many px: over 1.2 px it read 1.3 px wide
# (rise over steepest slope) on biden.jpg's frames, crisper than any photo's own teeth
# (obama.jpg's 1.7, astronaut.png's 3.5) and than biden.jpg's own lip edge (2.2), a drawn
# line; now 1.5. (Over 2 px, 1.9 wide, a nearly shut mouth's short teeth faded to too little
# tooth: tests/generation/test_pucker.py.)
_BITING_EDGE_PX = 1.6
# The drawn lower row. As tall to 0.6 of the half-width, flat-tipped and lit 0.78 of the teeth,
# it ran along biden.jpg's wide-open lower rim as a thin grey crescent, brighter than the lip
# under it (its brightest grey pixel 1.08-1.13 of the lip's luma; pale along 0.20-0.27 of the
# rim's columns: tests/generation/test_drawn_lower_teeth.py), a line, not teeth. Now only the
# four incisors (_LOWER_TOOTH_EDGES' first two each side: about 21 mm of a 50 mm mouth), the
# row's height falling to nothing by _LOWER_INCISORS_REACH of the half-width; each tooth's tip
# at its sides _LOWER_TIP_SIDES of its middle's height (a row of small rounded tips); the tips
# fading in over _LOWER_TIPS_SOFT_PX (as soft as the upper row's biting edge); lit
# _LOWER_ROW_LIGHT of the teeth, in the lower lip's shadow: 0.85-0.91 of the lip, pale along
# 0.01-0.04 of the rim.
_LOWER_INCISORS_REACH = 0.44
_LOWER_TIP_SIDES = 0.5
_LOWER_TIPS_SOFT_PX = 1.6
_LOWER_ROW_LIGHT = 0.62


def _tooth_shading(across: np.ndarray, edges: np.ndarray, seam_px: float,
                   seam_depth: np.ndarray) -> np.ndarray:
    """Brightness (0..1) of a row of teeth across the mouth: each tooth rounded (brightest in
    its middle), a soft seam ``seam_depth`` darker (per pixel) where it meets the next, darker
    towards the corners where the arch turns away from the light. ``seam_px``: a pixel's
    share of the mouth's half-width."""
    index = np.clip(np.searchsorted(edges, across) - 1, 0, len(edges) - 2)
    left, right = edges[index], edges[index + 1]
    within = np.clip((across - left) / (right - left), 0.0, 1.0)
    # A tooth's face turns from the light gently (a parabola): a quarter circle's turn
    # (sqrt) fell most of its 15 % within a pixel or two of the seam, a dark notch of its own
    # where the seam has faded (biden.jpg's central incisors: 0.07 below the tooth 3 px away,
    # the parabola's 0.05).
    rounded = np.clip(1.0 - (2.0 * within - 1.0) ** 2, 0.0, 1.0)
    from_seam = np.minimum(within, 1.0 - within) * (right - left) / max(seam_px, 1e-3)
    seam = 1.0 - seam_depth * np.exp(-((from_seam / _SEAM_SOFT_PX) ** 2))
    turn = np.clip(1.0 - 0.6 * across**1.5, 0.0, 1.0)
    return (0.88 + 0.12 * rounded) * seam * turn


def _biting_edge(inside_tip: np.ndarray) -> np.ndarray:
    """How much of a pixel ``inside_tip`` px inside the drawn upper row's tip the row covers:
    half at 0.6 px in (where a 1.2 px ramp put it: the row shows as long), over
    _BITING_EDGE_PX."""
    return np.clip((inside_tip - 0.6) / _BITING_EDGE_PX + 0.5, 0.0, 1.0)


@dataclass(frozen=True, eq=False)
class DrawnTeeth:
    upper: np.ndarray
    upper_alpha: np.ndarray
    lower: np.ndarray
    lower_alpha: np.ndarray
    below_upper: np.ndarray
    lower_height: float
    room: float


def drawn_teeth(look: MouthLook, field: MouthField) -> DrawnTeeth:
    """Teeth for a photo that shows none: an upper row under the upper lip and, in a wide
    opening, the tips of the lower incisors over the lower lip; shaded per tooth with faint
    seams, all darker towards the corners (they turn away) and in the lips' shadow."""
    across = np.abs(field.column)
    # One pixel's share of the mouth's half-width (how fast ``column`` changes along a row):
    # seams stay about a pixel wide at any size.
    steps = np.abs(np.diff(field.column, axis=1)) if field.column.shape[1] > 1 else None
    seam_px = float(np.median(steps)) if steps is not None and steps.size else 0.05
    row_height = np.minimum(look.teeth_height_px, 0.42 * field.gap) * (1.0 - 0.35 * across)
    upper_seams = _SEAM_AT_GUM * np.clip(
        1.0 - field.from_top / np.maximum(_SEAM_FADES_BY * row_height, 1.0), 0.0, 1.0)
    upper_shade = _tooth_shading(across, _TOOTH_EDGES, seam_px, upper_seams)
    within_tooth = np.clip(np.searchsorted(_TOOTH_EDGES, across) - 1, 0, len(_TOOTH_EDGES) - 2)
    edge_left = _TOOTH_EDGES[within_tooth]
    edge_right = _TOOTH_EDGES[within_tooth + 1]
    middle = np.clip((across - edge_left) / (edge_right - edge_left), 0.0, 1.0)
    # Incisal edges are slightly curved: each tooth a little shorter at its sides.
    upper_height = row_height * (0.93 + 0.07 * np.sqrt(
        np.clip(1.0 - (2.0 * middle - 1.0) ** 2, 0.0, 1.0)))
    # Rounded lips reach over them as over a photo's own: each row slides in under its lip,
    # tips last, in the lips' shadow (LIPS_OVER_TEETH_*).
    cover = field.drawn_teeth_cover
    shown_upper = upper_height * (1.0 - cover) - cover * LIPS_OVER_TEETH_EDGE_PX
    upper = _biting_edge(shown_upper - field.from_top)
    # The lower incisors' tips show only once the opening is wider than two teeth heights:
    # the four incisors only, lower towards their ends, each tip rounded so they read as
    # teeth (a row as tall to 0.6 of the half-width, its tips flat, read as a line).
    lower_tooth = np.clip(np.searchsorted(_LOWER_TOOTH_EDGES, across) - 1, 0,
                          len(_LOWER_TOOTH_EDGES) - 2)
    lower_left = _LOWER_TOOTH_EDGES[lower_tooth]
    lower_within = np.clip((across - lower_left)
                           / (_LOWER_TOOTH_EDGES[lower_tooth + 1] - lower_left), 0.0, 1.0)
    lower_tip = _LOWER_TIP_SIDES + (1.0 - _LOWER_TIP_SIDES) * np.sqrt(
        np.clip(1.0 - (2.0 * lower_within - 1.0) ** 2, 0.0, 1.0))
    incisors = np.clip(1.0 - (across / _LOWER_INCISORS_REACH) ** 2, 0.0, 1.0)
    lower_row = np.clip(field.gap - 2.0 * look.teeth_height_px, 0.0,
                        0.4 * look.teeth_height_px) * incisors
    lower_height = lower_row * lower_tip
    shown_lower = lower_height * (1.0 - cover) - cover * LIPS_OVER_TEETH_EDGE_PX
    lower = np.clip((field.from_top - (field.gap - shown_lower)) / _LOWER_TIPS_SOFT_PX, 0.0, 1.0)
    # The lower row's gums are under the lower lip: its seams fade up towards its tips.
    lower_seams = _SEAM_AT_GUM * np.clip(
        1.0 - (field.gap - field.from_top) / np.maximum(_SEAM_FADES_BY * lower_height, 1.0),
        0.0, 1.0)
    lower_shade = _tooth_shading(across, _LOWER_TOOTH_EDGES, seam_px, lower_seams)
    within_row = np.clip((0.92 - across) / 0.15, 0.0, 1.0)
    visible = np.clip((field.gap - 2.0) / 4.0, 0.0, 1.0) * within_row
    # Under the upper lip the teeth are in its shadow; the lower row is lit from above less.
    under_lip = 0.78 + 0.22 * np.clip(field.from_top / np.maximum(upper_height, 1.0), 0.0, 1.0)
    under_lip = under_lip * (1.0 - LIPS_OVER_TEETH_SHADE * cover)
    teeth_rgb = look.drawn_teeth_rgb
    upper_rgb = teeth_rgb * (upper_shade * under_lip)[..., None]
    lower_rgb = teeth_rgb * (_LOWER_ROW_LIGHT * lower_shade
                             * (1.0 - LIPS_OVER_TEETH_SHADE * cover))[..., None]
    middle_at = np.unravel_index(np.argmax(field.gap), field.gap.shape) if field.gap.size \
        else None
    if middle_at is None:
        middle_lower = middle_room = 0.0
    else:
        # The tongue rests behind the row's full height (the middle is the seam between the
        # central incisors, where their rounded tips dip).
        middle_lower = float(lower_row[middle_at] * visible[middle_at])
        middle_room = float(field.gap[middle_at] - upper_height[middle_at] * visible[middle_at]
                            - middle_lower)
    return DrawnTeeth(
        upper=upper_rgb, upper_alpha=upper * visible * 0.95,
        lower=lower_rgb, lower_alpha=lower * visible * 0.9,
        below_upper=field.from_top - upper_height * visible,
        lower_height=middle_lower, room=middle_room,
    )


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)
