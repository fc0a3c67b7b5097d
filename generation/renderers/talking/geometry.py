"""Face geometry in a face-aligned frame, measured once per render from the 68 landmarks.

The aligned frame has its origin between the eyes, u along the eye line (towards the image's
right) and v perpendicular to it, pointing down the face; it makes a tilted head look upright,
so lips and lids can be treated as curves v(u).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import cv2
import numpy as np
from scipy.interpolate import PchipInterpolator
from scipy.ndimage import median_filter, uniform_filter1d

# dlib / iBUG 300-W 68-point indices.
JAW = list(range(0, 17))
CHIN = 8
NOSE_TIP = 33
RIGHT_BROW = list(range(17, 22))  # the subject's right: the image's left
LEFT_BROW = list(range(22, 27))
RIGHT_EYE_UPPER = [36, 37, 38, 39]
RIGHT_EYE_LOWER = [36, 41, 40, 39]
LEFT_EYE_UPPER = [42, 43, 44, 45]
LEFT_EYE_LOWER = [42, 47, 46, 45]
OUTER_UPPER_LIP = [48, 49, 50, 51, 52, 53, 54]
OUTER_LOWER_LIP = [48, 59, 58, 57, 56, 55, 54]
# The inner-lip lines run corner to corner (48 -> 54): dlib puts the inner corners 60/64 well
# inside a wide smile's commissures, and the teeth showing beyond them must close too.
INNER_UPPER_LIP = [48, 61, 62, 63, 54]
INNER_LOWER_LIP = [48, 67, 66, 65, 54]
# Spacing of a curve's lookup table, in aligned px.
TABLE_STEP = 0.125


@dataclass(frozen=True, eq=False)
class Curve:
    """A curve v(u) through landmark points, flat beyond its ends."""

    us: np.ndarray
    vs: np.ndarray

    @classmethod
    def through(cls, points: np.ndarray) -> Curve:
        order = np.argsort(points[:, 0], kind="stable")
        us = points[order, 0].astype(np.float64)
        # np.interp needs increasing knots: nudge exact ties apart.
        us = us + np.arange(len(us)) * 1e-6
        return cls(us=us, vs=points[order, 1].astype(np.float64))

    def __call__(self, u: np.ndarray | float) -> np.ndarray:
        # float32 in, float32 out: the per-frame fields are float32 end to end.
        if not isinstance(u, np.ndarray):
            # A frame asks the same few points (the mouth's centre, its corners) a dozen times.
            key = float(u)
            value = self._points_read.get(key)
            if value is None:
                value = self._points_read[key] = float(
                    self._smooth(np.clip(key, self.us[0], self.us[-1])))
            return value
        # Arrays (every pixel of a region, several curves a frame) read a dense table of the
        # curve: half the time of evaluating the PCHIP polynomials (scipy's per-call set-up
        # and float64 work), within 1e-4 px of them at TABLE_STEP spacing.
        start, per_px, values, slopes = self._table
        position = np.asarray(u - start)  # (an array even where u is 0-d: clipped in place)
        position *= per_px
        np.clip(position, 0.0, len(values) - 1, out=position)
        index = position.astype(np.intp)
        # Each step's share is exact in the position's own type (float32 mostly): no mixed
        # int and float pass. The rest is taken in float64, as it always was.
        read = slopes.take(index)
        read *= position - np.floor(position)
        read += values.take(index)
        return read.astype(np.float32, copy=False)

    @cached_property
    def _smooth(self) -> PchipInterpolator:
        # A smooth curve through the points, not straight segments: a lip or lid drawn
        # through dlib's few points with np.interp shows a kink at every landmark (an
        # opening mouth became a V). PCHIP keeps the curve within its points' range (no
        # spline overshoot past a mouth corner).
        return PchipInterpolator(self.us, self.vs, extrapolate=False)

    @cached_property
    def _points_read(self) -> dict[float, float]:
        return {}

    @cached_property
    def _table(self) -> tuple[np.float32, np.float32, np.ndarray, np.ndarray]:
        """The curve sampled evenly (at most TABLE_STEP apart) from its start to its end:
        start, samples per px, the samples, and each step's change (0 after the last sample:
        the curve is flat beyond its end). Samples and changes are float32 values, held as
        float64 (a read sums them in float64; cast there on every read, they cost a pass)."""
        span = float(self.us[-1] - self.us[0])
        steps = max(int(np.ceil(span / TABLE_STEP)), 1)
        knots = np.linspace(self.us[0], self.us[-1], steps + 1)
        values = self._smooth(knots).astype(np.float32)
        slopes = np.append(np.diff(values), np.float32(0.0)).astype(np.float32)
        return (np.float32(self.us[0]), np.float32(steps / max(span, 1e-9)),
                values.astype(np.float64), slopes.astype(np.float64))

    @property
    def start(self) -> float:
        return float(self.us[0])

    @property
    def end(self) -> float:
        return float(self.us[-1])


@dataclass(frozen=True, eq=False)
class EyeGeometry:
    upper: Curve  # upper lid margin
    lower: Curve  # lower lid margin
    brow: Curve
    centre_u: float
    half_width: float


@dataclass(frozen=True, eq=False)
class FaceGeometry:
    origin: np.ndarray  # image position of the aligned frame's origin
    angle: float  # eye line's angle in the image (radians)
    points: np.ndarray  # (68, 2) landmarks in aligned coordinates
    face_width: float  # jaw contour width (0 -> 16)
    face_height: float  # brow line to chin
    mouth_centre_u: float
    mouth_half_width: float
    upper_inner: Curve
    lower_inner: Curve
    upper_outer: Curve
    lower_outer: Curve
    rest_gap: float  # inner-lip gap at the mouth centre in the photo (px, >= 0)
    chin_v: float
    nose_v: float
    eyes: tuple[EyeGeometry, EyeGeometry]
    # The upper lip's lower edge as the photo shows it (see with_upper_lip_edge); dlib's
    # inner line where none was measured.
    upper_lip_edge: Curve | None = None
    # The edge found lies only a smile's commissure shadow above dlib's line (under
    # EDGE_MIN_RAISE): a mouth closing at its own width keeps that shadow, a rounded one
    # closes it up (see face_fields._opening_lines).
    upper_lip_edge_rounded_only: bool = False
    # How far below the chin (aligned px) the photo shows bare neck in every column under the
    # chin (see with_neck_room); unbounded where it was not measured.
    neck_room: float = float("inf")
    # Where each lip is lit, next to the photo's gap (see with_lit_lips): the upper lip's lit
    # edge above dlib's upper inner line, the lower lip's lit top below its lower one; dlib's
    # lines where none was measured.
    upper_lip_lit: Curve | None = None
    lower_lip_lit: Curve | None = None

    @property
    def upper_edge(self) -> Curve:
        return self.upper_lip_edge if self.upper_lip_edge is not None else self.upper_inner

    def with_upper_lip_edge(self, image: np.ndarray) -> FaceGeometry:
        """This geometry with the upper lip's lower edge measured on ``image`` near the
        corners of a photo's open mouth (see upper_lip_edge_raise)."""
        if self.rest_gap < EDGE_MIN_REST_GAP * self.face_height:
            return self
        us, raise_px = upper_lip_edge_raise(self, image)
        if raise_px.max() <= 0.0:
            return self
        shadow_only = raise_px.max() < EDGE_MIN_RAISE * self.face_height
        us, raise_px = upper_lip_edge_raise(self, image, rise_share=EDGE_LIT_SHARE)
        edge = self.upper_inner(us).astype(np.float64) - raise_px
        return replace(self, upper_lip_edge=Curve.through(np.stack([us, edge], axis=1)),
                       upper_lip_edge_rounded_only=shadow_only)

    def with_lit_lips(self, image: np.ndarray) -> FaceGeometry:
        """This geometry with the lips' lit edges next to the photo's gap measured on
        ``image`` (see lit_lip_offsets); unchanged where the lips meet in the photo."""
        if self.rest_gap <= 0.0:
            return self
        us, raise_px, drop_px = lit_lip_offsets(self, image)
        upper = self.upper_inner(us).astype(np.float64) - raise_px
        lower = self.lower_inner(us).astype(np.float64) + drop_px
        return replace(self, upper_lip_lit=Curve.through(np.stack([us, upper], axis=1)),
                       lower_lip_lit=Curve.through(np.stack([us, lower], axis=1)))

    def with_neck_room(self, image: np.ndarray) -> FaceGeometry:
        """This geometry with the bare neck under the chin measured on ``image`` (see
        neck_skin_room)."""
        return replace(self, neck_room=neck_skin_room(self, image))

    @classmethod
    def from_landmarks(cls, landmarks: np.ndarray) -> FaceGeometry:
        points = np.asarray(landmarks, dtype=np.float64)
        right_eye = points[36:42].mean(axis=0)
        left_eye = points[42:48].mean(axis=0)
        angle = float(np.arctan2(*(left_eye - right_eye)[::-1]))
        origin = (right_eye + left_eye) / 2.0
        aligned = to_aligned(points, origin, angle)

        face_width = float(np.linalg.norm(aligned[16] - aligned[0]))
        brow_v = float(aligned[17:27, 1].min())
        face_height = float(aligned[CHIN, 1] - brow_v)
        upper_inner = Curve.through(aligned[INNER_UPPER_LIP])
        lower_inner = Curve.through(aligned[INNER_LOWER_LIP])
        mouth_centre = float((aligned[48, 0] + aligned[54, 0]) / 2.0)
        half_width = max(float(aligned[54, 0] - aligned[48, 0]) / 2.0, 2.0)
        rest_gap = max(0.0, float(lower_inner(mouth_centre) - upper_inner(mouth_centre)))
        return cls(
            origin=origin,
            angle=angle,
            points=aligned,
            face_width=max(face_width, 8.0),
            face_height=max(face_height, 8.0),
            mouth_centre_u=mouth_centre,
            mouth_half_width=half_width,
            upper_inner=upper_inner,
            lower_inner=lower_inner,
            upper_outer=Curve.through(aligned[OUTER_UPPER_LIP]),
            lower_outer=Curve.through(aligned[OUTER_LOWER_LIP]),
            rest_gap=rest_gap,
            chin_v=float(aligned[CHIN, 1]),
            nose_v=float(aligned[NOSE_TIP, 1]),
            eyes=(
                _eye(aligned, RIGHT_EYE_UPPER, RIGHT_EYE_LOWER, RIGHT_BROW),
                _eye(aligned, LEFT_EYE_UPPER, LEFT_EYE_LOWER, LEFT_BROW),
            ),
        )

    def to_image(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cos, sin = float(np.cos(self.angle)), float(np.sin(self.angle))
        ox, oy = float(self.origin[0]), float(self.origin[1])
        return ox + cos * u - sin * v, oy + sin * u + cos * v

    def to_aligned(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cos, sin = float(np.cos(self.angle)), float(np.sin(self.angle))
        dx, dy = x - float(self.origin[0]), y - float(self.origin[1])
        return cos * dx + sin * dy, -sin * dx + cos * dy

    def rotate_to_image(self, du: np.ndarray, dv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A displacement in aligned axes expressed in image axes."""
        cos, sin = float(np.cos(self.angle)), float(np.sin(self.angle))
        return cos * du - sin * dv, sin * du + cos * dv

    def image_box(self, u0: float, u1: float, v0: float, v1: float, size: int, margin: int
                  ) -> tuple[int, int, int, int]:
        """Pixel rectangle (x0, y0, x1, y1) covering an aligned box, clipped to the frame."""
        us = np.array([u0, u1, u0, u1])
        vs = np.array([v0, v0, v1, v1])
        xs, ys = self.to_image(us, vs)
        x0 = int(np.clip(np.floor(xs.min()) - margin, 0, size))
        x1 = int(np.clip(np.ceil(xs.max()) + margin + 1, 0, size))
        y0 = int(np.clip(np.floor(ys.min()) - margin, 0, size))
        y1 = int(np.clip(np.ceil(ys.max()) + margin + 1, 0, size))
        return x0, y0, x1, y1


# Near the corners of a photo's open mouth dlib's upper inner line can lie inside the mouth's
# dark (obama2.jpg's right corner: 3-5 px below the lip, the whole lip there nearly as dark as
# the mouth): the animator took that dark for upper lip and left it standing as a wedge while
# the mouth closed. The edge is measured only on photos whose mouth is open by this share of
# the face's height (a shut mouth's dark crease is no opening) ...
EDGE_MIN_REST_GAP = 0.03
# ... in the outer part of the mouth (the share of the half-width from the centre where it
# starts, fully in at the second), where teeth do not fill the opening under the lip ...
EDGE_COLUMNS = (0.4, 0.6)
# ... in each column where the pixel on dlib's line is as dark as the mouth's inside: within
# this share of the way from the mouth's darkest level up to its upper lip's middle. The edge
# is where the column, followed up from the line, has risen by the same share (at least
# EDGE_MIN_STEP levels) above the darkest level it passed: a share of the lip's own local
# colour failed, as the lip near a corner is little brighter than the dark beside it.
EDGE_DARK_SHARE = 0.15
EDGE_MIN_STEP = 10.0
# ... raised by at most this share of the face's height (no edge found within: dlib's line).
EDGE_MAX_RAISE = 0.03
# Only a photo whose line lies this far (a share of the face's height) or further inside the
# dark somewhere gets the edge: a px or two of dark under a smile's corners (astronaut.png,
# obama.jpg: 0.010 face heights at most) is the commissure's own shadow, which a shut mouth
# keeps; closed up to its edge it became a thin hard-stepped line. obama2.jpg's: 0.019.
EDGE_MIN_RAISE = 0.015
# On such a photo the lip ends where the column has risen by this share instead. Its edge
# is a ramp a few px tall, and at EDGE_DARK_SHARE the edge lay at the ramp's foot (obama2.jpg:
# 13 grey levels, the mouth 3, the lip's middle 69): those last px, taken for lip and closed
# up against the lower lip's pink, stood as a dark line from the teeth's end to the corner
# (0.2-0.3 open). The share that finds the edge stays EDGE_DARK_SHARE: at this one
# astronaut.png's commissure shadow (0.019 face heights) would pass EDGE_MIN_RAISE.
EDGE_LIT_SHARE = 0.35


def upper_lip_edge_raise(g: FaceGeometry, image: np.ndarray,
                         rise_share: float = EDGE_DARK_SHARE) -> tuple[np.ndarray, np.ndarray]:
    """Columns u (1 px apart, corner to corner) and how far above dlib's upper inner line the
    photo's upper lip ends in each (0 where the line is on the lip or no edge is clear): where
    the column has risen by ``rise_share`` of the way from the mouth's dark to the lip."""
    gray = np.ascontiguousarray(image, dtype=np.float32).mean(axis=2)
    uc, half = g.mouth_centre_u, g.mouth_half_width
    us = np.linspace(uc - half, uc + half, max(int(round(2.0 * half)), 2) + 1)
    column = np.abs(us - uc) / half
    inner = g.upper_inner(us).astype(np.float64)
    lower = g.lower_inner(us).astype(np.float64)
    outer = g.upper_outer(us).astype(np.float64)
    step = 0.25
    max_raise = EDGE_MAX_RAISE * g.face_height
    offsets = np.arange(int(np.ceil(max_raise / step)) + 1) * step
    up_v = inner[:, None] - offsets[None, :]
    xs, ys = g.to_image(np.broadcast_to(us[:, None], up_v.shape), up_v)
    profiles = cv2.remap(gray, xs.astype(np.float32), ys.astype(np.float32), cv2.INTER_LINEAR)

    middle = column < 0.3
    lip_vs = outer[middle, None] + np.linspace(0.25, 0.75, 5)[None, :] * (
        inner - outer)[middle, None]
    lip_x, lip_y = g.to_image(np.broadcast_to(us[middle, None], lip_vs.shape), lip_vs)
    lip_level = float(np.median(_read(gray, lip_x, lip_y)))
    open_vs = inner[:, None] + np.linspace(0.1, 0.9, 9)[None, :] * np.maximum(
        lower - inner, 0.0)[:, None]
    open_x, open_y = g.to_image(np.broadcast_to(us[:, None], open_vs.shape), open_vs)
    inside = _read(gray, open_x, open_y).reshape(open_vs.shape)[column < 0.9]
    dark_level = float(np.percentile(inside, 5)) if inside.size else 0.0
    dark_line = max(EDGE_DARK_SHARE * (lip_level - dark_level), EDGE_MIN_STEP)
    rise = max(rise_share * (lip_level - dark_level), EDGE_MIN_STEP)
    if lip_level - dark_level < 2.0 * EDGE_MIN_STEP:
        return us, np.zeros_like(us)

    crossing, lit = _first_lit(profiles, offsets, rise)
    # Only where the column starts in the mouth's dark (elsewhere dlib's line is on the lip).
    starts_dark = profiles[:, 0] <= dark_level + dark_line
    raise_px = np.where((column > EDGE_COLUMNS[0]) & starts_dark & lit, crossing, 0.0)
    # A pixel's noise moves one column's crossing by a pixel: the edge is smoothed along the
    # lip, and fades in from the middle, where the teeth under the lip keep dlib's line.
    raise_px = _smooth_along(raise_px)
    fade = np.clip((column - EDGE_COLUMNS[0]) / (EDGE_COLUMNS[1] - EDGE_COLUMNS[0]), 0.0, 1.0)
    return us, raise_px * fade


# Beside a rounded mouth's hole the lips meet, and each must be read from where the photo shows
# it lit: towards a smile's corners the pixels next to dlib's inner lines lie in the shadow
# between the lips (astronaut.png's upper lip, obama.jpg's both: 10-60 grey levels where the
# lips are 100-200), and read there the place where the lips met was a thin dark line running
# from the hole's ends up the smile's line. Each column is followed outward (up from the upper
# lip's measured end, down from dlib's lower inner line) over EDGE_MAX_RAISE of the face's
# height; the lip is lit where the column has risen above the darkest level it passed by
# LIT_LIP_SHARE of its range there (darkest to brightest; at least EDGE_MIN_STEP levels, and a
# column that does not rise so far keeps its line). At 0.75 the line where the lips meet read
# a little lighter (tests/generation/test_rounded_whiskers.py's depth: 0.35 at worst, against
# 0.37) but a px more of each lip was left out near the corners.
LIT_LIP_SHARE = 0.6


def lit_lip_offsets(g: FaceGeometry, image: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Columns u (1 px apart, corner to corner), how far above dlib's upper inner line the
    photo's upper lip is lit in each, and how far below its lower inner line the lower lip."""
    gray = np.ascontiguousarray(image, dtype=np.float32).mean(axis=2)
    uc, half = g.mouth_centre_u, g.mouth_half_width
    us = np.linspace(uc - half, uc + half, max(int(round(2.0 * half)), 2) + 1)
    step = 0.25
    offsets = np.arange(int(np.ceil(EDGE_MAX_RAISE * g.face_height / step)) + 1) * step
    found = []
    # The upper lip is followed up from its measured end (upper_lip_edge_raise), above
    # dlib's line where that lies in the mouth's dark (obama2.jpg's right corner: 5.6 px;
    # from dlib's line, its lip's dark end read as lit).
    for line, start, outward in ((g.upper_inner, g.upper_edge, -1.0),
                                 (g.lower_inner, g.lower_inner, 1.0)):
        vs = start(us).astype(np.float64)[:, None] + outward * offsets[None, :]
        xs, ys = g.to_image(np.broadcast_to(us[:, None], vs.shape), vs)
        profiles = _read(gray, xs, ys).reshape(vs.shape)
        rise = np.maximum(LIT_LIP_SHARE * (profiles.max(axis=1) - profiles.min(axis=1)),
                          EDGE_MIN_STEP)
        crossing, lit = _first_lit(profiles, offsets, rise)
        beyond_start = outward * (start(us).astype(np.float64) - line(us).astype(np.float64))
        found.append(_smooth_along(np.where(lit, beyond_start + crossing, beyond_start)))
    return us, found[0], found[1]


# Under the chin a photo shows bare neck, then often a collar, a scarf or something held in
# front (obama2.jpg's microphone, 15-30 px under its chin). Closing a photo's open mouth lifts
# the chin, and the neck stretched up behind it must be neck: the columns within this share of
# the face's width either side of the chin (where the jaw lifts fully) are followed down ...
NECK_COLUMNS_SHARE = 0.1
NECK_SEARCH_SHARE = 0.3  # ... at most this share of the face's height below the chin ...
# ... for as long as they keep the chin's skin colour: within this distance of its median a*b*
# (CIELAB) and no darker than this share of its lightness (the shadow under a jaw is darker
# but keeps its hue; a dark suit, a white collar or a black microphone lose it). 10 took JPEG
# noise on astronaut.png's lit neck for an edge; white collars lie 20-30 away, the microphone 28.
NECK_CHROMA_DISTANCE = 14.0
NECK_MIN_LIGHT_SHARE = 0.35
# A column's bare neck ends at the first run of this many samples (1 px apart) that are not.
NECK_END_RUN = 3
NECK_EDGE_PX = 3


def neck_skin_room(g: FaceGeometry, image: np.ndarray) -> float:
    """How far below the chin (aligned px) every column under it still shows the chin's
    skin: the least over those columns."""
    lab = cv2.cvtColor(np.ascontiguousarray(image, dtype=np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    chin_u = float(g.points[CHIN, 0])
    lip_bottom = float(g.lower_outer(g.mouth_centre_u))
    chin_us = np.linspace(chin_u - 0.1 * g.face_width, chin_u + 0.1 * g.face_width, 21)
    chin_vs = np.linspace(lip_bottom + 0.35 * (g.chin_v - lip_bottom),
                          g.chin_v - 0.25 * (g.chin_v - lip_bottom), 8)
    skin = np.median(_read_lab(g, lab, *np.meshgrid(chin_us, chin_vs)), axis=0)
    us = np.arange(chin_u - NECK_COLUMNS_SHARE * g.face_width,
                   chin_u + NECK_COLUMNS_SHARE * g.face_width + 1.0)
    below = np.arange(0.0, NECK_SEARCH_SHARE * g.face_height)
    samples = _read_lab(g, lab, *np.meshgrid(us, g.chin_v + below)).reshape(
        len(below), len(us), 3)
    neck = (np.hypot(samples[..., 1] - skin[1], samples[..., 2] - skin[2]) < NECK_CHROMA_DISTANCE
            ) & (samples[..., 0] > NECK_MIN_LIGHT_SHARE * skin[0])
    # dlib's chin point lies a pixel or two either side of the chin's edge, where the colour
    # turns: the search starts past it.
    neck[:NECK_EDGE_PX] = True
    # A run of NECK_END_RUN samples that are not neck, starting at each row.
    ends = np.ones_like(neck)
    for offset in range(NECK_END_RUN):
        ends[: len(below) - offset] &= ~neck[offset:]
    ends[len(below) - NECK_END_RUN + 1:] = False
    ends[-1] = True  # a column bare as far as searched ends there
    return float(below[np.argmax(ends, axis=0)].min())


def _read_lab(g: FaceGeometry, lab: np.ndarray, us: np.ndarray, vs: np.ndarray) -> np.ndarray:
    xs, ys = g.to_image(us, vs)
    return cv2.remap(lab, np.ascontiguousarray(xs, dtype=np.float32),
                     np.ascontiguousarray(ys, dtype=np.float32), cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE).reshape(-1, 3)


def _read(gray: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    return cv2.remap(gray, np.ascontiguousarray(xs, dtype=np.float32),
                     np.ascontiguousarray(ys, dtype=np.float32), cv2.INTER_LINEAR).ravel()


def _first_lit(profiles: np.ndarray, offsets: np.ndarray, rise
               ) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``profiles`` (samples at ``offsets`` px along a column, outward from a lip's
    line): where the column first stands ``rise`` (one level, or one per row) above the
    darkest it has passed, interpolated between the two samples; and whether it ever does."""
    rise = rise[:, None] if np.ndim(rise) else rise
    darkest = np.minimum.accumulate(profiles, axis=1)
    lit = profiles >= darkest + rise
    # The first sample is its own darkest, so a column is lit at the second at the earliest.
    at = np.maximum(np.argmax(lit, axis=1), 1)
    rows = np.arange(len(profiles))
    level = darkest[rows, at] + (rise[:, 0] if np.ndim(rise) else rise)
    before, after = profiles[rows, at - 1], profiles[rows, at]
    step = float(offsets[1] - offsets[0])
    crossing = offsets[at - 1] + step * (level - before) / np.maximum(after - before, 1e-6)
    return crossing, lit.any(axis=1)


def _smooth_along(values: np.ndarray) -> np.ndarray:
    """A 3-sample median (one column's outlier gone), then a 3-sample mean."""
    return uniform_filter1d(median_filter(values, 3, mode="nearest"), 3, mode="nearest")


# The head's hull: the landmarks, a forehead above the brows, and a band below the jaw where
# the chin travels as the mouth opens and closes (closing a photo's open mouth raises the chin
# by up to ~0.1 face heights; the neck under it stretches smoothly over this band).
# Everything the animator moves stays inside it.
FOREHEAD_SHARE = 0.3
JAW_DROP_SHARE = 0.25


def head_hull(geometry: FaceGeometry) -> np.ndarray:
    """(K, 2) image points of the convex hull the animation stays within."""
    g = geometry
    aligned = g.points
    forehead = aligned[17:27] - (0.0, FOREHEAD_SHARE * g.face_height)
    dropped = aligned[4:13] + (0.0, JAW_DROP_SHARE * g.face_height)
    points = np.vstack([aligned, forehead, dropped])
    xs, ys = g.to_image(points[:, 0], points[:, 1])
    image_points = np.stack([xs, ys], axis=1).astype(np.float32)
    return cv2.convexHull(image_points)[:, 0, :]


def to_aligned(points: np.ndarray, origin: np.ndarray, angle: float) -> np.ndarray:
    cos, sin = np.cos(angle), np.sin(angle)
    d = points - origin
    return np.stack([cos * d[:, 0] + sin * d[:, 1], -sin * d[:, 0] + cos * d[:, 1]], axis=1)


def _eye(aligned: np.ndarray, upper: list[int], lower: list[int], brow: list[int]
         ) -> EyeGeometry:
    corners = aligned[[upper[0], upper[-1]]]
    return EyeGeometry(
        upper=Curve.through(aligned[upper]),
        lower=Curve.through(aligned[lower]),
        brow=Curve.through(aligned[brow]),
        centre_u=float(corners[:, 0].mean()),
        half_width=max(float(abs(corners[1, 0] - corners[0, 0])) / 2.0, 1.0),
    )
