"""Renders one frame of a talking portrait from the photo and that frame's motion parameters.

Per frame: a backward map for the head's motion - roll and shift as an affine, yaw and pitch
as a small rotation of a generic 3-D face fitted to the photo's landmarks in the photo's own
pose (face_model: each point moves by its depth, the nose most, the cheeks' outline least,
a turned photo's near side more than its far side), piecewise affine over the fitted mesh's
triangles - faded out towards the face's outline; the
mouth and eyelid fields added in their own small regions; then every displacement is cut at
the head's hull (geometry.head_hull), feathered inside it, so nothing outside the face moves
(no halo, no smeared hair or background); one cv2.remap of the photo, and the mouth interior
painted over the opening. Everything that does not change between frames (grids, masks,
regions) is built once.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.ndimage import grey_closing, grey_erosion
from scipy.stats import median_abs_deviation

from generation.renderers.talking.face_fields import (
    UPPER_LIP_SHARE,
    MouthField,
    distance_across,
    eyelid_field,
    gaze_field,
    mask_box,
    mouth_displacement,
    mouth_field,
    pucker,
    teeth_cover,
)
from generation.renderers.talking.face_model import face_mesh, fit_face
from generation.renderers.talking.geometry import (
    INNER_LOWER_LIP,
    OUTER_LOWER_LIP,
    FaceGeometry,
    head_hull,
)
from generation.renderers.talking.mouth_interior import (
    LIPS_OVER_TEETH_EDGE_PX,
    LIPS_OVER_TEETH_LAST,
    LIPS_OVER_TEETH_SHADE,
    TIPS_CUT_BY,
    TONGUE_FROM_LIP,
    LipsAtRims,
    MouthLook,
    PhotoTeeth,
    TeethRows,
    drawn_teeth,
    find_photo_teeth,
    lips_rolled_in_reach,
    paint_interior,
    photo_cavity_rgb,
    row_alpha,
    teeth_in_photo_light,
)

# Widest inner-lip gap while speaking, as a share of the brow-to-chin height (about 15-20 mm
# on an adult face).
MAX_OPENING_SHARE = 0.15
# A photo counts as showing teeth when its inner lips are this far apart (share of height).
TEETH_VISIBLE_SHARE = 0.025
DRAWN_TEETH_SHARE = 0.045
# How strongly a lowered lid takes its skin's even colour (the rest is stretched texture).
LID_TINT = 0.7
# Lid samples darker than this share of the under-eye skin's brightness are brow hair or
# lashes, not lid skin; a lid is taken to be this much darker than the skin under the eye
# when no sample above it is skin.
LID_SKIN_LUMA_SHARE = 0.6
UNDER_EYE_TO_LID = 0.92
OPAQUE_LID_TINT = 0.92
# The lid's cover thins out over this share of the eye's half-width inside each corner; shut,
# it reaches LID_PAST_CORNER of the half-width further, past dlib's corners (see _close_lid).
LID_CORNER_SPAN = 0.2
LID_PAST_CORNER = 0.4
# The tint grows in over this share of the lowered lid, from where its skin starts to stretch.
LID_TINT_RAMP = 0.7
# A lowered lid's lash line is drawn (see _lash_line): centred this many of its sigmas above
# the lid's new margin, at most this dark a blend of the photo's lash colour, thinning out
# over LASH_CORNER_SPAN of the half-width inside each corner, and fully drawn from
# LASH_FADE_IN closed (before, the photo's own lash line, moved down, shows alone). Its sigma
# is the photo's, at most LASH_SIGMA_MAX of the half-width. Shut, the lid covers the photo's
# lower lashes fading out over LASH_TAIL_PX below its margin.
LASH_ABOVE_MARGIN = 1.0
LASH_ALPHA = 0.65
LASH_CORNER_SPAN = 0.5
LASH_FADE_IN = 0.3
LASH_SIGMA_MAX = 0.045
LASH_TAIL_PX = 1.5
# A painted lid takes its grain from the skin this many half-widths of the eye below the
# lower lid (past its lashes), read pixel for pixel: the lid skin stretched down over the eye
# is magnified, its grain smoothed into a flat band, and bilinear reads of the skin under the
# eye halve its grain (obama.jpg's shut lid read as a tan patch, its fine texture 0.6 of the
# skin's above the brow; biden.jpg's left lid 0.4). The grain is the photo's
# brightness less its blur over LID_GRAIN_SIGMA px, soft-limited at LID_GRAIN_LIMIT of its
# robust spread (an under-eye wrinkle or lash is no line on the lid), and brought to the
# level of the finer of the skin above the brow and the skin it is read from, both measured
# on the finest detail (the brightness less its blur over LID_FINE_SIGMA px: under-eye skin
# carries more of its texture in wrinkles a few px wide than a forehead does).
UNDER_EYE_GAP = 0.35
LID_GRAIN_SIGMA = 3.0
LID_FINE_SIGMA = 1.5
LID_GRAIN_LIMIT = 2.0
# Grain and blur fade out over this many px above the lid's margin, where its lash line lies.
LID_GRAIN_CLEAR_PX = 5.0
# How far a rounded vowel narrows this photo's mouth, per unit of the plan's narrowing. Lips
# that meet in the photo pucker freely (biden.jpg narrowed to 0.6 of its width stays 0.21
# from itself in dlib's identity space); a wide open smile cannot: its teeth would be
# squeezed, and obama2.jpg (teeth shown over 13 % of its face height) moves 0.45 away at
# 0.72. The gain falls from NARROWING_GAIN_CLOSED to NARROWING_GAIN_WIDE_SMILE as the photo's
# open smile reaches WIDE_SMILE_SHARE of the face height.
NARROWING_GAIN_CLOSED = 1.35
NARROWING_GAIN_WIDE_SMILE = 0.8
WIDE_SMILE_SHARE = 0.12
# Grid spacing (px) for the smooth part of the mouth's field.
COARSE_STEP = 4
# Displacements fade to nothing over this share of the face width inside the head's hull
# (a sharp cut shears the jaw line into the background).
HULL_FEATHER_SHARE = 0.07
# Around the lips' box as the head carries it (the box's corners are followed exactly; its
# edges between them bend by a pixel or two where yaw's field is piecewise affine). 4 px left
# the chin under a 5-degree turn to the coarse field (up to 16 grey levels off, and dlib read
# the far eye's corner a pixel differently).
LIPS_BOX_MARGIN_PX = 8
# A photo whose upper teeth rest on the lower lip hides the lower incisors behind both. A room
# up to this share of the face's height (about 2 mm) opened under the upper teeth shows them;
# over this many px more they drop out of it and the mouth's dark shows (below obama.jpg's
# ah, from 0.8 of the widest opening, where its tongue shows). They are mirrored from the
# upper teeth this many px past the upper teeth's edge.
HIDDEN_TEETH_SHARE = 0.0165
HIDDEN_TEETH_FADE_PX = 1.0
# Going, their band's ends come in towards the middle, soft over this share of its reach
# either side of it.
HIDDEN_TEETH_EDGE = 0.4
HIDDEN_TEETH_TIP_PX = 2.0
# They reach this many px up behind the upper row's edge.
HIDDEN_TEETH_BEHIND_PX = 2.0
# Upper teeth rest on the lip where its top is within this many px of their edge (obama2.jpg's
# open smile shows its cavity under the upper teeth where no lower row is: no teeth there).
HIDDEN_TEETH_REST_PX = 4.0
# The shut lips' line (_closed_lip_line) mixes the two lips over this many px across it: over
# one px straight down the mouth, a rounded lower lip read 20-34 px up to shut a photo's open mouth (obama2.jpg) had
# flanks 0.6-0.98 as soft as the photo's own lip outline (tests/generation/
# test_shut_lip_outline.py), over 1.5 px 0.75-1.06. Over 2-3 px they were softer still
# (0.89-1.18), but the level line at the middle took enough of each lip to make obama.jpg's
# shut red there 0.25 px taller (test_lip_protrusion.py's rounded-over-flat 1.11 to 1.095).
CLOSED_LINE_RAMP_PX = 1.5
# It is looked for this many px straight up and down the mouth: a pixel half the ramp across
# it lies up to the line's gradient length times that from it straight down (the distance's
# change per px: at most 1.76 on obama2.jpg's lower lip shut and rounded to 0.75, 1.3 px), so
# lines over twice as steep are still mixed whole.
CLOSED_LINE_SEARCH_PX = 3.0
# Nearly shut, a photo's open mouth is a pixel or a few tall and filled with the strips of lip
# drawn in front of its teeth (_photo_teeth), and the lower lip's top edge is where they end:
# against the teeth or the mouth's dark, against the upper lip's strip, or at a rim the strip
# fills the opening up to. Each pixel's share there is taken across the line (distance_across)
# and mixed over STRIP_EDGE_RAMP_PX while the mouth is open under STRIP_EDGE_SHUT[0] of its
# widest opening, over one px from STRIP_EDGE_SHUT[1]. Taken straight down the mouth a pixel at
# a time (the lower strip's top), or cut (where the strips met, each pixel the strip it lay
# further into; a strip whole up to a rim filled every pixel the rim touched), obama2.jpg's
# lower lip at 0.05-0.2 open had a stair-stepped top down its sides and an upright wall by its
# right corner: 0.51-0.73 as soft as the photo's lip outline up to 0.1 open
# (tests/generation/test_parted_lip_steps.py), now 0.86-1.1; over 1.5 px 0.79, and obama.jpg
# 0.56, crisper than it was (0.64, now 0.68); over 2.5 px 0.95. Open further, the rim blur
# softens the strips' edges against the mouth's dark, and over 2 px the lower strip's top took
# a quarter px off astronaut.png's lit tongue (test_mouth_interior.py: 5.25 px, under 5.5).
STRIP_EDGE_RAMP_PX = 2.0
STRIP_EDGE_SHUT = (0.2, 0.3)
# The upper lip's strip is rounded at its ends over the upper row while the mouth is open
# under the first of these shares of its widest opening, not at all from the second: up to
# about 0.15 the lower lip's strip fills the opening up to it (past the strip's square end, a
# wall in the lower lip's top edge: astronaut.png's right end). Opened further, the row read
# up to the rounded strip showed its top as a pale fleck at its end (obama.jpg at 0.2-0.25).
STRIP_ROUNDED_OVER_ROW = (0.15, 0.2)
# Their texture: the upper row's tooth colour smoothed over this share of the face's height
# across (a tooth's gap is 1-3 px of obama.jpg's 232 px face), never darker than this share
# of the tooth colour around it.
HIDDEN_TEETH_DETAIL_SHARE = 0.01
HIDDEN_TEETH_FLOOR = 0.85
# How much of the teeth's own colour goes into that mean (in pixels of full tooth).
HIDDEN_TEETH_PRIOR = 0.05
# Columns without them narrower than this share of the face's height (about 6 mm) are filled;
# runs of them narrower than half of it (a mouth's corner) are left out.
HIDDEN_TEETH_CLOSE_SHARE = 0.05
# The photo's teeth rows fade out between these shares of the mouth's half-width from its
# middle (0.77 to 0.92: as drawn teeth do).
ROWS_END, ROWS_END_FADE = 0.92, 0.15
# A piece of the photo's upper row narrower than this share of the mouth's half-width (2.7-3.5
# px on the shared photos) is not read (_upper_row_pieces): narrower than a tooth. The shared
# photos' rows are in pieces 6.5 px wide (0.12 of the half-width) or wider, but for obama2.jpg's
# 1 px piece at 0.52-0.55 of the half-width on the image's right and astronaut.png's 1 px
# of teeth past ROWS_END.
UPPER_ROW_PIECE_SHARE = 0.06
# Opened past the first of these shares of its widest opening, up to the second, the upper
# row reaches up to the photo's lip line, taking in the strip between them (PhotoTeeth.top is
# where the row's lip-coloured top ends: obama2.jpg's upper teeth are shaded pink for their top
# 2.5-7 px, on the image's right whole teeth of 5.5-7 px). Read with the lip as a strip, a
# puckered wide mouth read it a teeth band down (face_fields: the lips reach over the teeth)
# and dropped it: the row was 2.5-4 px of tips under a dark band, a third of the photo's width
# (obama2.jpg at 0.8-1.0 open, width 0.84). Under 0.4 the strip rounds the row's ends as
# before (test_lower_tooth_sliver.py's 0.2-0.4 open are unchanged).
ROW_TO_LIP_OPEN = (0.4, 0.55)
# Past the upper row's end the lower row fades out over this many px below the line of the
# upper teeth's tips (_photo_teeth): cut at the line, obama2.jpg's lower row at 0.4 open, its
# top 1 px under it, was a 1 px white line out to the corner; over 2.5 px it goes into the
# dark, and at 0.5-0.6 open (its teeth well under the line) it is as it was.
LOWER_BEHIND_TIPS_PX = 2.5
# The painted opening's edge is a cut (each pixel by its share inside the rim): against the
# photo's lips, whose edges the lens and the skin soften over 2.5-4 px, it read as a hole cut
# out with the dark pasted in (biden.jpg: a one-pixel step from its lower lip into the mouth).
# Where the lips meet the mouth's inside, the finished frame is blurred across their edge
# (sigma RIM_BLUR_SHARE of the face's height: about 1.2 px on a 512 px portrait), fully within
# RIM_BAND[0] sigmas of it and fading out by RIM_BAND[1]. Not where the blur would bring more
# than RIM_TEETH_LEAK of a tooth into a pixel (a tooth's edge blurred into the lip is a smear;
# at 0.15 astronaut.png's upper lip took on a few levels of its teeth). Out to the corners as
# well: left out past 0.7-0.85 of the half-width, the dark at a spread mouth's ends kept a
# crisp, stair-stepped one-pixel outline against the skin (astronaut.png's dark corners beside
# its teeth, obama2.jpg's and biden.jpg's wide open), where the photo's own corner shadows are
# soft; blurred as along the middle, it spreads no further onto the skin than a lip edge's
# blur (looked at in 8x crops at 0.15-1.0 open), and the teeth there stay sharp.
RIM_BLUR_SHARE = 0.0055
RIM_BAND = (1.0, 2.5)
RIM_TEETH_LEAK = 0.05
# Rolling in, a lip shows its wet inner side, the tongue's own tissue: blurred into the mouth,
# the lip is taken in the tongue's hue (TONGUE_FROM_LIP) at INNER_LIP_LIGHT of its own
# brightness. As the lip's outer skin, it gave the lit tongue's lower edge the lip's colour
# (astronaut.png's pale pink lip: 0.75 px of its 5.75 px tall tongue no longer read as
# tongue); at the lip's full brightness, the rim was a thin bright red line, like lip liner.
INNER_LIP_LIGHT = 0.7
INNER_LIP_TINT = (INNER_LIP_LIGHT * TONGUE_FROM_LIP
                  / float(TONGUE_FROM_LIP @ np.array([0.299, 0.587, 0.114]))).astype(np.float32)
# Brightness (luma) of an RGB colour.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)
# The mouth's painted inside (drawn teeth, the dark, the tongue, the lips' inner sides) takes
# the photo's grain, as a painted lid does: flat, it read as graphics pasted into a grainy photo
# (biden.jpg's drawn teeth and cavity, astronaut.png's dark corners: their fine detail was
# 0.12-0.29 of the lips' and the skin's around them on d871985, now 0.39-0.52, and obama2.jpg's
# near-black 0.28 beside its own dark's 0.18: test_mouth_grain.py).
# The grain is the lid's (the brightness less its blur over LID_GRAIN_SIGMA px; the finest
# detail alone, over LID_FINE_SIGMA, was a salt-and-pepper speckle beside the photo's mottled
# skin), read pixel for pixel from a patch of each cheek, MOUTH_GRAIN_PATCH of the face's width
# either side of the middle between the face's outline by the cheekbone (dlib's 1 and 15) and
# the nostril. The skin under the lower lip, read along it, carries the chin's crease and the
# lip's own edge in arcs that follow the lip, and they stood in obama2.jpg's open mouth as
# streaks; a patch as low as the nostril took in a smile's fold, a pale line across
# astronaut.png's dark; read where the mouth opens, the photo's lip and teeth edges would draw
# ghosts of its own mouth. Soft-limited at
# MOUTH_GRAIN_LIMIT of its robust spread (a fold in the patch is no line in the mouth), and
# brought to the finest detail of the finer of the cheeks and the lips with the skin around
# them (brought up to the lips' instead, the cavity looked rougher than the lips).
MOUTH_GRAIN_PATCH = 0.08
MOUTH_GRAIN_LIMIT = 2.0
# Darker than MOUTH_GRAIN_FULL_LUMA the grain falls in proportion to the brightness: on the
# shared photos, flat patches of the face at luma 30-60 carry 0.6-1.0 of the fine detail of
# those at 100-150 (noise after the camera's gamma barely falls with the light), and
# obama2.jpg's nearly black mouth (luma 6) 0.15 of its lips' and skin's: a line through both
# (40: 0.15 at luma 6, 0.75-1 at 30-60). A grain in proportion to the brightness throughout (a
# lid's) left the mouth's dark as good as flat (0.19-0.29 of the lips' fine detail, against
# 0.14-0.28 unpainted; 0.43-0.49 so).
MOUTH_GRAIN_FULL_LUMA = 40.0
# The grain is grey, the same in every channel, not in proportion to the colour as a lid's
# (a painted lid is skin on skin): the photos' own grain on the cheeks moves red, green and blue
# alike (each 0.8-1.3 times its brightness's; in proportion to the skin's colour they would be
# 1.1-1.4, 0.9 and 0.7-0.9), and in proportion to the mouth's dark red it was red speckle.
# A painted shape's drawn edge (the tongue's top, a drawn tooth's tip) keeps its place, as a
# lowered lid's lash line does (LID_GRAIN_CLEAR_PX): the grain fades out as the painted
# brightness's slope grows from the first to the second of these (levels a px; the painted
# shading's is 1-3, a drawn edge's 10-30). Grain on the tongue's soft top moved the edge a
# viewer reads up or down by chance: faded from 4 to 12, obama.jpg's raised tongue rose
# 3.0-3.75 px over eleven placements of the cheek patches (3.5 flat; test_mouth_interior.py
# wants 3); from 3 to 8, 3.5 at every one, and the inside's grain barely less (0.38 -> 0.39,
# 0.30 -> 0.28, 0.45 -> 0.44 and 0.52 of the photo's: test_mouth_grain.py).
MOUTH_GRAIN_EDGE = (3.0, 8.0)
# Raised brows go up by this share of the face height (about 4 mm).
BROW_LIFT_SHARE = 0.03
# The head's motion fades out over this share of the face width inside the hull's edge.
HEAD_FADE_SHARE = 0.22
# A puckered lower lip, pushed forward, catches the light on its middle and shades the skin
# under it: at full pucker its highlight blends this much of the lip's own colour made
# LIP_HIGHLIGHT_GAIN x as bright (so the lip is up to 1 + 0.3 x 0.4 = 12 % brighter), and the
# shadow darkens the skin under it by up to this share.
LIP_HIGHLIGHT_ALPHA = 0.3
LIP_HIGHLIGHT_GAIN = 1.4
LIP_SHADOW_ALPHA = 0.25
# Both fade out this far from the middle (share of the mouth's half-width), and are left out
# below this pucker (where they change a pixel by a level of 255 at most).
LIP_LIGHT_ACROSS = 0.65
LIP_LIGHT_FROM = 0.02
# Beside a rounded hole each lip is read at least this far from where the photo's teeth (or
# the shadowed band over the lower lip) begin: half a pixel more than the read's own reach,
# which blends in the next row.
LIT_LIP_MARGIN_PX = 1.0
# ... and the upper lip this far above its inner line: a smile's teeth have crowns reaching up
# past dlib's line between the folds of the lip (astronaut.png, 2-3 px), and with the hole's
# rim lip-coloured they stood in the lip as a row of pale dots.
UPPER_LIP_CROWNS_PX = 3.0


@dataclass(frozen=True)
class FramePose:
    mouth_open: float = 0.0
    mouth_width: float = 1.0
    blink: float = 0.0
    head_roll: float = 0.0
    head_shift: tuple[float, float] = (0.0, 0.0)
    head_nod: float = 0.0
    head_yaw: float = 0.0  # radians
    head_pitch: float = 0.0  # radians
    tongue: float = 0.0
    brow_lift: float = 0.0  # 0..1: brows raised with emphasis (1 = BROW_LIFT_SHARE)
    gaze: tuple[float, float] = (0.0, 0.0)  # (sideways, down) in half-widths of the eye


class FaceAnimator:
    def __init__(self, image: np.ndarray, landmarks: np.ndarray) -> None:
        if image.shape[0] != image.shape[1]:
            raise ValueError("the animator works on a square crop")
        self.image = np.ascontiguousarray(image)
        self.size = size = image.shape[0]
        self.geometry = g = (FaceGeometry.from_landmarks(landmarks).with_upper_lip_edge(image)
                                  .with_lit_lips(image).with_neck_room(image))
        self.max_opening_px = MAX_OPENING_SHARE * g.face_height
        smile = np.clip(g.rest_gap / (WIDE_SMILE_SHARE * g.face_height), 0.0, 1.0)
        self.narrowing_gain = float(
            NARROWING_GAIN_CLOSED + (NARROWING_GAIN_WIDE_SMILE - NARROWING_GAIN_CLOSED) * smile
        )

        ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
        self._grid_x, self._grid_y = xs, ys
        self.hull = head_hull(g)
        self.face_fit = fit_face(landmarks)
        self.mesh = face_mesh(g, self.face_fit)
        self._head_box, self._mask, mask_x, mask_y, turns = self._head_mask(xs, ys)
        # Every per-frame head displacement is a weighted sum of these fields (see _head_maps):
        # one (2 x 8) @ (8 x pixels) product a frame, not a dozen whole-box array passes.
        self._head_fields = np.stack(
            [mask_x, mask_y, self._mask, *turns, self._brow_field(xs, ys)]
        ).reshape(8, -1)
        self._pivot = np.array(g.to_image(np.array(0.0), np.array(g.chin_v + 0.35 * g.face_height)),
                               dtype=np.float64)

        # Room for the head's motion around each region (a few percent of the frame).
        margin = self._motion_margin = int(np.ceil(0.04 * size)) + 2
        uc = g.mouth_centre_u
        self._mouth_box = g.image_box(
            uc - 0.65 * g.face_width, uc + 0.65 * g.face_width,
            g.nose_v - 0.1 * g.face_height, g.chin_v + 0.35 * g.face_height, size, margin,
        )
        self._eye_boxes = [
            g.image_box(
                eye.centre_u - 1.6 * eye.half_width, eye.centre_u + 1.6 * eye.half_width,
                float(eye.brow(eye.centre_u)) - 0.03 * g.face_height,
                float(eye.lower(eye.centre_u)) + 0.05 * g.face_height, size, margin,
            )
            for eye in g.eyes
        ]
        light = self._skin_light()
        lip_rgb = self._lip_colour()
        shows_teeth = g.rest_gap > TEETH_VISIBLE_SHARE * g.face_height
        # The photo's own teeth rows, where it shows teeth (None: teeth are drawn).
        self._teeth = find_photo_teeth(self.image, g, lip_rgb) if shows_teeth else None
        self.look = MouthLook(
            light=light,
            teeth_height_px=DRAWN_TEETH_SHARE * g.face_height,
            photo_shows_teeth=shows_teeth,
            lip_rgb=lip_rgb,
            teeth_rgb=self._drawn_teeth_colour(light),
            cavity_rgb=self._photo_cavity_rgb(),
        )
        self._teeth_source = (self._teeth.toothness_image(self.image)
                              if self._teeth is not None else None)
        self._hidden_source = (
            _hidden_teeth_source(self._teeth_source, g.face_height, g.image_box(
                uc - g.mouth_half_width, uc + g.mouth_half_width, float(g.upper_outer(uc)),
                float(g.lower_outer(uc)), size, 0))
            if self._teeth_source is not None else None)
        self._hidden_columns = (_hidden_teeth_columns(self._teeth, g.face_height)
                                if self._teeth is not None else None)
        # 0 over pieces of the photo's upper row too narrow to be a tooth (_upper_row_pieces);
        # None where there are none (nothing to read per frame).
        kept = (_upper_row_pieces(self._teeth, g.mouth_half_width)
                if self._teeth is not None else None)
        self._upper_row_kept = kept if kept is not None and (kept < 1.0).any() else None
        # How far their band reaches either side of the mouth's middle (px).
        self._hidden_ends = (_hidden_teeth_ends(self._teeth.us, self._hidden_columns, uc)
                             if self._hidden_columns is not None else (1.0, 1.0))
        x0, y0, x1, y1 = self._mouth_box
        # Beyond the head's hull the cut keeps the identity, so of the mouth's box only the
        # hull's box and the eyes' (whose fields read the maps again) need the mouth's field:
        # about 60 % of it on the shared photos (see _field_box).
        boxes = np.array([self._head_box, *self._eye_boxes])
        self._read_box = (int(boxes[:, 0].min()), int(boxes[:, 1].min()),
                          int(boxes[:, 2].max()), int(boxes[:, 3].max()))
        # Where each pixel of the mouth region falls on the coarse grid (corner-aligned).
        self._coarse_lookup_x = (xs[y0:y1, x0:x1] - x0) / COARSE_STEP
        self._coarse_lookup_y = (ys[y0:y1, x0:x1] - y0) / COARSE_STEP
        self._lid_colours = self._lid_skin_colours()
        self._luma = cv2.cvtColor(self.image, cv2.COLOR_RGB2GRAY).astype(np.float32)
        self._skin_grain = self._luma - cv2.GaussianBlur(self._luma, (0, 0), LID_GRAIN_SIGMA)
        self._fine_grain = self._luma - cv2.GaussianBlur(self._luma, (0, 0), LID_FINE_SIGMA)
        self._lid_grain_levels = [self._lid_grain_level(eye) for eye in g.eyes]
        self._mouth_grain, self._grain_cheeks = self._mouth_grain_source()
        self._lash_lines = self._photo_lash_lines()
        # The cut covers every region a field may touch (head, mouth, eyes).
        boxes = np.array([self._head_box, self._mouth_box, *self._eye_boxes])
        self._cut_box = cx0, cy0, cx1, cy1 = (int(boxes[:, 0].min()), int(boxes[:, 1].min()),
                                              int(boxes[:, 2].max()), int(boxes[:, 3].max()))
        inside = np.zeros((self.size, self.size), dtype=np.uint8)
        cv2.fillPoly(inside, [np.round(self.hull).astype(np.int32)], 1)
        distance = cv2.distanceTransform(inside, cv2.DIST_L2, 5)[cy0:cy1, cx0:cx1]
        fade = np.clip(distance / max(HULL_FEATHER_SHARE * g.face_width, 2.0), 0.0, 1.0)
        self._cut = (fade * fade * (3.0 - 2.0 * fade)).astype(np.float32)
        self._moving_bands = _moving_bands(self._cut, (cx0, cy0))
        self._rim_sigma = RIM_BLUR_SHARE * g.face_height
        self._scratch = threading.local()

    def render(self, pose: FramePose) -> np.ndarray:
        map_x, map_y = self._head_maps(pose)
        mouth_overlays, soft_rim = self._mouth(pose, map_x, map_y)
        overlays = self._eyes(pose, map_x, map_y)
        self._cut_at_hull(map_x, map_y)
        # Outside the hull every map is the identity: only the bands over it are resampled.
        frame = self.image.copy()
        for x0, y0, x1, y1 in self._moving_bands:
            frame[y0:y1, x0:x1] = cv2.remap(self.image, map_x[y0:y1, x0:x1], map_y[y0:y1, x0:x1],
                                            cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        overlays += mouth_overlays
        for (x0, y0, x1, y1), colour, alpha in overlays:
            region = frame[y0:y1, x0:x1].astype(np.float32)
            blended = region + (colour - region) * alpha[..., None]
            frame[y0:y1, x0:x1] = np.clip(blended + 0.5, 0, 255).astype(np.uint8)
        if soft_rim is not None:
            self._soften_rim(frame, *soft_rim)
        return frame

    def _soften_rim(self, frame: np.ndarray, box: tuple[int, int, int, int],
                    in_mouth: np.ndarray, weight: np.ndarray, wet: float = 1.0) -> None:
        """Blur the finished ``frame`` across the lips' edge along the opening, in place, by
        ``weight`` over ``box`` (_soft_rim's)."""
        x0, y0, x1, y1 = box
        region = frame[y0:y1, x0:x1].astype(np.float32)
        # Into the mouth the lip is blurred in as its wet inner side (INNER_LIP_TINT), but for
        # the ``wet`` share the painted inside already shows: rounded, the tinted lip blurred
        # over the painted rolled-in lips stood as a 1 px pink ring, stair-stepped along the
        # pixels taken as inside (astronaut.png).
        tint = (INNER_LIP_TINT if wet >= 1.0
                else (1.0 + (INNER_LIP_TINT - 1.0) * wet).astype(np.float32))
        in_mouth = in_mouth[..., None] > 0
        into_mouth = cv2.GaussianBlur(
            np.where(in_mouth, region, region * tint), (0, 0), self._rim_sigma,
            borderType=cv2.BORDER_REPLICATE)
        over_lip = cv2.GaussianBlur(region, (0, 0), self._rim_sigma,
                                    borderType=cv2.BORDER_REPLICATE)
        blurred = np.where(in_mouth, into_mouth, over_lip)
        softened = region + (blurred - region) * weight[..., None]
        frame[y0:y1, x0:x1] = np.clip(softened + 0.5, 0, 255).astype(np.uint8)

    def _scratch_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """This thread's map buffers (frames may be rendered on several threads at once), the
        cut box reset to the identity; nothing outside it is ever written."""
        maps = getattr(self._scratch, "maps", None)
        if maps is None:
            maps = self._scratch.maps = (self._grid_x.copy(), self._grid_y.copy())
        x0, y0, x1, y1 = self._cut_box
        np.copyto(maps[0][y0:y1, x0:x1], self._grid_x[y0:y1, x0:x1])
        np.copyto(maps[1][y0:y1, x0:x1], self._grid_y[y0:y1, x0:x1])
        return maps

    # -- head ---------------------------------------------------------------------------

    def _head_mask(self, xs: np.ndarray, ys: np.ndarray):
        """Masks over the head hull's box: the head's motion weight (1 deep inside the face,
        fading to 0 at its outline) and that weight times the fitted face's turning shifts
        (px per radian: yaw's x and y, pitch's x and y)."""
        g = self.geometry
        inside = np.zeros((self.size, self.size), dtype=np.uint8)
        cv2.fillPoly(inside, [np.round(self.hull).astype(np.int32)], 1)
        distance = cv2.distanceTransform(inside, cv2.DIST_L2, 5)
        box = mask_box(inside > 0)
        if box is None:
            empty = np.zeros((0, 0), dtype=np.float32)
            return (0, 0, 0, 0), empty, empty, empty, np.zeros((4, 0, 0), dtype=np.float32)
        x0, y0, x1, y1 = box
        distance = distance[y0:y1, x0:x1]
        fade = np.clip(distance / (HEAD_FADE_SHARE * g.face_width), 0.0, 1.0)
        mask = (fade * fade * (3.0 - 2.0 * fade)).astype(np.float32)
        bx, by = xs[y0:y1, x0:x1], ys[y0:y1, x0:x1]
        turns = self.mesh.fields(bx, by) * mask
        return (x0, y0, x1, y1), mask, mask * bx, mask * by, turns

    def _brow_field(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Over the head box: how far (px, per unit of lift) each pixel moves up when the
        brows rise. The brows and the forehead above them move fully, fading out over the
        forehead; below the brows the lid skin stretches, and the eyes stay where they are."""
        g = self.geometry
        x0, y0, x1, y1 = self._head_box
        if x1 <= x0 or y1 <= y0:
            return np.zeros((0, 0), dtype=np.float32)
        u, v = g.to_aligned(xs[y0:y1, x0:x1], ys[y0:y1, x0:x1])
        weight = np.zeros(u.shape, dtype=np.float64)
        for eye in g.eyes:
            brow_v = eye.brow(u)
            lid_v = eye.upper(np.clip(u, eye.upper.start, eye.upper.end))
            across = np.clip(1.0 - ((u - eye.centre_u) / (2.2 * eye.half_width)) ** 2, 0.0, 1.0)
            above = np.exp(-np.clip(brow_v - v, 0.0, None) / (0.25 * g.face_height))
            below = np.clip((lid_v - v) / np.maximum(lid_v - brow_v, 1.0), 0.0, 1.0)
            weight = np.maximum(weight, across * np.where(v < brow_v, above, below))
        lift_px = BROW_LIFT_SHARE * g.face_height
        return (lift_px * weight * self._mask).astype(np.float32)

    def _head_maps(self, pose: FramePose) -> tuple[np.ndarray, np.ndarray]:
        """Backward maps for the head's motion alone: the inverse affine, weighted by the
        head mask (M * (B x - x) is linear in x, so it is a weighted sum of fixed fields)."""
        map_x, map_y = self._scratch_maps()
        backward = cv2.invertAffineTransform(self._head_affine(pose))
        x0, y0, x1, y1 = self._head_box
        if x1 > x0 and y1 > y0:
            (a, b, c), (d, e, f) = backward
            # Yaw and pitch rotate the fitted 3-D face about its own axes (to first order:
            # each point moves by its shift per radian, piecewise affine over the mesh);
            # backward, so the photo is read from the other way. A raised brow shows what
            # lies below it in the photo.
            yaw, pitch = float(np.sin(pose.head_yaw)), float(np.sin(pose.head_pitch))
            lift_x, lift_y = (self.geometry.rotate_to_image(0.0, pose.brow_lift)
                              if pose.brow_lift > 0.01 else (0.0, 0.0))
            # Fields: mask x, mask y, mask, yaw x, yaw y, pitch x, pitch y, brow.
            weights = np.array([
                [a - 1.0, b, c, -yaw, 0.0, -pitch, 0.0, lift_x],
                [d, e - 1.0, f, 0.0, -yaw, 0.0, -pitch, lift_y],
            ], dtype=np.float32)  # fmt: skip
            shifts = (weights @ self._head_fields).reshape(2, y1 - y0, x1 - x0)
            map_x[y0:y1, x0:x1] += shifts[0]
            map_y[y0:y1, x0:x1] += shifts[1]
        return map_x, map_y

    def _cut_at_hull(self, map_x: np.ndarray, map_y: np.ndarray) -> None:
        """Nothing outside the head's hull moves: every displacement is faded to zero at its
        edge (the mouth's and lids' fields included). Beyond the bands over the hull the cut is
        0 and the maps are left as they are: render() never reads them there."""
        cx0, cy0 = self._cut_box[:2]
        for x0, y0, x1, y1 in self._moving_bands:
            cut = self._cut[y0 - cy0 : y1 - cy0, x0 - cx0 : x1 - cx0]
            for maps, grid in ((map_x, self._grid_x), (map_y, self._grid_y)):
                region, identity = maps[y0:y1, x0:x1], grid[y0:y1, x0:x1]
                region -= identity
                region *= cut
                region += identity

    def _head_affine(self, pose: FramePose) -> np.ndarray:
        """Forward 2x3 affine of the head: roll about the neck, a nod (the face shortening
        towards the neck as it tips forward), and a small shift."""
        g = self.geometry
        cos_a, sin_a = np.cos(g.angle), np.sin(g.angle)
        to_image = np.array([[cos_a, -sin_a], [sin_a, cos_a]])
        brow_v = float(g.points[17:27, 1].min())
        pivot_v = g.chin_v + 0.35 * g.face_height
        squash = 1.0 - pose.head_nod * g.face_height / max(pivot_v - brow_v, 1.0)
        nod = to_image @ np.diag([1.0, squash]) @ to_image.T
        cos_r, sin_r = np.cos(pose.head_roll), np.sin(pose.head_roll)
        roll = np.array([[cos_r, -sin_r], [sin_r, cos_r]])
        linear = roll @ nod
        shift = np.array([pose.head_shift[0] * g.face_width, pose.head_shift[1] * g.face_width])
        offset = self._pivot - linear @ self._pivot + shift
        return np.hstack([linear, offset[:, None]]).astype(np.float64)

    # -- mouth and eyes -----------------------------------------------------------------

    def _mouth(self, pose: FramePose, map_x: np.ndarray, map_y: np.ndarray):
        """Add the mouth's field to the maps; returns the overlays to paint (the shut lips'
        meeting line, the open mouth's interior) and where to soften the lips' edge along the
        opening in the finished frame (_soft_rim; None when shut).

        Away from the lips the field is smooth (jaw, cheeks, chin), so it is computed on a
        grid every COARSE_STEP pixels and interpolated; only the box around the lips, where
        the opening's edges are, is computed at every pixel.
        """
        g = self.geometry
        opening_px = pose.mouth_open * self.max_opening_px
        x0, y0, x1, y1 = self._mouth_box
        if x1 <= x0 or y1 <= y0:
            return [], None
        # Found while the maps still hold the head's motion alone.
        lx0, ly0, lx1, ly1 = self._lips_box(opening_px, map_x, map_y)
        fx0, fy0, fx1, fy1 = self._field_box((lx0, ly0, lx1, ly1))
        if fx1 <= fx0 or fy1 <= fy0:
            return [], None
        # The coarse grid's points around that box, at their places in the whole box's grid.
        step = COARSE_STEP
        points_x, points_y = -(-(x1 - x0) // step), -(-(y1 - y0) // step)
        gx0, gy0 = (fx0 - x0) // step, (fy0 - y0) // step
        gx1 = min((fx1 - 1 - x0) // step + 2, points_x)
        gy1 = min((fy1 - 1 - y0) // step + 2, points_y)
        hx = map_x[y0 + gy0 * step : y0 + (gy1 - 1) * step + 1 : step,
                   x0 + gx0 * step : x0 + (gx1 - 1) * step + 1 : step]
        hy = map_y[y0 + gy0 * step : y0 + (gy1 - 1) * step + 1 : step,
                   x0 + gx0 * step : x0 + (gx1 - 1) * step + 1 : step]
        u, v = g.to_aligned(hx, hy)
        width = pose.mouth_width
        if width < 1.0:
            width = 1.0 - (1.0 - width) * self.narrowing_gain
        # The lips reach over the teeth as far as the plan rounds them, whatever this photo's
        # gain: a wide smile narrows less, but its lips still cover its teeth on an oo.
        cover = teeth_cover(pose.mouth_width)
        dx, dy = g.rotate_to_image(*mouth_displacement(g, u, v, opening_px=opening_px,
                                                       width=width))
        coarse_d = np.zeros((points_y, points_x, 2), dtype=np.float32)
        coarse_d[gy0:gy1, gx0:gx1] = np.dstack([dx, dy])
        in_box = np.s_[fy0 - y0 : fy1 - y0, fx0 - x0 : fx1 - x0]
        fine_d = cv2.remap(coarse_d, self._coarse_lookup_x[in_box], self._coarse_lookup_y[in_box],
                           cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        map_x[fy0:fy1, fx0:fx1] += fine_d[..., 0]
        map_y[fy0:fy1, fx0:fx1] += fine_d[..., 1]

        if lx1 <= lx0 or ly1 <= ly0:
            return [], None
        # Redo the lips' box exactly, from the head-only positions (before the coarse field).
        hx = map_x[ly0:ly1, lx0:lx1] - fine_d[ly0 - fy0 : ly1 - fy0, lx0 - fx0 : lx1 - fx0, 0]
        hy = map_y[ly0:ly1, lx0:lx1] - fine_d[ly0 - fy0 : ly1 - fy0, lx0 - fx0 : lx1 - fx0, 1]
        u, v = g.to_aligned(hx, hy)
        field = mouth_field(g, u, v, opening_px=opening_px, width=width, cover=cover)
        field = self._lips_read_to_rims(field, u, v)
        field = self._dark_corner_rims_read_lips(field, u, v)
        dx, dy = g.rotate_to_image(field.du, field.dv)
        map_x[ly0:ly1, lx0:lx1] = hx + dx
        map_y[ly0:ly1, lx0:lx1] = hy + dy
        overlays = self._closed_lip_line(g, field, hx, hy, v, (lx0, ly0))
        overlays += self._lip_light(width, hx, hy, u, v, field, (lx0, ly0))
        opening = field.opening_box()
        if opening is None:
            return overlays, None
        lips_box_field = field
        # The opening covers under a tenth of the lips' box: paint only its own box (every
        # step of the painting is per pixel, so the result is the same).
        ox0, oy0, ox1, oy1 = opening
        field = field.cropped(opening)
        hx, hy = hx[oy0:oy1, ox0:ox1], hy[oy0:oy1, ox0:ox1]
        u, v = u[oy0:oy1, ox0:ox1], v[oy0:oy1, ox0:ox1]
        rows = None
        if self._teeth is not None:
            rows = self._photo_teeth(field, u, v, hx, hy, opening_px)
        # How far rounded lips reach over the teeth, here: they roll in at the rims.
        lips_in = field.teeth_cover if rows is not None else field.drawn_teeth_cover
        rims = None
        if (lips_in > 0.0).any():
            rims = self._lips_at_rims(g, field, u, v, hx, hy, opening_px, width, cover)
        drawn = drawn_teeth(self.look, field) if rows is None else None
        colour = paint_interior(self.look, field, rows, tongue=pose.tongue, rims=rims,
                                drawn=drawn)
        box = (lx0 + ox0, ly0 + oy0, lx0 + ox1, ly0 + oy1)
        coverage = field.coverage
        # How much of each pixel's colour is painted, not read from the photo (its teeth rows
        # and the strips of lip in front of them carry the photo's own grain).
        painted = (1.0 if rows is None else
                   (1.0 - rows.lower_alpha) * (1.0 - rows.upper_alpha)
                   * (1.0 - rows.upper_lip_alpha) * (1.0 - rows.lower_lip_alpha))
        if rims is not None:
            # A pixel the rim crosses showed the map's read of the photo's gap (its teeth,
            # moved with the lip) for the share outside the opening: along a rounded hole's
            # lower rim, a pale grey line in pixel steps. That share is the lip beyond the
            # rim, whose edge rolls in.
            nearer = np.where((field.from_top < 0.5 * field.gap)[..., None], rims.upper,
                              rims.lower)
            lip_share = (1.0 - coverage) * lips_in
            whole = coverage + lip_share
            colour = ((colour * coverage[..., None] + nearer * lip_share[..., None])
                      / np.maximum(whole, 1e-6)[..., None])
            painted = painted * coverage / np.maximum(whole, 1e-6)
            coverage = whole
        colour = self._with_mouth_grain(colour, painted, field, u)
        if rows is not None:
            colour, coverage = self._strips_at_rims(g, field, hx, hy, v, colour, coverage, rows,
                                                    self._strip_ramp(opening_px))
        # What shows of the mouth's inside (teeth, tongue, dark) and of its teeth, per pixel:
        # a smiling photo's lips are painted on into the opening as strips, and the lip's edge
        # the eye sees is theirs.
        if rows is None:
            inside = coverage
            shown_teeth = np.maximum(drawn.upper_alpha, drawn.lower_alpha) * coverage
        else:
            # (The lower strip lies over the upper one: where they meet, both show in part.)
            inside = coverage * (1.0 - rows.upper_lip_alpha) * (1.0 - rows.lower_lip_alpha)
            # The rows show only where what they read looks like tooth: rounded lips slide
            # them past their tips, and their alphas stay whole.
            shown_teeth = (self._teeth.toothness(colour)
                           * np.maximum(rows.upper_alpha, rows.lower_alpha) * inside)
        # Where the opening is painted over less than whole (a thin opening's tapered ends),
        # what its pixels show for the rest is the map's read between the rims: the photo's
        # own gap, its dark (or its teeth), up against the lower lip read from further down
        # in a hard step (obama2.jpg's right corner, 0.05-0.15 open). It is the mouth's inside
        # as much as the painted dark is. Nearly shut only: wide open, the tips of the
        # opening's ends counted so moved the blur's band, and astronaut.png's dark corners
        # took a crisper outline.
        read_in_gap = (self._nearly_shut(opening_px) * (1.0 - coverage)
                       * ((field.from_top > 0.0) & (field.from_top < field.gap)))
        if (read_in_gap > 0.0).any():
            if self._teeth_source is not None:
                read = self._sample(g, hx, hy, field.du, field.dv, self._teeth_source)
                shown_teeth = shown_teeth + read[..., 3] * read_in_gap
        else:
            read_in_gap = None
        soft_rim = self._soft_rim(lips_box_field, opening, inside, shown_teeth, (lx0, ly0),
                                  read_in_gap)
        if soft_rim is not None:
            # Rolled in over the teeth, the lips' wet inner sides are painted (LipsAtRims):
            # the rim blurs the lip in as it is.
            wet = 1.0 - (float(lips_in.max()) if lips_in.size else 0.0)
            soft_rim = (*soft_rim, wet)
        return [*overlays, (box, colour, coverage.astype(np.float32))], soft_rim

    def _opened_past(self, opening_px: float, shares: tuple[float, float]) -> float:
        """0 while the mouth is open under the first of ``shares`` of its widest opening, 1
        from the second, linear between."""
        return float(np.clip((opening_px / self.max_opening_px - shares[0])
                             / (shares[1] - shares[0]), 0.0, 1.0))

    def _nearly_shut(self, opening_px: float) -> float:
        """1 while the mouth is open under the first of STRIP_EDGE_SHUT's shares of its widest
        opening, 0 from the second."""
        return 1.0 - self._opened_past(opening_px, STRIP_EDGE_SHUT)

    def _strip_ramp(self, opening_px: float) -> float:
        """How many px across their edges the lips' strips are mixed over at this opening
        (STRIP_EDGE_RAMP_PX nearly shut, one px open further)."""
        return 1.0 + (STRIP_EDGE_RAMP_PX - 1.0) * self._nearly_shut(opening_px)

    def _strips_at_rims(self, g: FaceGeometry, field: MouthField, hx, hy, v,
                        colour: np.ndarray, coverage: np.ndarray, rows: TeethRows, ramp: float
                        ) -> tuple[np.ndarray, np.ndarray]:
        """The painted opening's ``colour`` and its alpha from ``coverage`` (each pixel's share
        of the opening, its box) where the lips' strips reach its rims: whole where the lower
        strip is, and where one lip's strip fills a thin opening up to the other lip's rim
        (the lips meet there), mixed with that lip across the rim over ``ramp`` px, as the shut
        lips' line is (_closed_lip_line). The lip beyond the rim is read mirrored into the
        opening about it (the upper lip about its end)."""
        lower = rows.lower_lip_alpha
        # Along the lower rim the map reads the photo's gap (its teeth) on the inner side of
        # each pixel and the lip on the outer: blended by the pixel's share, the rim was a
        # dotted pale line on the lip. Where the lower lip's strip is whole, it is the whole
        # pixel.
        whole = np.where(coverage > 0.0, np.maximum(coverage, lower), 0.0)
        # Cut by the pixel's share, a rim that a strip reaches was a hard edge in one-pixel
        # steps down the lips' sides (obama2.jpg nearly shut: the lower lip's strip up against
        # the upper lip, the upper lip's deep strip down against the lower one).
        from_top = np.maximum(field.from_top, 0.0)
        from_bottom = np.maximum(field.gap - field.from_top, 0.0)
        # (Not where rounded lips reach over the teeth: the lips are read beside their rims
        # there (_lips_read_to_rims, _lips_at_rims), and each side's source past its teeth.)
        unrounded = field.teeth_cover <= 0.0
        rims = (
            (field.from_top, lower * unrounded,
             field.upper_source_v - field.upper_lip_reach - 2.0 * from_top),
            (field.gap - field.from_top, rows.upper_lip_alpha * (1.0 - lower) * unrounded,
             field.lower_source_v + 2.0 * from_bottom),
        )
        for distance, meeting, beyond_v in rims:
            across = distance_across(distance)
            near = (np.abs(across) < 0.5 * ramp) & (meeting > 0.0)
            if not near.any():
                continue
            share_in = _share_past(across, ramp)
            inside = near & (across >= 0.0)
            beyond = self._sample(g, hx, hy, field.du, beyond_v - v).astype(np.float32)
            mix = np.where(inside, (1.0 - share_in) * meeting, 0.0)
            colour = colour + (beyond - colour) * mix[..., None]
            whole = np.where(near & ~inside, whole + (share_in - whole) * meeting, whole)
        return colour, whole

    def _soft_rim(self, field: MouthField, opening: tuple[int, int, int, int],
                  inside: np.ndarray, teeth: np.ndarray, origin: tuple[int, int],
                  read_in_gap: np.ndarray | None = None):
        """(frame box, the mouth's painted inside there, weight): where and how much the
        finished frame is blurred across the lips' edge along the opening (RIM_*;
        _soften_rim). ``field``: over the lips' box; ``inside`` and ``teeth``: the share of
        each pixel of the ``opening`` box that shows the mouth's painted inside, and its teeth;
        ``read_in_gap``: the share that shows the photo's own gap, read by the map between the
        rims (its edge is blurred too, but the lip is not blurred into it as its wet inner
        side: a pixel or two of it alone took the lip's tint around it, red specks along the
        rim)."""
        sigma = self._rim_sigma
        band = RIM_BAND[1] * sigma
        grow = int(np.ceil(band + 3.0 * sigma)) + 1
        ox0, oy0, ox1, oy1 = opening
        height, width = field.coverage.shape
        x0, y0 = max(ox0 - grow, 0), max(oy0 - grow, 0)
        x1, y1 = min(ox1 + grow, width), min(oy1 + grow, height)
        opened = np.zeros((y1 - y0, x1 - x0), dtype=np.uint8)
        opened[oy0 - y0 : oy1 - y0, ox0 - x0 : ox1 - x0] = inside >= 0.5
        painted_inside = opened
        if read_in_gap is not None:
            painted_inside = opened.copy()
            opened[oy0 - y0 : oy1 - y0, ox0 - x0 : ox1 - x0] = inside + read_in_gap >= 0.5
        in_teeth = np.zeros(opened.shape, dtype=np.float32)
        in_teeth[oy0 - y0 : oy1 - y0, ox0 - x0 : ox1 - x0] = teeth
        # Distance from the edge, either side of it (each transform is 0 on the other side; a
        # pixel's centre lies half a px past the edge).
        from_edge = (cv2.distanceTransform(opened, cv2.DIST_L2, 5)
                     + cv2.distanceTransform(1 - opened, cv2.DIST_L2, 5) - 0.5)
        # A box with no edge at all reads as "infinitely" far (FLT_MAX), which overflowed the
        # division below; anything past the band weighs 0 either way.
        np.minimum(from_edge, band + 1.0, out=from_edge)
        weight = np.clip((band - from_edge) / ((RIM_BAND[1] - RIM_BAND[0]) * sigma), 0.0, 1.0)
        # The blur brings into each pixel (times its weight) the teeth blurred there: the
        # weight falls to nothing as that reaches RIM_TEETH_LEAK.
        leak = cv2.GaussianBlur(in_teeth, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
        weight *= np.clip(1.0 - leak / RIM_TEETH_LEAK, 0.0, 1.0)
        if not (weight > 0.0).any():
            return None
        return ((origin[0] + x0, origin[1] + y0, origin[0] + x1, origin[1] + y1),
                painted_inside, weight.astype(np.float32))

    def _lips_read_to_rims(self, field: MouthField, u, v) -> MouthField:
        """Beside a hole the rounded lips have reached over the teeth (teeth_cover), each lip
        is read from its own edge in the photo on (_lip_read), as far as they have reached.
        The map reads the photo's inner lip lines next to the rims, and there lie the teeth's
        ends or the shadowed band over the lower lip: once the lips covered the teeth, the
        hole's rims had a pale, broken line along them (the lower one on obama2.jpg, the upper
        one on the smiles), a pixel or two into the lips."""
        reach = float(field.teeth_cover.max()) if field.teeth_cover.size else 0.0
        if self._teeth is None or reach <= 0.0:
            return field
        over_hole = field.gap > 0.0
        above, below = over_hole & (field.from_top < 0.0), over_hole & (field.from_top > field.gap)
        if not (above.any() or below.any()):
            return field
        read_v = v + field.dv
        upper, lower = (self._lip_read(u + field.du, read_v, side) for side in ("upper", "lower"))
        lip_v = np.where(above, upper, np.where(below, lower, read_v))
        return dataclasses.replace(field, dv=(field.dv + reach * (lip_v - read_v))
                                   .astype(field.dv.dtype))

    def _dark_corner_rims_read_lips(self, field: MouthField, u, v) -> MouthField:
        """Where the photo's upper lip ends above dlib's line (its dark corner: the field's
        upper_lip_raise), the opening's rim pixels read the lips as the lips' strips read
        them (_photo_teeth): the upper lip mirrored past its end, the lower one's lit top.
        A rim pixel with its centre in the opening is painted only for its share inside
        the rim; the rest showed the map's read of the photo's gap, which there is black:
        part closed, obama2.jpg's right corner had a near-black, stair-stepped line along
        the lower lip's top, from the teeth's end to the corner."""
        raised = field.upper_lip_raise
        if self._teeth is None or not np.ndim(raised):
            return field
        # (Rounded lips over the teeth have their own: _lips_read_to_rims, LipsAtRims.)
        rim = ((raised > 0.0) & (field.coverage > 0.0) & (field.coverage < 1.0)
               & (field.from_top > 0.0) & (field.from_top < field.gap)
               & (field.teeth_cover <= 0.0))
        if not rim.any():
            return field
        source_u = (u + field.du)[rim]
        upper_v = field.upper_source_v[rim]
        lip_end = self.geometry.upper_inner(source_u) - raised[rim]
        upper_v = upper_v - 2.0 * np.maximum(upper_v - lip_end, 0.0) * np.clip(raised[rim],
                                                                                0.0, 1.0)
        lower_v = field.lower_source_v[rim]
        lip_edge = self._teeth.at(source_u[None])[4][0]
        lower_v = np.where(lower_v < lip_edge, 2.0 * lip_edge - lower_v, lower_v)
        nearer_upper = field.from_top[rim] < 0.5 * field.gap[rim]
        dv = field.dv.copy()
        dv[rim] = np.where(nearer_upper, upper_v, lower_v) - v[rim]
        return dataclasses.replace(field, dv=dv)

    def _lip_read(self, source_u: np.ndarray, read_v: np.ndarray, side: str) -> np.ndarray:
        """``read_v`` (photo, aligned) kept on the ``side`` lip itself, mirrored about its
        edge as the lips' strips are: the upper lip UPPER_LIP_CROWNS_PX above its inner line
        (PhotoTeeth.lip_top; the teeth's measured top, a median, has crowns reaching up past
        it), the lower one LIT_LIP_MARGIN_PX below its lit top (lip_edge)."""
        if side == "upper":
            edge = (np.interp(source_u, self._teeth.us, self._teeth.lip_top)
                    - UPPER_LIP_CROWNS_PX)
            return np.where(read_v > edge, 2.0 * edge - read_v, read_v)
        edge = self._teeth.at(source_u)[4] + LIT_LIP_MARGIN_PX
        return np.where(read_v < edge, 2.0 * edge - read_v, read_v)

    def _lips_at_rims(self, g: FaceGeometry, field: MouthField, u, v, hx, hy,
                      opening_px: float, width: float, cover: float) -> LipsAtRims:
        """The lips as this frame shows them beyond the opening's rims, mirrored into it
        (LipsAtRims): the mouth's field read again at each pixel's mirror image about the
        upper and the lower rim, straight up and down the mouth, on the lips themselves
        (_lip_read, as _lips_read_to_rims reads them beside the rims)."""
        from_top = np.maximum(field.from_top, 0.0)
        from_bottom = np.maximum(field.gap - field.from_top, 0.0)
        upper_reach, lower_reach = lips_rolled_in_reach(field.gap)
        # (And on the rims' own pixels, which show the lip for their share outside.)
        rim = (field.coverage > 0.0) & (field.coverage < 1.0)
        upper_rim = rim & (field.from_top < 0.5 * field.gap)
        sides = (("upper", -2.0 * from_top, (from_top < upper_reach) | upper_rim),
                 ("lower", 2.0 * from_bottom, (from_bottom < lower_reach) | (rim & ~upper_rim)))
        mirrored = [np.zeros((*field.gap.shape, 3), dtype=np.float32) for _ in sides]
        # Only as far in as the lips roll (the field is most of a frame's cost), and both
        # sides in one call: each call's fixed cost was about half a rounded frame's extra.
        # As one row of pixels (PhotoTeeth.at reads its lines as an image's row).
        at_u = np.concatenate([u[near] for _, _, near in sides])[None]
        if not at_u.size:
            return LipsAtRims(*mirrored)
        at_v = np.concatenate([v[near] + beyond[near] for _, beyond, near in sides])[None]
        there = mouth_field(g, at_u, at_v, opening_px=opening_px, width=width, cover=cover)
        start = 0
        for (side, _, near), rgb in zip(sides, mirrored, strict=True):
            count = int(near.sum())
            if not count:
                continue
            part = slice(start, start + count)
            start += count
            du, read_v = there.du[:, part], at_v[:, part] + there.dv[:, part]
            if self._teeth is not None:
                read_v = self._lip_read(at_u[:, part] + du, read_v, side)
            rgb[near] = self._sample(g, hx[near][None], hy[near][None], du,
                                     read_v - v[near][None])[0]
        return LipsAtRims(*mirrored)

    def _closed_lip_line(self, g: FaceGeometry, field: MouthField, hx, hy, v,
                         origin: tuple[int, int]) -> list:
        """Where the lips meet (a shut mouth), the map reads the upper lip above the line and
        the lower lip, from further down, below it: a hard step that draws the line as a
        staircase of one-pixel steps wherever it slopes. The pixels near the line get both
        lips, mixed across it over CLOSED_LINE_RAMP_PX."""
        # Only where the two sides are read from apart (a photo's open mouth shut): lips that
        # meet in the photo already show their own soft line there.
        near = ((np.abs(field.from_top) < CLOSED_LINE_SEARCH_PX) & (field.gap < 0.5)
                & (np.abs(field.column) < 1.0)
                & (field.lower_source_v - field.upper_source_v > 1.0))
        box = mask_box(near)
        if box is None:
            return []
        x0, y0, x1, y1 = box
        part = field.cropped(box)
        # The share of each pixel on either side is taken across the line, not straight down
        # the mouth, and over CLOSED_LINE_RAMP_PX: down a rounded lower lip's flanks the line
        # falls 1-2 px a column, and one pixel of mixing per column left a stair of hard
        # steps, the pale lower lip cut out against the corner's dark (obama2.jpg shut and
        # rounded).
        across = distance_across(part.from_top)
        line = near[y0:y1, x0:x1] & (np.abs(across) < 0.5 * CLOSED_LINE_RAMP_PX)
        hx, hy, v = hx[y0:y1, x0:x1], hy[y0:y1, x0:x1], v[y0:y1, x0:x1]
        # The upper lip as the map reads it just above the line: down to its end, which
        # lies above upper_source_v where the lip is stretched over the photo's dark.
        above = self._sample(g, hx, hy, part.du, part.upper_source_v - part.upper_lip_reach - v
                             ).astype(np.float32)
        below = self._sample(g, hx, hy, part.du, part.lower_source_v - v).astype(np.float32)
        below_share = _share_past(across, CLOSED_LINE_RAMP_PX)[..., None]
        colour = above + (below - above) * below_share
        image_box = (origin[0] + x0, origin[1] + y0, origin[0] + x1, origin[1] + y1)
        return [(image_box, colour, line.astype(np.float32))]

    def _lip_light(self, width: float, hx: np.ndarray, hy: np.ndarray, u: np.ndarray,
                   v: np.ndarray, field: MouthField, origin: tuple[int, int]) -> list:
        """Overlays that relight a puckered lower lip (the field moves the lips; without this
        the pushed-out lip kept the photo's flat light): a soft highlight across the middle of
        the lip's red and a soft shadow on the skin just under it, growing with the pucker.
        The lip is found through the map (a pixel is on it when it reads the photo between
        the lower lip's inner and outer lines), and both are multiples of the photo's own
        colours there: the highlight is the lip's own pixel made brighter (a blend towards
        one lighter colour flattened its texture and turned its sheen into whitish spots), the
        shadow a blend towards black, a darker shade of the skin it falls on."""
        puckered = pucker(width)
        if puckered < LIP_LIGHT_FROM:
            return []
        g = self.geometry
        uc, half = g.mouth_centre_u, g.mouth_half_width
        thickness = max(float(g.lower_outer(uc) - g.lower_inner(uc)), 2.0)
        source_u, source_v = u + field.du, v + field.dv
        # Only the box of what reads the lower lip's middle and the skin under it is lit.
        lower_lip = g.points[[*INNER_LOWER_LIP, *OUTER_LOWER_LIP], 1]
        found = mask_box((np.abs(source_u - uc) < LIP_LIGHT_ACROSS * half)
                         & (source_v > lower_lip.min() - 1.0)
                         & (source_v < lower_lip.max() + 2.5 * thickness))
        if found is None:
            return []
        bx0, by0, bx1, by1 = found
        hx, hy = hx[by0:by1, bx0:bx1], hy[by0:by1, bx0:bx1]
        field = field.cropped(found)
        source_u, source_v = source_u[by0:by1, bx0:bx1], source_v[by0:by1, bx0:bx1]
        origin = (origin[0] + bx0, origin[1] + by0)
        inner, outer = g.lower_inner(source_u), g.lower_outer(source_u)
        # 0 at the lip's inner line, 1 at its outer line, beyond 1 on the skin below.
        through = (source_v - inner) / np.maximum(outer - inner, 0.25 * thickness)
        across = (source_u - uc) / half
        middle = np.clip(1.0 - (across / LIP_LIGHT_ACROSS) ** 2, 0.0, 1.0) ** 1.5
        highlight = (np.exp(-(((through - 0.35) / 0.2) ** 2)) * middle
                     * (1.0 - field.coverage))
        # Under the lip: from its edge, darkest just below it, fading over about its
        # thickness of the photo's skin (squeezed under the protruded lip, so narrower on the
        # frame; over less it read as a drawn line).
        below = (source_v - outer) / thickness
        shadow = (_smoothstep((below + 0.2) / 0.4)
                  * np.exp(-((np.maximum(below, 0.1) - 0.1) / 0.8) ** 2) * middle)
        overlays = []
        for weight, alpha in ((shadow, LIP_SHADOW_ALPHA), (highlight, LIP_HIGHLIGHT_ALPHA)):
            box = mask_box(weight > 0.02)
            if box is None:
                continue
            x0, y0, x1, y1 = box
            if weight is highlight:
                dx, dy = g.rotate_to_image(field.du[y0:y1, x0:x1], field.dv[y0:y1, x0:x1])
                lip = cv2.remap(self.image, (hx[y0:y1, x0:x1] + dx).astype(np.float32),
                                (hy[y0:y1, x0:x1] + dy).astype(np.float32), cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
                # Brighter by the same factor in every channel, short of white (a clipped
                # red turned a light lip's highlight grey).
                gain = np.minimum(LIP_HIGHLIGHT_GAIN,
                                  255.0 / np.maximum(lip.max(axis=2, keepdims=True), 1.0))
                colour = lip * gain
            else:
                colour = np.zeros(3, dtype=np.float32)
            image_box = (origin[0] + x0, origin[1] + y0, origin[0] + x1, origin[1] + y1)
            overlays.append((image_box, colour,
                             (alpha * puckered * weight[y0:y1, x0:x1]).astype(np.float32)))
        return overlays

    def _field_box(self, lips_box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        """The part of the mouth's box where this frame's maps are read again (_read_box and
        the lips' box): the mouth's field is found and added there only."""
        boxes = [self._read_box]
        if lips_box[2] > lips_box[0] and lips_box[3] > lips_box[1]:
            boxes.append(lips_box)
        x0, y0, x1, y1 = self._mouth_box
        return (max(min(box[0] for box in boxes), x0), max(min(box[1] for box in boxes), y0),
                min(max(box[2] for box in boxes), x1), min(max(box[3] for box in boxes), y1))

    def _lips_box(self, opening_px: float, head_x: np.ndarray, head_y: np.ndarray
                  ) -> tuple[int, int, int, int]:
        """The frame's box where the mouth's field is computed at every pixel: the lips and
        the opening, where the photo's lips are after the head's motion (``head_x``/``head_y``,
        the head-only backward maps). Following the head, it needs no margin for the motion
        (a fixed box with one was twice as large, and the mouth's field most of a frame's cost).
        """
        g = self.geometry
        uc, half = g.mouth_centre_u, g.mouth_half_width
        lip_top, lip_bottom = float(g.upper_outer(uc)), float(g.lower_outer(uc))
        lip_height = max(lip_bottom - lip_top, 4.0)
        us = np.array([uc - 1.15 * half, uc + 1.15 * half] * 2)
        vs = np.repeat([lip_top - 0.8 * lip_height - 0.2 * opening_px,
                        lip_bottom + 0.6 * lip_height + opening_px], 2)
        photo_x, photo_y = g.to_image(us, vs)
        xs, ys = _forward(head_x, head_y, photo_x, photo_y)
        margin = LIPS_BOX_MARGIN_PX
        x0, y0, x1, y1 = self._mouth_box
        return (max(int(np.floor(xs.min())) - margin, x0), max(int(np.floor(ys.min())) - margin, y0),
                min(int(np.ceil(xs.max())) + margin + 1, x1),
                min(int(np.ceil(ys.max())) + margin + 1, y1))

    def _photo_teeth(self, field: MouthField, u, v, hx, hy, opening_px: float) -> TeethRows:
        """The photo's teeth rows placed for this frame, over the opening's box (``u, v``:
        the head-moved positions, aligned; ``hx, hy``: the same in the image).

        Each row moves as one rigid piece: the upper row with the head and the upper lip's
        rise at the mouth's middle, the lower row with the jaw (the shift that takes the
        photo's lower inner lip at the middle to its new place). Read per column, a row
        moved by the lip's own shift there (less towards the corners) bent into a smile;
        rigid rows keep the teeth's shape and height, and a closing jaw slides the lower
        row up behind the upper one. Past a row's end (the photo's cavity) the row is not
        read. The strips of lip inside the photo's gap move with the lips, per column, as
        the field moves the lips themselves, in front of the teeth; the lower one from a
        smooth line (``PhotoTeeth.strip_top``) down, its shadowed band (above
        ``PhotoTeeth.lip_edge``) filled with the lit lip below it, mirrored."""
        g = self.geometry
        rise = UPPER_LIP_SHARE * opening_px
        jaw = (1.0 - UPPER_LIP_SHARE) * opening_px - g.rest_gap
        (top, upper_edge, lower_edge, bottom, lip_edge, strip_top, longest_tips,
         shortest_tips, lower_reach, upper_strip_bottom, lower_from_end) = self._teeth.at(
            u + field.du)
        # At the middle: the lower row and the lip's strip under it (up from the lip line),
        # and the room between the rows, as this frame places them.
        middle_u = g.mouth_centre_u
        _, upper_middle, lower_middle, *_ = (float(line.flat[0]) for line in
                                             self._teeth.at(np.array([[middle_u]])))
        lip_middle = float(np.interp(middle_u, self._teeth.us, self._teeth.lip_bottom))
        upper_v = v + rise  # where in the photo each row is read
        lower_v = v - jaw
        # The shadow the upper row casts into the mouth stays where the row was (puckered,
        # the lip casts it): moved up with the row, a covered mouth's hole lost its dark top.
        shadow_below_upper = upper_v - (upper_edge + (longest_tips - upper_edge)
                                        * field.teeth_cover)
        # Puckered lips reach over the teeth from the opening's rims: each row slides in
        # under its lip, tips last, and the mouth's dark shows past them (LIPS_OVER_TEETH_*).
        from_bottom = field.gap - field.from_top
        cut_by = _smoothstep(field.teeth_cover / TIPS_CUT_BY)
        upper_cut = shortest_tips + (longest_tips + 4.0 - shortest_tips) * (1.0 - cut_by)
        upper_v = upper_v + _under_lip(field.from_top - (upper_v - upper_cut),
                                       field.teeth_cover)
        lower_v = lower_v - _under_lip(from_bottom + lower_v - lower_edge, field.teeth_cover)
        room = lower_edge - upper_edge
        # Each read gives the colour and, in a fourth channel, how much it looks like tooth.
        source = self._teeth_source
        # Wide open, the row hangs from the lip line as one rigid piece with the strip above
        # it (ROW_TO_LIP_OPEN), over every column where the photo shows either below its lip.
        to_lip = self._opened_past(opening_px, ROW_TO_LIP_OPEN)
        row_top, below_lip = top, None
        if to_lip > 0.0:
            lip_line = np.interp(u + field.du, self._teeth.us, self._teeth.lip_top)
            below_lip = np.clip(upper_edge - lip_line - 1.0, 0.0, 1.0) * to_lip
            row_top = top - (top - lip_line) * below_lip
        upper = self._sample(g, hx, hy, field.du, np.maximum(upper_v, row_top + 0.5) - v, source)
        # The lower row is read down to the lit lip: the photo's shadowed band under its
        # teeth goes with them, where the lip strip (below) does not cover it.
        lower = self._sample(g, hx, hy, field.du, np.minimum(lower_v, lip_edge - 0.5) - v,
                             source)
        # A column without teeth in a row (under 2 px of them) has no such row.
        has_upper = np.clip(upper_edge - top - 1.0, 0.0, 1.0)
        if self._upper_row_kept is not None:
            has_upper = has_upper * np.interp(u + field.du, self._teeth.us, self._upper_row_kept)
        has_lower = np.clip(bottom - lower_edge - 1.0, 0.0, 1.0)
        # Opaque to the row's edge; past it, where the photo shows tooth (the biting edge's
        # own shape, not the measured edge's steps), up to 2 px, or halfway to the other
        # row's teeth (never the other row's teeth riding on this one).
        fringe_upper = 2.0 - has_lower * (2.0 - np.clip(room / 2.0, 0.0, 2.0))
        fringe_lower = 2.0 - has_upper * (2.0 - np.clip(room / 2.0, 0.0, 2.0))
        upper_alpha = np.maximum(
            row_alpha(upper_v - upper_edge + 0.5, room),
            row_alpha(upper_v - upper_edge - fringe_upper, room)
            * upper[..., 3])
        lower_alpha = np.maximum(
            row_alpha(lower_edge - lower_v + 0.5, room),
            row_alpha(lower_edge - lower_v - fringe_lower, room)
            * lower[..., 3])
        # The upper lip's strip ends rounded (PhotoTeeth.upper_strip_bottom). Over the upper
        # row only nearly shut, where the lower lip's strip fills the opening up to it; the row
        # then reaches up to the strip (it is read at its top there). Opened further, the strip
        # cut round over the row showed its last tooth standing up to the lip as a white column
        # (obama.jpg), or the mouth's dark as a notch under the lip.
        shut = 1.0 - self._opened_past(opening_px, STRIP_ROUNDED_OVER_ROW)
        strip_bottom = top - (top - upper_strip_bottom) * np.maximum(1.0 - has_upper, shut)
        if below_lip is not None:
            strip_bottom = strip_bottom - (strip_bottom - lip_line) * below_lip
        # Nor is a row read past its outer end.
        row_upper = has_upper if below_lip is None else np.maximum(has_upper, below_lip)
        upper_alpha *= row_upper * np.clip((upper_v - strip_bottom + 2.0) / 2.0, 0.0, 1.0)
        upper_alpha = np.minimum(upper_alpha, np.clip(upper_cut - upper_v + 0.5, 0.0, 1.0))
        # (Where no lower teeth show there is no row: a band read with the jaw in the
        # corners, where the lip moves less, was a pale streak of lip over the mouth.)
        lower_alpha *= has_lower * np.clip((lip_edge + 2.0 - lower_v) / 2.0, 0.0, 1.0)
        # Nor above its reach: at the row's ends the teeth and the shadowed band under them
        # (the lip strip covers the band from ``strip_top`` down) come in rounded, not as a
        # wall as tall as both at the first column with teeth (obama2.jpg).
        lower_alpha *= np.clip(lower_v - (strip_top - lower_reach) + 0.5, 0.0, 1.0)
        # That reach is the photo's: the row moves as one piece with the middle's jaw, the lip
        # strip in front of it less towards the corners, so a photo's open mouth closed lifted
        # the row's ends over the strip by the difference, a block 3-5 px tall standing on the
        # lip (obama2.jpg at 0.15-0.3 open). Where the frame places the strip, too, the row
        # shows no higher above it than its reach, nor than its distance from its end (the
        # sine's first px rise 2 px each, a wall by the dark corner on so thin an opening).
        lower_alpha *= np.clip(field.lower_source_v
                               - (strip_top - np.minimum(lower_reach, lower_from_end)) + 0.5,
                               0.0, 1.0)
        # Past the upper row's end the lower row shows no higher than the upper teeth's tips
        # would be (``longest_tips`` goes on past the row), fading in below that line over
        # LOWER_BEHIND_TIPS_PX: as a jaw closes, the lower teeth at the row's ends go up
        # behind the upper ones or into the cheek's shadow. Lifted into the room where the
        # photo shows no upper teeth, the lower row's brightly lit tips stood there with only
        # the weak shadow under the upper row, a crisp white sliver by the mouth's corner
        # (obama2.jpg at 0.25-0.4 open).
        lower_alpha *= 1.0 - (1.0 - has_upper) * np.clip(
            (longest_tips + LOWER_BEHIND_TIPS_PX - (v + rise)) / LOWER_BEHIND_TIPS_PX, 0.0, 1.0)
        # Slid under their lips, the rows' soft edges (a pixel or two past the tips) still
        # reached into the opening: they go with the last of the cover.
        gone = np.clip(LIPS_OVER_TEETH_LAST * (1.0 - field.teeth_cover), 0.0, 1.0)
        upper_alpha *= gone
        lower_alpha *= gone
        hidden = np.interp(u + field.du, self._teeth.us, self._hidden_columns)
        # Where the photo's lower incisors are hidden, what it showed of a lower row was a
        # fleck (filled over, _hidden_teeth_columns): moved with the jaw once the hidden teeth
        # had gone, it was a grey speck on the lip's top.
        lower_alpha *= 1.0 - hidden
        upper, lower, lower_alpha = self._hidden_lower_teeth(
            g, hx, hy, field, v, upper_v, v + rise, upper_edge, upper_cut, rise + jaw, hidden,
            upper, lower, lower_alpha)
        # Towards the opening's ends the rows recede into the cheeks' shadow, as drawn teeth
        # do (mouth_interior.drawn_teeth). There the photo's rows are a few px of whatever
        # its corner shows (skin, lip, a fleck read as hidden lower teeth): moved rigidly with
        # the middle's lift, past the corner's own, they were pale slivers across the mouth's
        # dark corner (astronaut.png).
        ends = np.clip((ROWS_END - np.abs(field.column)) / ROWS_END_FADE, 0.0, 1.0)
        upper_alpha = upper_alpha * ends
        lower_alpha = lower_alpha * ends
        # The lips' strips, read where the field reads each lip.
        upper_lip_alpha = np.clip(strip_bottom - field.upper_source_v, 0.0, 1.0)
        # The lower strip: from its smooth top (part of the way down the photo's shadowed
        # band, STRIP_IN_BAND) down. In the band it reads the lit lip, mirrored about the
        # lip's edge: moved with the lip, the band drew a ragged dark line along its top
        # once the teeth closed up behind it.
        lower_depth = field.lower_source_v - strip_top
        ramp = self._strip_ramp(opening_px)
        lower_lip_alpha = _across_ramp(lower_depth - 0.5, ramp)
        lit_lip_v = np.where(field.lower_source_v < lip_edge,
                             2.0 * lip_edge - field.lower_source_v, field.lower_source_v)
        upper_lip_v = field.upper_source_v
        if np.ndim(field.upper_lip_raise) and (field.upper_lip_raise > 0.0).any():
            # Where the photo's upper lip ends above dlib's line (geometry.upper_lip_edge_raise)
            # and this frame closes up the dark under it, the strip is that lip, mirrored
            # about its end: read on past it, the strip drew the photo's black corner as a
            # thin dark line from the teeth's end to the corner (obama2.jpg, 0.2-0.3 open).
            lip_end = g.upper_inner(u + field.du) - field.upper_lip_raise
            past_end = np.maximum(upper_lip_v - lip_end, 0.0)
            upper_lip_v = upper_lip_v - 2.0 * past_end * np.clip(field.upper_lip_raise, 0.0, 1.0)
        # Where the strips overlap, each pixel shows the strip it lies further into. Both
        # whole (alpha 1), the upper strip won every tie, and where it is deep (7 px over
        # obama2.jpg's missing upper tooth) its far end, read down into the photo's dark,
        # stood on the lower lip's top as a 2 px dark notch (0.15 open). The lower strip
        # lies over the upper one, by its share across the line where they meet.
        lower_share = _across_ramp(lower_depth - (strip_bottom - field.upper_source_v), ramp)
        upper_lips = self._sample(g, hx, hy, field.du, upper_lip_v - v, source)
        lower_lips = self._sample(g, hx, hy, field.du, lit_lip_v - v, source)
        # What looks like tooth in the upper strip belongs to the row (the measured ends are
        # smoothed). The lower strip reads only lit lip: a bright fleck of it is lip (cut
        # out, it let the dark mouth through as specks).
        upper_lip_alpha = upper_lip_alpha * (1.0 - upper_lips[..., 3])
        shade = (1.0 - LIPS_OVER_TEETH_SHADE * field.teeth_cover)[..., None]
        return TeethRows(
            upper=upper[..., :3] * shade, upper_alpha=upper_alpha.astype(np.float32),
            lower=lower[..., :3] * shade, lower_alpha=lower_alpha.astype(np.float32),
            lips=upper_lips[..., :3], lower_lips=lower_lips[..., :3],
            upper_lip_alpha=upper_lip_alpha.astype(np.float32),
            lower_lip_alpha=(lower_lip_alpha * lower_share).astype(np.float32),
            below_upper=shadow_below_upper.astype(np.float32),
            lower_height=lip_middle - lower_middle,
            room=(lower_middle + jaw) - (upper_middle - rise),
        )

    def _hidden_lower_teeth(self, g: FaceGeometry, hx, hy, field: MouthField, v, upper_v,
                            unslid_v, upper_edge, upper_cut, parted: float, hidden: np.ndarray,
                            upper, lower, lower_alpha):
        """The lower incisors behind a lip that the photo's upper teeth rest on (``hidden``:
        0..1 per pixel, _hidden_teeth_columns: columns with an upper row, no lower one and the
        lip's top within HIDDEN_TEETH_REST_PX of the upper row's edge). They fill the room under the upper
        teeth while the jaw has ``parted`` the lip from them (px, past the photo's own
        opening) by up to HIDDEN_TEETH_SHARE of the face's height: a spread vowel parts them
        by a few pixels, and that room painted as the mouth's dark was a thin dark line under
        the teeth. Wider, the room is the mouth's opening: over HIDDEN_TEETH_FADE_PX more the
        teeth give way to its dark from their band's ends in (_hidden_teeth_left). Their
        texture is the upper row's, mirrored at its edge (tip to tip) and smoothed
        (_hidden_teeth_source); paint_interior shades them as the lower row, darker just under
        the upper row. ``upper_v``: where the upper row is read, slid up under the lip;
        ``unslid_v``: where it is read before the lips reach over it."""
        fill = HIDDEN_TEETH_SHARE * g.face_height
        # All columns at once, by the rows' parting (each column's own room differs with the
        # teeth's edges and the lip's top, and the teeth came and went in blocks).
        shown = float(np.clip((fill + HIDDEN_TEETH_FADE_PX - parted) / HIDDEN_TEETH_FADE_PX,
                              0.0, 1.0))
        if shown <= 0.0 or not (hidden > 0.0).any():
            return upper, lower, lower_alpha
        below_upper = upper_v - upper_edge
        # Going, they give way to the mouth's dark from the ends of their band in, the
        # incisors at the middle last (as a smile's dark corners frame its teeth): where they
        # have gone the room is the mouth's dark, as tall as the room, and where they are left
        # they stay up behind the upper row. Dropped away from the upper teeth instead (all
        # columns at once), they opened a thin, uneven dark line along the upper row's edge,
        # over the pale band they still made, for the frame or two of that drop.
        keep = _hidden_teeth_left(field.column * g.mouth_half_width, self._hidden_ends, shown)
        # Up behind the upper row's soft edge (they are behind it): starting at its edge, the
        # two rows' part-covered pixels let the mouth's dark through, a dark line between.
        # Puckered, the lower lip reaches up over them as over the lower row.
        from_bottom = field.gap - field.from_top
        # The upper row ends at its edge, or above it where the lips cut it (``upper_cut``, a
        # smooth line): a dark gap opened between the two rows there, and reached for past the
        # row's jagged edge, the lower lip's rim over them was ragged.
        below_cut = upper_v - upper_cut
        # As the lips reach over the teeth the band rides up with the upper row's end and
        # the lower lip reaches up over it: (1 - cover) of the band's height before the lips
        # reached (from the rim to the row's end read at ``unslid_v``) is left. Reached over
        # from the rim alone, the room the row left as it slid up filled with the band: a
        # flat grey slab under the teeth, taller than the teeth that were left (obama.jpg at
        # 0.8 of its width, 0.65 open).
        cover = field.teeth_cover
        room = from_bottom + (unslid_v - upper_cut) + HIDDEN_TEETH_BEHIND_PX
        into_band = below_cut + HIDDEN_TEETH_BEHIND_PX
        left = np.clip(((1.0 - cover) * room - cover * LIPS_OVER_TEETH_EDGE_PX - into_band)
                       / LIPS_OVER_TEETH_EDGE_PX + 0.5, 0.0, 1.0)
        alpha = (hidden * keep
                 * np.clip(np.maximum(below_upper, below_cut) + HIDDEN_TEETH_BEHIND_PX, 0.0, 1.0)
                 * np.minimum(left, _left_by_lip(from_bottom, from_bottom + into_band, cover)))
        # Mirrored from past the upper teeth's tips: their edge in the photo is the shadowed
        # line where they rest on the lip, and mirrored onto the contact it drew that line.
        mirrored = self._sample(g, hx, hy, field.du,
                                upper_edge - HIDDEN_TEETH_TIP_PX - np.maximum(below_upper, 0.0)
                                - v,
                                self._hidden_source)
        # Where the photo's lower row was only a fleck (filled over, _hidden_teeth_columns),
        # they cover it: left in front of them it was a speck of lip colour.
        take = (alpha > 0.0) & (alpha >= lower_alpha)
        # The upper teeth's last pixels in the photo are the shadowed line where they rest on
        # the lip; over the lower teeth they drew a dark line between the rows. Parted from
        # the lip, those tips show the tooth above them.
        tips = self._sample(g, hx, hy, field.du,
                            np.minimum(upper_v, upper_edge - HIDDEN_TEETH_TIP_PX) - v,
                            self._teeth_source)
        lit = (hidden * keep)[..., None]
        upper = upper + (tips - upper) * lit
        return (upper, np.where(take[..., None], mirrored, lower),
                np.where(take, alpha, lower_alpha))

    def _sample(self, g: FaceGeometry, hx, hy, du, dv, source: np.ndarray | None = None
                ) -> np.ndarray:
        """``source`` (the photo when None) read at the head-moved points ``hx, hy`` moved
        by (du, dv) in aligned axes."""
        dx, dy = g.rotate_to_image(du, dv)
        return cv2.remap(self.image if source is None else source, (hx + dx).astype(np.float32),
                         (hy + dy).astype(np.float32), cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REPLICATE)

    def _eyes(self, pose: FramePose, map_x: np.ndarray, map_y: np.ndarray):
        """Add the lids' and the gaze's fields to the maps; returns (box, colour, alpha)
        overlays that tint the stretched lid skin towards the lid's own even colour
        (stretching alone turns the crease's detail into streaks)."""
        g = self.geometry
        closed = pose.blink if pose.blink > 0.01 else 0.0
        turned = abs(pose.gaze[0]) > 1e-3 or abs(pose.gaze[1]) > 1e-3
        overlays = []
        if not closed and not turned:
            return overlays
        for eye, (x0, y0, x1, y1), lid, lash, grain in zip(
            g.eyes, self._eye_boxes, self._lid_colours, self._lash_lines,
            self._lid_grain_levels, strict=True
        ):
            if x1 <= x0 or y1 <= y0:
                continue
            hx = map_x[y0:y1, x0:x1]
            hy = map_y[y0:y1, x0:x1]
            if closed:
                overlays += self._close_lid(eye, (x0, y0, x1, y1), lid, lash, grain, hx, hy,
                                            closed)
            if turned:
                # After the lid (backward maps compose in reverse): where the lid now lies
                # the map reads lid skin, outside the opening, so the lid covers the turned
                # eye instead of moving with it.
                u, v = g.to_aligned(hx, hy)
                du, dv = gaze_field(eye, u, v, gaze=pose.gaze)
                dx, dy = g.rotate_to_image(du, dv)
                hx += dx.astype(np.float32)
                hy += dy.astype(np.float32)
        return overlays

    def _close_lid(self, eye, box, lid, lash, grain_level, hx, hy, closed: float) -> list:
        """Lower one upper lid in the maps' box (hx, hy: views, changed in place); returns the
        overlays that tint the lid and draw its lash line."""
        (lid_rgb, opaque), (lash_rgb, lash_sigma) = lid, lash
        g = self.geometry
        u, v = g.to_aligned(hx, hy)
        field = eyelid_field(eye, u, v, closed=closed)
        dx, dy = g.rotate_to_image(np.zeros_like(field.dv), field.dv)
        hx += dx.astype(np.float32)
        hy += dy.astype(np.float32)
        if not (field.covering > 0).any():
            return []
        across = np.abs(u - eye.centre_u) / eye.half_width
        # The lid is thin at the corners: there the stretched corner of the eye shows. Shut,
        # the cover reaches past the corners over the photo's lashes there, which turn up
        # and out from an open eye and hooked the shut lash line's ends (biden.jpg).
        shut = _smoothstep((closed - 0.7) / 0.3)
        reach = 1.0 + LID_PAST_CORNER * shut
        corners = _smoothstep((reach - across) / (LID_CORNER_SPAN + LID_PAST_CORNER * shut))
        # The lid's cover reaches down to its new margin (the stretched band of the photo's
        # lash line above it is covered too: moved down with the iris or the heavy lid's
        # shadow in it, it was a thick black band: obama2.jpg's shut lines' darkest pixels
        # 3-5 where its own lash line over the whites is 9-15). Once the eye is nearly shut,
        # it reaches a little past the margin, over the photo's own lower lashes, which drew
        # a second line under the first.
        on_lid = np.clip(field.below_lid + 0.5, 0.0, 1.0)
        below = shut * np.exp(-np.clip(field.below_lid, 0.0, None) / LASH_TAIL_PX)
        # From where the lid starts to stretch, not from its old margin: a cover that
        # started there had an edge, and the shut lid read as a lens-shaped patch.
        cover = (_smoothstep(field.down_lid / LID_TINT_RAMP)
                 * (1.0 - on_lid + on_lid * below) * corners)
        clear_of_lashes = _smoothstep(-field.below_lid / LID_GRAIN_CLEAR_PX)
        # The tone and the grain are read at the same points of the skin under the eye.
        under_eye = self._under_eye_points(eye, u, field)
        shade = ((1.0 - 0.12 * field.towards_lashes)
                 * self._under_eye_tone(under_eye, clear_of_lashes))
        if opaque:
            # The lid in the shadow of the brow, not the hard edge of a painted patch: from
            # the lid's old margin the cover fades in, and the lid darkens towards it.
            under_brow = np.maximum(_smoothstep(field.down_lid), on_lid)
            shade = shade * (0.6 + 0.4 * under_brow)
            alpha = OPAQUE_LID_TINT * cover * under_brow
        else:
            alpha = LID_TINT * cover
        # The grain is weighed up for the stretched photo's smooth share of the blend, so
        # the lid shows it at the skin's level. Under the lash line the lid stays as it was
        # (the line is drawn over it; grain there drew it ragged, darker than the photo's
        # own and off its arc: astronaut.png, biden.jpg).
        grain = (self._under_eye_grain(under_eye, grain_level) * clear_of_lashes
                 / np.maximum(alpha, 0.5))
        luma = max(float(lid_rgb.mean()), 1.0)
        colour = (lid_rgb * (shade * (1.0 + grain / luma))[..., None]).astype(np.float32)
        overlays = [(box, colour, alpha.astype(np.float32))]
        return overlays + self._lash_line(field, across, box, lash_rgb, lash_sigma, closed)

    def _lash_line(self, field, across, box, lash_rgb, sigma: float, closed: float) -> list:
        """The lowered lid's lash line: one soft line along its new margin, as dark and as
        wide as the photo's own upper lash line, thinning out into the corners."""
        centre = -LASH_ABOVE_MARGIN * sigma
        profile = np.exp(-0.5 * ((field.below_lid - centre) / sigma) ** 2)
        taper = _smoothstep((1.0 - across) / LASH_CORNER_SPAN)
        shown = _smoothstep(closed / LASH_FADE_IN)
        alpha = (LASH_ALPHA * shown) * profile * taper
        found = mask_box(alpha > 1e-3)
        if found is None:
            return []
        x0, y0, x1, y1 = found
        colour = np.broadcast_to(lash_rgb.astype(np.float32), (y1 - y0, x1 - x0, 3))
        return [((box[0] + x0, box[1] + y0, box[0] + x1, box[1] + y1), colour,
                 alpha[y0:y1, x0:x1].astype(np.float32))]

    def _under_eye_points(self, eye, u, field) -> tuple[np.ndarray, np.ndarray]:
        """Where the lid (``u`` and ``field`` over its box) reads the skin under the eye:
        mirrored up from below the lower lashes (image x and y maps, float32)."""
        below_lashes = eye.lower(u) + UNDER_EYE_GAP * eye.half_width
        xs, ys = self.geometry.to_image(u, below_lashes - field.below_lid)
        return xs.astype(np.float32), ys.astype(np.float32)

    def _under_eye_grain(self, under_eye: tuple[np.ndarray, np.ndarray],
                         level: tuple[float, float]) -> np.ndarray:
        """The skin's own grain for a painted lid (luma, around 0; a flat colour reads as a
        sticker): the photo's grain under the eye, mirrored up onto the lid from below the
        lower lashes (``under_eye``, _under_eye_points), pixel for pixel, soft-limited and
        brought to ``level`` (the source's spread, the spread wanted)."""
        grain = cv2.remap(self._skin_grain, *under_eye, cv2.INTER_NEAREST,
                          borderMode=cv2.BORDER_REPLICATE)
        spread, gain = level
        limit = LID_GRAIN_LIMIT * spread
        return gain * limit * np.tanh(grain / limit)

    def _lid_grain_level(self, eye) -> tuple[float, float]:
        """The robust spread (in luma) of the photo's grain under the eye, where a lid reads
        it (see _under_eye_grain), and the gain that brings its finest detail to the skin's:
        the finer of the skin just above the brow and the skin under the eye (a lid no
        grainier than the skin around it; forehead hair can make the one, wrinkles the other,
        too coarse)."""
        us = np.linspace(eye.centre_u - 0.6 * eye.half_width,
                         eye.centre_u + 0.6 * eye.half_width, 25)
        steps = np.linspace(0.0, 1.6, 13) * eye.half_width
        lower, brow = eye.lower(us)[:, None], eye.brow(us)[:, None]
        under = lower + UNDER_EYE_GAP * eye.half_width + steps
        above_brow = brow - 0.25 * eye.half_width - 0.22 * steps
        # A spread like the standard deviation that lines and hairs among the values barely
        # move: the median absolute deviation, scaled to a normal's.
        spread, fine_under, fine_skin = (
            float(median_abs_deviation(self._nearest(grain, us, where), axis=None,
                                       scale="normal"))
            for grain, where in ((self._skin_grain, under), (self._fine_grain, under),
                                 (self._fine_grain, above_brow)))
        return max(spread, 0.5), min(fine_under, fine_skin) / max(fine_under, 0.5)

    def _mouth_grain_source(self) -> tuple[np.ndarray, np.ndarray]:
        """The grain the mouth's painted inside takes (_with_mouth_grain): an image of luma
        around 0 (the photo's, soft-limited and brought to its level, MOUTH_GRAIN_*), and the
        middles (aligned) of the patches of cheek the opening's lower and upper halves read it
        from."""
        g = self.geometry
        points = g.points
        cheeks = np.array([(points[1] + points[31]) / 2.0, (points[15] + points[35]) / 2.0])
        reach = MOUTH_GRAIN_PATCH * g.face_width
        steps = np.linspace(-reach, reach, 13)
        uc, half = g.mouth_centre_u, g.mouth_half_width
        middle = np.linspace(uc - 0.6 * half, uc + 0.6 * half, 25)
        shares = np.array([0.3, 0.5, 0.7])
        upper_outer, upper_inner = g.upper_outer(middle)[:, None], g.upper_inner(middle)[:, None]
        lower_inner, lower_outer = g.lower_inner(middle)[:, None], g.lower_outer(middle)[:, None]
        beyond = np.array([3.0, 5.0, 7.0])
        around = np.hstack([upper_outer + shares * (upper_inner - upper_outer),
                            lower_inner + shares * (lower_outer - lower_inner),
                            upper_outer - beyond, lower_outer + beyond])

        def spread(source: np.ndarray, us: np.ndarray, vs: np.ndarray) -> float:
            # Robust (see _lid_grain_level): a fold or a lip line barely moves it.
            return float(median_abs_deviation(self._nearest(source, us, vs), axis=None,
                                              scale="normal"))

        patches = [(cu + steps, np.broadcast_to(cv + steps, (len(steps), len(steps))))
                   for cu, cv in cheeks]
        skin = np.median([spread(self._skin_grain, *patch) for patch in patches])
        fine = np.median([spread(self._fine_grain, *patch) for patch in patches])
        limit = MOUTH_GRAIN_LIMIT * max(skin, 0.5)
        gain = min(spread(self._fine_grain, middle, around), fine) / max(fine, 0.5)
        return ((gain * limit * np.tanh(self._skin_grain / limit)).astype(np.float32),
                cheeks.astype(np.float32))

    def _with_mouth_grain(self, colour: np.ndarray, painted: np.ndarray, field: MouthField,
                          u: np.ndarray) -> np.ndarray:
        """``colour`` (the mouth's inside over the opening's box) with the photo's grain on
        its ``painted`` share (0..1 per pixel; the rest is read from the photo and has its
        own). Read pixel for pixel from a patch of cheek (MOUTH_GRAIN_*), mirrored to and fro
        across it as the opening is wider or taller, so the grain moves with what carries the
        painted parts, never with the frame: the upper teeth's reach under the upper lip (at
        most half the opening) from one cheek, as far down it as the pixel lies under the lip;
        the rest (the tongue, the lower teeth, the lower lip's inner side: the jaw's) from the
        other, as far up as it lies over the lower lip. Added to each pixel's brightness, grey,
        less in the dark (MOUTH_GRAIN_FULL_LUMA)."""
        g = self.geometry
        reach = MOUTH_GRAIN_PATCH * g.face_width
        with_upper_lip = field.from_top < np.minimum(0.5 * field.gap, self.look.teeth_height_px)
        from_lip = np.where(with_upper_lip, field.from_top, field.gap - field.from_top)
        (lower_u, lower_v), (upper_u, upper_v) = self._grain_cheeks
        across = _to_and_fro(u - g.mouth_centre_u, reach)
        down = _to_and_fro(from_lip - reach, reach)
        xs, ys = g.to_image(np.where(with_upper_lip, upper_u - across, lower_u + across),
                            np.where(with_upper_lip, upper_v + down, lower_v - down))
        grain = cv2.remap(self._mouth_grain, xs.astype(np.float32), ys.astype(np.float32),
                          cv2.INTER_NEAREST, borderMode=cv2.BORDER_REPLICATE)
        # Grey (see MOUTH_GRAIN_FULL_LUMA), less in the dark, and none on the painted shapes'
        # drawn edges (MOUTH_GRAIN_EDGE).
        luma = (colour @ LUMA_WEIGHTS).astype(np.float32)
        darker = np.minimum(luma / MOUTH_GRAIN_FULL_LUMA, 1.0)
        slope = np.hypot(cv2.Sobel(luma, cv2.CV_32F, 1, 0), cv2.Sobel(luma, cv2.CV_32F, 0, 1))
        # (Sobel's kernel weighs a slope of one level a px as 8.)
        clear = np.clip((MOUTH_GRAIN_EDGE[1] - slope / 8.0)
                        / (MOUTH_GRAIN_EDGE[1] - MOUTH_GRAIN_EDGE[0]), 0.0, 1.0)
        return colour + (painted * grain * darker * clear)[..., None]

    def _nearest(self, source: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """``source``'s pixels nearest the aligned points (each u down its column of v):
        blending neighbours, as a bilinear read does, halves a pixel-fine grain."""
        xs, ys = self.geometry.to_image(np.broadcast_to(u[:, None], v.shape), v)
        return cv2.remap(source, xs.astype(np.float32), ys.astype(np.float32),
                         cv2.INTER_NEAREST, borderMode=cv2.BORDER_REPLICATE)

    def _under_eye_tone(self, under_eye: tuple[np.ndarray, np.ndarray],
                        clear_of_lashes: np.ndarray) -> np.ndarray:
        """The lid's brightness as that of the skin under the eye (a flat colour reads as a
        sticker): the skin's brightness mirrored up onto the lid from below the lower
        lashes (``under_eye``, _under_eye_points), over its median. Clear of the lash line
        (``clear_of_lashes``, 0..1) it is blurred over LID_GRAIN_SIGMA px (the grain is added
        pixel for pixel, see _under_eye_grain); under the line it is left as read (blurred
        there, it took in the lower lashes' dark from past the margin and drew the line
        darker than the photo's own: astronaut.png)."""
        skin = cv2.remap(self._luma, *under_eye, cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REPLICATE)
        tone = np.clip(skin / max(float(np.median(skin)), 1.0), 0.85, 1.15)
        return tone + (cv2.GaussianBlur(tone, (0, 0), LID_GRAIN_SIGMA) - tone) * clear_of_lashes

    def _photo_lash_lines(self) -> list[tuple[np.ndarray, float]]:
        """Colour and width (a Gaussian's sigma, px) of each eye's upper lash line in the
        photo, read per column across the middle of the eye: the darkest pixel from a little
        above dlib's upper lid line to just past it, and how many pixels of the column are
        darker than halfway from it to the lid's skin. Where the eye shows its whites under
        the lashes only those columns count: where the iris touches the lid its pupil is
        the darkest pixel (obama2.jpg looks up and aside), and a line that dark was black
        on the shut lid."""
        g = self.geometry
        found = []
        for eye, (lid_rgb, _) in zip(g.eyes, self._lid_colours, strict=True):
            us = np.linspace(eye.centre_u - 0.6 * eye.half_width,
                             eye.centre_u + 0.6 * eye.half_width, 13)
            steps = np.arange(-0.45 * eye.half_width, 0.5 + 4.0 + 1e-3, 0.5)
            vs = eye.upper(us)[:, None] + steps[None, :]
            xs, ys = g.to_image(np.broadcast_to(us[:, None], vs.shape), vs)
            column = cv2.remap(self._luma, xs.astype(np.float32), ys.astype(np.float32),
                               cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            near = (steps >= -0.2 * eye.half_width) & (steps <= 0.5)
            darkest = np.flatnonzero(near)[0] + column[:, near].argmin(axis=1)
            rows = np.arange(len(us))
            skin = float(lid_rgb.mean())
            # Up to 4 px under the darkest pixel, something brighter than the lid's skin
            # above the lashes: a white.
            after = steps[None, :] - steps[darkest][:, None]
            over_white = (np.where((after > 0.0) & (after <= 4.0), column, 0.0).max(axis=1)
                          > np.median(column[:, steps < -0.3 * eye.half_width], axis=1))
            use = over_white if over_white.sum() >= 3 else np.ones_like(over_white)
            colours = cv2.remap(self.image, xs[rows, darkest].astype(np.float32)[:, None],
                                ys[rows, darkest].astype(np.float32)[:, None],
                                cv2.INTER_LINEAR).reshape(-1, 3).astype(np.float32)
            halfway = (column[rows, darkest] + skin) / 2.0
            widths = 0.5 * (column[:, near] < halfway[:, None]).sum(axis=1)
            # A Gaussian's full width at half its depth is 2.355 sigma; the photo's blur (or
            # a heavy lid's shadow) widens the run past the line a viewer sees.
            sigma = float(np.clip(np.median(widths[use]) / 2.355, 0.5,
                                  LASH_SIGMA_MAX * eye.half_width))
            found.append((np.median(colours[use], axis=0), sigma))
        return found

    def _lid_skin_colours(self) -> list[tuple[np.ndarray, bool]]:
        """Colour of each upper lid's skin, and whether the lid must be painted over
        (opaque): the median of samples between the lid's lashes and the brow that look like
        skin. On a low-browed face (obama2.jpg) those samples are brow hair, and a shut lid
        tinted with them was a dark brown patch where dlib and a viewer see an open eye:
        there the skin under the eye, a shade darker, stands in, and since the lid's
        stretched texture is brow hair too, it is covered, not tinted."""
        g = self.geometry
        colours = []
        for eye in g.eyes:
            us = np.linspace(eye.centre_u - 0.6 * eye.half_width,
                             eye.centre_u + 0.6 * eye.half_width, 9)
            upper, brow, lower = eye.upper(us), eye.brow(us), eye.lower(us)
            lid = np.concatenate([self._pixels_at(us, upper - share * (upper - brow))
                                  for share in (0.25, 0.35, 0.45)])
            under = np.concatenate([self._pixels_at(us, lower + share * eye.half_width)
                                    for share in (0.5, 0.7, 0.9)])
            under_colour = np.median(under, axis=0)
            skin_like = lid.mean(axis=1) >= LID_SKIN_LUMA_SHARE * under_colour.mean()
            if skin_like.mean() >= 0.5:
                colours.append((np.median(lid[skin_like], axis=0), False))
            else:
                colours.append((UNDER_EYE_TO_LID * under_colour, True))
        return colours

    def _pixels_at(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """(N, 3) float colours of the photo's pixels nearest these aligned points."""
        xs, ys = self.geometry.to_image(u, v)
        xi = np.clip(np.round(xs).astype(int), 0, self.size - 1)
        yi = np.clip(np.round(ys).astype(int), 0, self.size - 1)
        return self.image[yi, xi].astype(np.float32)

    def _lip_colour(self) -> np.ndarray:
        """Median colour of the lips' red along the middle half of the mouth (both lips,
        between their outer and inner lines)."""
        g = self.geometry
        uc, half = g.mouth_centre_u, g.mouth_half_width
        us = np.linspace(uc - 0.5 * half, uc + 0.5 * half, 15)
        samples = []
        for share in (0.3, 0.5, 0.7):
            samples.append(self._pixels_at(us, g.upper_outer(us) + share * (
                g.upper_inner(us) - g.upper_outer(us))))
            samples.append(self._pixels_at(us, g.lower_inner(us) + share * (
                g.lower_outer(us) - g.lower_inner(us))))
        return np.median(np.concatenate(samples), axis=0).astype(np.float32)

    def _drawn_teeth_colour(self, light: float) -> np.ndarray:
        """Drawn teeth's colour in the photo's light (teeth_in_photo_light), from the cheeks'
        median colour (_skin_patch_centres, where _skin_light reads them) and each eye's
        brightest fifth inside its lids."""
        g = self.geometry
        points = g.points
        radius = self._skin_patch_radius()
        offsets = np.linspace(-radius, radius, 9)
        du, dv = (grid.ravel() for grid in np.meshgrid(offsets, offsets))
        skin = np.median(np.concatenate([self._pixels_at(centre[0] + du, centre[1] + dv)
                                         for centre in self._skin_patch_centres()]), axis=0)
        whites = []
        for lids in (points[36:42], points[42:48]):
            xs, ys = g.to_image(lids[:, 0], lids[:, 1])
            inside = np.zeros((self.size, self.size), dtype=np.uint8)
            cv2.fillPoly(inside, [np.round(np.stack([xs, ys], axis=1)).astype(np.int32)], 1)
            eye = self.image[cv2.erode(inside, np.ones((3, 3), np.uint8)) > 0].astype(np.float32)
            if len(eye) >= 10:
                luma = eye @ LUMA_WEIGHTS
                whites.append(np.median(eye[luma >= np.percentile(luma, 80)], axis=0))
        return teeth_in_photo_light(light, skin, whites)

    def _photo_cavity_rgb(self) -> np.ndarray | None:
        """The photo's own mouth's dark, which the painted cavity takes (None: it shows
        none, and the cavity is the default's, in the skin's light)."""
        if self._teeth is None:
            return None
        return photo_cavity_rgb(self.image, self.geometry, self._teeth)

    def _skin_patch_centres(self) -> list[np.ndarray]:
        """Aligned centres of the skin patches the photo's light is read from: each cheek
        (halfway from the jaw line to the nose's side) and the nose bridge."""
        points = self.geometry.points
        return [(points[2] + points[31]) / 2, (points[14] + points[35]) / 2, points[29]]

    def _skin_patch_radius(self) -> float:
        return max(2.0, 0.05 * self.geometry.face_width)

    def _skin_light(self) -> float:
        """Brightness of the cheeks and nose bridge relative to a typical portrait's skin."""
        g = self.geometry
        radius = self._skin_patch_radius()
        luma = cv2.cvtColor(self.image, cv2.COLOR_RGB2GRAY).astype(np.float32)
        values = []
        for centre in self._skin_patch_centres():
            x, y = g.to_image(np.array(centre[0]), np.array(centre[1]))
            x0, x1 = int(max(0, x - radius)), int(min(self.size, x + radius + 1))
            y0, y1 = int(max(0, y - radius)), int(min(self.size, y + radius + 1))
            if x1 > x0 and y1 > y0:
                values.append(luma[y0:y1, x0:x1].ravel())
        if not values:
            return 1.0
        return float(np.clip(np.median(np.concatenate(values)) / 150.0, 0.45, 1.3))


def _moving_bands(cut: np.ndarray, origin: tuple[int, int], rows: int = 24
                  ) -> list[tuple[int, int, int, int]]:
    """Frame boxes (x0, y0, x1, y1), a band of ``rows`` rows each, covering every pixel where
    ``cut`` (placed at ``origin``) is above 0: about half of the cut's box, the hull being a
    rounded shape in a rectangle."""
    bands = []
    for top in range(0, cut.shape[0], rows):
        columns = np.flatnonzero((cut[top : top + rows] > 0.0).any(axis=0))
        if len(columns):
            bottom = min(top + rows, cut.shape[0])
            bands.append((origin[0] + int(columns[0]), origin[1] + top,
                          origin[0] + int(columns[-1]) + 1, origin[1] + bottom))
    return bands


def _forward(map_x: np.ndarray, map_y: np.ndarray, photo_x: np.ndarray, photo_y: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """Frame positions that backward maps read from the photo points (photo_x, photo_y):
    solves map(p) = q by fixed-point steps p <- p + q - map(p), which converge at once for a
    near-identity motion (the head's displacement changes by a few percent across the face)."""
    size_y, size_x = map_x.shape
    xs, ys = photo_x.astype(np.float64), photo_y.astype(np.float64)
    for _ in range(3):
        col = np.clip(np.rint(xs), 0, size_x - 1).astype(np.intp)
        row = np.clip(np.rint(ys), 0, size_y - 1).astype(np.intp)
        xs = xs + photo_x - map_x[row, col]
        ys = ys + photo_y - map_y[row, col]
    return xs, ys


def _under_lip(tips_from_rim: np.ndarray, cover: np.ndarray) -> np.ndarray:
    """How far (px) a teeth row whose tips are ``tips_from_rim`` px into the opening from
    its lip's rim slides in under that lip when the lip reaches ``cover`` (0..1) of the way
    over it: at 1, the tips a pixel past the rim."""
    return cover * (np.maximum(tips_from_rim, 0.0) + LIPS_OVER_TEETH_EDGE_PX)


def _left_by_lip(from_rim: np.ndarray, tips_from_rim: np.ndarray, cover: np.ndarray
                 ) -> np.ndarray:
    """0..1: how much of a teeth row a lip leaves showing at a pixel ``from_rim`` px into
    the opening from the lip's rim, the row's tips ``tips_from_rim`` px in, when the lip
    reaches ``cover`` (0..1) of the way from the rim to past the tips (LIPS_OVER_TEETH_*)."""
    edge = LIPS_OVER_TEETH_EDGE_PX
    reach = cover * (np.maximum(tips_from_rim, 0.0) + 2.0 * edge) - edge
    return np.clip((from_rim - reach) / edge + 0.5, 0.0, 1.0)


def _share_past(across: np.ndarray, ramp: float) -> np.ndarray:
    """0..1 per pixel: how much of it lies past a line ``across`` px from it (measured across
    the line, distance_across), mixed over ``ramp`` px."""
    return np.clip(across / ramp + 0.5, 0.0, 1.0)


def _across_ramp(distance: np.ndarray, ramp: float) -> np.ndarray:
    """_share_past of a line ``distance`` px from each pixel straight down the mouth."""
    return _share_past(distance_across(distance), ramp)


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _upper_row_pieces(teeth: PhotoTeeth, half_width: float) -> np.ndarray:
    """1 per ``teeth.us`` where the photo's upper row is kept, 0 over each piece of it (a run
    of columns with teeth, set apart by columns without) narrower than UPPER_ROW_PIECE_SHARE
    of the mouth's half-width: standing alone in the dark corner once the lower teeth beside
    it go behind the upper teeth's tips, so narrow a piece was a pale stick one pixel wide
    (obama2.jpg at 0.25-0.35 open)."""
    has_upper = teeth.upper_edge - teeth.top > 1.0
    kept = np.ones(len(teeth.us))
    edges = np.flatnonzero(np.diff(np.concatenate([[0], has_upper.astype(np.int8), [0]])))
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        if teeth.us[end - 1] - teeth.us[start] < UPPER_ROW_PIECE_SHARE * half_width:
            kept[start:end] = 0.0
    return kept


def _hidden_teeth_source(teeth_source: np.ndarray, face_height: float,
                         mouth_box: tuple[int, int, int, int]) -> np.ndarray:
    """The texture the hidden lower teeth are mirrored from: the photo's teeth (``teeth_source``,
    RGB and toothness) with what is not tooth left out and smoothed over. Mirrored as they
    are, the upper row's dark gaps between teeth and its shadowed tips drew a grid of dark
    lines over the lower teeth (obama.jpg's ee: braces). Seen through a gap of a few pixels,
    behind and under the upper row, lower incisors show as a soft band of tooth colour."""
    rgb, toothness = teeth_source[..., :3], teeth_source[..., 3]
    x0, y0, x1, y1 = mouth_box
    box_rgb, box_toothness = rgb[y0:y1, x0:x1], toothness[y0:y1, x0:x1]
    teeth = box_toothness > 0.9
    # The teeth's own colour goes into each mean a little: where a pixel has little tooth
    # around it, the mean of that little was the colour of a fleck of lip (obama.jpg).
    tooth_rgb = (np.median(box_rgb[teeth], axis=0) if teeth.any()
                 else np.percentile(box_rgb.reshape(-1, 3), 90, axis=0))
    weight = toothness * toothness

    def tooth_mean(sigma_x: float, sigma_y: float) -> np.ndarray:
        # The mean colour of the tooth around each pixel (a convolution normalised by how
        # much tooth it read): a gap between teeth takes its neighbours' colour, not theirs
        # blurred with its dark.
        blur = lambda a: cv2.GaussianBlur(a, (0, 0), sigmaX=sigma_x, sigmaY=sigma_y)  # noqa: E731
        prior = HIDDEN_TEETH_PRIOR
        return ((blur(rgb * weight[..., None]) + prior * tooth_rgb)
                / (blur(weight) + prior)[..., None])

    detail = tooth_mean(HIDDEN_TEETH_DETAIL_SHARE * face_height, 1.0)
    tone = tooth_mean(4.0 * HIDDEN_TEETH_DETAIL_SHARE * face_height, 2.0)
    # Half the detail's contrast, and never darker than HIDDEN_TEETH_FLOOR of the tooth
    # around it.
    colour = np.maximum(0.5 * (detail + tone), HIDDEN_TEETH_FLOOR * tone)
    return np.dstack([colour, toothness]).astype(np.float32)


def _hidden_teeth_columns(teeth: PhotoTeeth, face_height: float) -> np.ndarray:
    """0..1 per column of ``teeth`` (its ``us``): where the photo's upper teeth rest on the
    lower lip with no lower row showing (an upper row of over 2 px, and the lip's strip within
    HIDDEN_TEETH_REST_PX of its edge), the lower incisors hidden behind them. Small dips are
    filled (HIDDEN_TEETH_CLOSE_SHARE of the face's height): a few columns where a fleck read
    as a lower row (obama.jpg) kept that row there, dark vertical lines through the lower
    teeth."""
    has_upper = np.clip(teeth.upper_edge - teeth.top - 1.0, 0.0, 1.0)
    has_lower = np.clip(teeth.bottom - teeth.lower_edge - 1.0, 0.0, 1.0)
    resting = np.clip(HIDDEN_TEETH_REST_PX - (teeth.strip_top - teeth.upper_edge), 0.0, 1.0)
    step = float(teeth.us[1] - teeth.us[0])
    width = max(int(round(HIDDEN_TEETH_CLOSE_SHARE * face_height / step)), 1)
    # Never where no upper row is (filled there, a mouth corner's dark showed a pale wedge
    # of teeth on astronaut.png).
    hidden = has_upper * grey_closing((1.0 - has_lower) * resting, size=width, mode="nearest")
    # Nor in the last px of a row's end, nor under a short run of upper row: a mouth's corner
    # is its dark (astronaut.png's, lower teeth there were a pale wedge beside a dark bar).
    return grey_erosion(hidden, size=width // 2, mode="nearest").astype(np.float32)


def _hidden_teeth_ends(us: np.ndarray, hidden: np.ndarray, centre_u: float
                       ) -> tuple[float, float]:
    """How far the hidden lower teeth's columns (``hidden`` > 0 at ``us``) reach to the left
    and to the right of the mouth's middle ``centre_u`` (px, at least 1)."""
    shown = us[hidden > 0.0]
    if not len(shown):
        return 1.0, 1.0
    return (max(float(centre_u - shown.min()), 1.0), max(float(shown.max() - centre_u), 1.0))


def _hidden_teeth_left(across: np.ndarray, ends: tuple[float, float], shown: float
                       ) -> np.ndarray:
    """0..1 at ``across`` px from the mouth's middle: what is left of the hidden lower teeth's
    band (reaching ``ends`` px to the left and right) when ``shown`` (1..0) of it shows. Its
    ends come in towards the middle, soft over HIDDEN_TEETH_EDGE of each side's reach; the
    same share of either side at once, so an off-centre band has no step at the middle."""
    reach = np.where(across < 0.0, ends[0], ends[1])
    towards_end = np.abs(across) / reach  # 0 at the middle, 1 at the band's end
    left = float(_smoothstep(np.array(shown))) * (1.0 + HIDDEN_TEETH_EDGE)
    return _smoothstep((left - towards_end) / HIDDEN_TEETH_EDGE)


def _to_and_fro(offset: np.ndarray, reach: float) -> np.ndarray:
    """``offset`` folded into -reach..reach, as a mirror folds it: on past either end it goes
    back the other way (a triangle wave; a patch read so has no seam where it repeats)."""
    period = 4.0 * reach
    return reach - np.abs(np.mod(offset + reach, period) - 2.0 * reach)
