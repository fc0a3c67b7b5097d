"""A generic 3-D mean face, fitted to a photo's 68 landmarks, and the depth field it gives.

The mean face below is a table of (x, y, z) for the 68 dlib / iBUG 300-W points of an
average adult face, written for this project from published anthropometric averages (no
model or data set is copied or downloaded). The fit is scaled-orthographic (weak
perspective): one scale, a rotation (the photo's own yaw, pitch and roll) and a shift,
least squares over all 68 points. Each landmark keeps its image position (dlib's point) and
takes its depth from the fitted model; a few extra vertices (forehead, cheeks, the band
under the jaw that bounds the head's hull) make the mesh dense enough, and a Delaunay
triangulation over them gives a piecewise-linear depth at every pixel of the face.

Axes: x towards the image's right, y down the face, z out of the face towards the camera;
yaw turns the face towards the image's right (the nose moves to +x), pitch tips it down
(the nose moves to +y), roll is clockwise in the image - the animator's FramePose signs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import LinearNDInterpolator
from scipy.optimize import least_squares
from scipy.spatial import QhullError

from generation.renderers.talking.geometry import FOREHEAD_SHARE, JAW_DROP_SHARE, FaceGeometry

# The mean face in millimetres; divided by the jaw width (point 0 to 16, 140 mm) below.
# Origin: x on the mid-line, y on the line through the eyes' centres, z = 0 on the face's
# outline at eye level (points 0 and 16, just in front of the ears). Only the image-left
# half (the subject's right) is written; the other half is its mirror image.
# Sources for the proportions: approximate adult averages of the kind tabulated in Farkas,
# "Anthropometry of the Head and Face" (1994), rounded: outer eye corners 90 mm apart, inner 32 mm, eye fissure 29 mm, mouth
# 50 mm wide, nose 35 mm wide at the alae, nasal tip protrusion about 20 mm in front of the
# subnasale, eye line to chin about 105 mm, brow to chin about 130 mm, face 135-140 mm wide
# at the cheekbones. Profile relations: the lips lie 2-4 mm behind Ricketts' E-line from the
# nose tip to the chin, so the chin is 20-25 mm behind the nose tip and the upper lip about
# 13 mm; the outer eye corner sits about 15 mm behind the cornea and 35-40 mm behind the nose
# tip, the inner corner about 30 mm behind it; the nose tip stands about 95-100 mm in front
# of the ear's tragus, the jaw's angle (gonion) 70-80 mm behind the chin. The jaw contour
# (points 0-16) is dlib's outline of a frontal face: its upper points are the cheeks' edge in
# front of the ears (furthest back), its lower ones run forward along the jaw to the chin.
# The x, y layout was then moved (by up to 14 mm, mostly the jaw contour, brows and mouth) to
# where dlib puts its points on the four shared photos - its contour starts above the eye
# line and ends below the anatomical chin - which halved the fit's RMS error (13 -> 6 px at a
# 230 px face width); the depths (z) were not fitted to anything.
_HALF_FACE_MM = {
    # jaw contour, from beside the eye (0) to the chin (8)
    0: (-70.0, -5.0, 5.0), 1: (-69.0, 14.0, 8.0), 2: (-67.0, 33.0, 12.0),
    3: (-63.0, 53.0, 18.0), 4: (-57.0, 72.0, 28.0), 5: (-47.0, 89.0, 40.0),
    6: (-34.0, 104.0, 54.0), 7: (-18.0, 115.0, 68.0), 8: (0.0, 119.0, 75.0),
    # brow, outer end (17) to inner (21)
    17: (-57.0, -14.0, 40.0), 18: (-48.0, -21.0, 56.0), 19: (-36.0, -24.0, 66.0),
    20: (-23.0, -22.0, 72.0), 21: (-11.0, -17.0, 76.0),
    # nose bridge from between the eyes (27) to the tip (30)
    27: (0.0, -2.0, 78.0), 28: (0.0, 10.0, 84.0), 29: (0.0, 22.0, 91.0), 30: (0.0, 35.0, 99.0),
    # nostrils' lower edge, alar base (31) to the columella (33)
    31: (-16.0, 42.0, 80.0), 32: (-8.0, 44.0, 85.0), 33: (0.0, 46.0, 87.0),
    # eye: outer corner (36), upper lid (37, 38), inner corner (39), lower lid (40, 41)
    36: (-43.0, -2.0, 60.0), 37: (-36.0, -6.0, 70.0), 38: (-27.0, -6.0, 71.0),
    39: (-18.0, -1.0, 68.0), 40: (-27.0, 1.0, 69.0), 41: (-36.0, 1.0, 67.0),
    # outer lips: corner (48), upper (49-51), lower (59, 58, 57)
    48: (-27.0, 66.0, 68.0), 49: (-18.0, 62.0, 79.0), 50: (-7.0, 59.0, 85.0),
    51: (0.0, 60.0, 86.0), 59: (-20.0, 76.0, 76.0), 58: (-9.0, 81.0, 81.0),
    57: (0.0, 82.0, 82.0),
    # inner lips: corner (60), upper (61, 62), lower (67, 66)
    60: (-24.0, 66.0, 70.0), 61: (-8.0, 65.0, 80.0), 62: (0.0, 65.0, 81.0),
    67: (-8.0, 72.0, 79.0), 66: (0.0, 73.0, 80.0),
}
# dlib's left/right pairs (image-left point -> its mirror).
_MIRROR = {
    **{i: 16 - i for i in range(0, 8)}, 17: 26, 18: 25, 19: 24, 20: 23, 21: 22,
    31: 35, 32: 34, 36: 45, 37: 44, 38: 43, 39: 42, 40: 47, 41: 46,
    48: 54, 49: 53, 50: 52, 59: 55, 58: 56, 60: 64, 61: 63, 67: 65,
}
JAW_WIDTH_MM = 140.0


def _mean_face() -> np.ndarray:
    points = np.zeros((68, 3))
    for index, point in _HALF_FACE_MM.items():
        points[index] = point
        if index in _MIRROR:
            points[_MIRROR[index]] = (-point[0], point[1], point[2])
    return points / JAW_WIDTH_MM


# (68, 3) in jaw widths.
MEAN_FACE = _mean_face()
# The head turns (yaw and pitch) about axes through this point on the mid-line, at the eye
# line's outline (points 0 and 16) in height and TURN_AXIS_FORWARD_MM in front of them. A
# real head turns about the neck, far behind the face, so the whole face slides against its
# silhouette; here the hull must stay put, and the further back the axis, the more the face
# slides inside its fixed outline (shearing it against the ears and hair). 25 mm puts the
# axis at the cheekbones' outline (zygion, 20-30 mm in front of the ear): the depths between
# the nose, eyes and mouth - what a viewer and cv2.solvePnP read as the turn - are the
# same for any choice. Measured on obama2.jpg's German clip (its worst frame for dlib's
# identity, yaw -4.7 degrees): 0.486 with the axis at points 0/16, 0.456 at 15 mm, 0.436
# at 25 mm (0.417 with the old analytic depth).
TURN_AXIS_FORWARD_MM = 25.0
_AXIS = (MEAN_FACE[0] + MEAN_FACE[16]) / 2.0 + (0.0, 0.0, TURN_AXIS_FORWARD_MM / JAW_WIDTH_MM)
MODEL_FACE_HEIGHT = float(MEAN_FACE[8, 1] - MEAN_FACE[17:27, 1].min())

# Extra vertices on the cheeks: a weighted mean of landmarks, pushed out by the cheek's
# curvature (mm, z) - the flat triangle from the jaw to the nose would cut through the cheek.
# Image-left side; mirrored.
_CHEEKS = (
    ({1: 0.5, 31: 0.5}, 16.0),  # cheekbone under the eye's outer half
    ({3: 0.5, 48: 0.5}, 9.0),  # cheek beside the mouth
    ({1: 0.5, 36: 0.5}, 7.0),  # the cheek's side under the temple
)
# The forehead over each brow point (17-21) goes back this far (mm) from the brow at the
# hull's forehead height (FOREHEAD_SHARE of the face height above the brows): its middle is
# nearly upright, its sides curve back towards the temples.
_FOREHEAD_BACK_MM = (-15.0, -12.0, -9.0, -7.0, -6.0)
# Under the jaw (points 4-8 lowered by JAW_DROP_SHARE): the neck, this far behind the jaw.
_NECK_BACK_MM = (-22.0, -26.0, -30.0, -33.0, -35.0)


@dataclass(frozen=True)
class FaceFit:
    """The mean face fitted to one photo's landmarks (scaled orthographic)."""

    scale: float  # pixels per jaw width
    rotation: np.ndarray  # (3, 3) model -> camera axes
    shift: np.ndarray  # (2,) image position of the model's origin
    residual_px: float  # RMS distance of the fitted landmarks from dlib's

    @property
    def angles(self) -> tuple[float, float, float]:
        """(yaw, pitch, roll) in radians."""
        return _angles(self.rotation)

    def project(self, model_points: np.ndarray) -> np.ndarray:
        """(N, 2) image positions of model points."""
        return self.scale * model_points @ self.rotation[:2].T + self.shift

    def depth(self, model_points: np.ndarray) -> np.ndarray:
        """(N,) how far each model point stands towards the camera (px) from the turning
        head's axis (_AXIS). A photo of a turned head gets its near side deeper than its far
        side."""
        return self.scale * (model_points - _AXIS) @ self.rotation[2]


def rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """Model -> camera rotation: yaw about the vertical, then pitch, then roll in the image."""
    cy, sy = np.cos(yaw), np.sin(yaw)
    cp, sp = np.cos(pitch), np.sin(pitch)
    cr, sr = np.cos(roll), np.sin(roll)
    turn = np.array([[cy, 0.0, sy], [0.0, 1.0, 0.0], [-sy, 0.0, cy]])
    tip = np.array([[1.0, 0.0, 0.0], [0.0, cp, sp], [0.0, -sp, cp]])
    spin = np.array([[cr, -sr, 0.0], [sr, cr, 0.0], [0.0, 0.0, 1.0]])
    return spin @ tip @ turn


def _angles(matrix: np.ndarray) -> tuple[float, float, float]:
    # rotation() = Rz(roll) Rx(pitch) Ry(yaw): its last row is (-sin yaw cos pitch,
    # -sin pitch, cos yaw cos pitch) (roll leaves it alone); its middle column's first two
    # entries are (-sin roll cos pitch, cos roll cos pitch).
    pitch = float(np.arcsin(np.clip(-matrix[2, 1], -1.0, 1.0)))
    yaw = float(np.arctan2(-matrix[2, 0], matrix[2, 2]))
    roll = float(np.arctan2(-matrix[0, 1], matrix[1, 1]))
    return yaw, pitch, roll


def fit_face(landmarks: np.ndarray) -> FaceFit:
    """Least-squares scaled-orthographic fit of MEAN_FACE to (68, 2) image landmarks.

    On the shared photos: obama2.jpg yaw -18 degrees, biden.jpg +8.5, obama.jpg and
    astronaut.png 0; all four read 5-12 degrees of upward pitch (a camera a little below the
    eyes, or what is left of the layout's mismatch with dlib's), which only shades how far a
    nod moves the chin against the brow.
    """
    image = np.asarray(landmarks, dtype=np.float64)
    model = MEAN_FACE
    model_mean, image_mean = model.mean(axis=0), image.mean(axis=0)
    centred_model, centred_image = model - model_mean, image - image_mean
    # Start: the best affine camera, made orthonormal (its rows' polar factor).
    affine = np.linalg.lstsq(centred_model, centred_image, rcond=None)[0].T
    u, singular, vt = np.linalg.svd(affine, full_matrices=False)
    rows = u @ vt
    start = np.vstack([rows, np.cross(rows[0], rows[1])])
    yaw, pitch, roll = _angles(start)
    scale = float(singular.mean())

    def residuals(params: np.ndarray) -> np.ndarray:
        r = rotation(*params[:3])
        projected = params[3] * centred_model @ r[:2].T + params[4:6]
        return (projected - centred_image).ravel()

    solution = least_squares(residuals, np.array([yaw, pitch, roll, scale, 0.0, 0.0]),
                             method="lm")
    params = solution.x
    r = rotation(*params[:3])
    shift = image_mean + params[4:6] - params[3] * model_mean @ r[:2].T
    rms = float(np.sqrt(np.mean(solution.fun.reshape(-1, 2) ** 2) * 2.0))
    return FaceFit(scale=float(params[3]), rotation=r, shift=shift, residual_px=rms)


@dataclass(frozen=True)
class FaceMesh:
    """The fitted face's vertices in the image and how each moves when the head turns.

    yaw_shift and pitch_shift: (N, 2) image displacement (px per radian, to first order) of
    each vertex when the head turns about its own vertical axis (yaw) or tips about its own
    ear-to-ear axis (pitch), both through _AXIS: the cross product of the axis with the
    vertex's 3-D position in the camera's axes. For a
    frontal, upright photo both are (depth, 0) and (0, depth); for a turned photo the near
    side stands deeper than the far side and a nod also moves points sideways.
    """

    points: np.ndarray  # (N, 2) image positions
    depth: np.ndarray  # (N,) px towards the camera from the turning axis (_AXIS)
    yaw_shift: np.ndarray  # (N, 2)
    pitch_shift: np.ndarray  # (N, 2)

    def fields(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """(4, *xs.shape) float32: the yaw shift (x, y) and the pitch shift (x, y) at image
        points, piecewise linear over the mesh's Delaunay triangles - a piecewise-affine
        warp - and 0 outside the mesh."""
        values = np.hstack([self.yaw_shift, self.pitch_shift])
        try:
            interpolate = LinearNDInterpolator(self.points, values, fill_value=0.0)
        except QhullError:  # landmarks all on a line: no face to turn
            return np.zeros((4, *np.shape(xs)), dtype=np.float32)
        return np.moveaxis(interpolate(xs, ys), -1, 0).astype(np.float32)


def face_mesh(geometry: FaceGeometry, fit: FaceFit) -> FaceMesh:
    """The fitted mesh over the head's hull: the 68 landmarks where dlib put them, the cheek
    vertices, and the hull's own forehead and under-jaw points (placed as head_hull places
    them, so the mesh covers the hull)."""
    g = geometry
    def to_image(aligned: np.ndarray) -> np.ndarray:
        return np.stack(g.to_image(aligned[:, 0], aligned[:, 1]), axis=1)

    image = to_image(g.points)
    points, depths = [image], [fit.depth(MEAN_FACE)]

    cheeks_model, cheeks_image = [], []
    for weights, bulge_mm in _CHEEKS:
        for side in (weights, {_MIRROR[i]: w for i, w in weights.items()}):
            index, w = list(side), np.array(list(side.values()))
            cheeks_model.append(w @ MEAN_FACE[index] + (0.0, 0.0, bulge_mm / JAW_WIDTH_MM))
            cheeks_image.append(w @ image[index])
    points.append(np.array(cheeks_image))
    depths.append(fit.depth(np.array(cheeks_model)))

    brows = np.arange(17, 27)
    forehead = MEAN_FACE[brows] - (0.0, FOREHEAD_SHARE * MODEL_FACE_HEIGHT, 0.0)
    forehead[:, 2] += np.array(_FOREHEAD_BACK_MM + _FOREHEAD_BACK_MM[::-1]) / JAW_WIDTH_MM
    points.append(to_image(g.points[brows] - (0.0, FOREHEAD_SHARE * g.face_height)))
    depths.append(fit.depth(forehead))

    jaw = np.arange(4, 13)
    neck = MEAN_FACE[jaw] + (0.0, JAW_DROP_SHARE * MODEL_FACE_HEIGHT, 0.0)
    neck[:, 2] += np.array(_NECK_BACK_MM + _NECK_BACK_MM[-2::-1]) / JAW_WIDTH_MM
    points.append(to_image(g.points[jaw] + (0.0, JAW_DROP_SHARE * g.face_height)))
    depths.append(fit.depth(neck))
    points, depth = np.vstack(points), np.concatenate(depths)
    # Each vertex in the camera's axes (px) from the turning axis: its image position and
    # its fitted depth.
    axis_image = fit.project(_AXIS[None])[0]
    position = np.column_stack([points - axis_image, depth])
    yaw_axis, pitch_axis = fit.rotation[:, 1], fit.rotation[:, 0]
    # rotation(): yaw turns about the model's +y axis (right-handed), pitch about its -x.
    yaw_shift = np.cross(yaw_axis, position)[:, :2]
    pitch_shift = -np.cross(pitch_axis, position)[:, :2]
    return FaceMesh(points=points, depth=depth, yaw_shift=yaw_shift, pitch_shift=pitch_shift)
