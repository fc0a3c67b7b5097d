"""The generic 3-D face fitted to a photo's landmarks, and the head turn it drives.

The fit is checked on its own projection (a known pose comes back) and on the shared photos
(the nose stands out, the jaw's sides lie furthest back, a turned photo's near cheek stands
deeper than its far one); the animator's turn and nod are checked on rendered frames, as a
viewer would see them (the turn by marks painted on the photo, the nod with dlib).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from generation.media import load_image_rgb
from generation.renderers.base import crop_portrait
from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from generation.renderers.talking.face_model import MEAN_FACE, face_mesh, fit_face, rotation
from generation.renderers.talking.geometry import FaceGeometry
from tests.generation import face_helpers as fh
from tests.generation import media_factory as mf

JAW_SIDES = [0, 1, 2, 3, 13, 14, 15, 16]
# Eyes, nose and lips: the face's front.
FRONT = list(range(27, 68))
FIVE_DEGREES = np.radians(5.0)


@pytest.fixture(scope="module")
def crops():
    found = {}
    for name in ("astronaut.png", "obama2.jpg"):
        image = load_image_rgb(mf.face_path(name))
        landmarks = fh.detect_landmarks(image)
        assert landmarks is not None
        found[name] = crop_portrait(image, landmarks, 512)
    return found


@pytest.mark.parametrize("yaw, pitch, roll", [(10.0, 0.0, 0.0), (10.0, -4.0, 3.0),
                                              (-25.0, 8.0, -6.0)])
def test_the_fit_recovers_the_pose_of_its_own_projection(yaw, pitch, roll) -> None:
    angles = np.radians([yaw, pitch, roll])
    image = 230.0 * MEAN_FACE @ rotation(*angles)[:2].T + (256.0, 240.0)
    # dlib's points wobble by a pixel or two.
    image += np.random.default_rng(0).normal(0.0, 1.0, image.shape)

    fit = fit_face(image)

    assert np.degrees(np.abs(np.array(fit.angles) - angles)).max() < 1.0
    assert fit.scale == pytest.approx(230.0, rel=0.02)


def test_the_fitted_face_stands_out_at_the_nose_and_lies_back_at_the_jaw(crops) -> None:
    crop = crops["astronaut.png"]
    fit = fit_face(crop.landmarks)
    mesh = face_mesh(FaceGeometry.from_landmarks(crop.landmarks), fit)
    depth = mesh.depth[:68]
    face_width = float(np.linalg.norm(crop.landmarks[16] - crop.landmarks[0]))

    # The mean face's layout is dlib's: the fitted points lie within 4 % of the face's
    # width of dlib's on average (6 px of 232 here).
    assert fit.residual_px < 0.04 * face_width

    assert int(np.argmax(depth)) == 30  # the nose tip
    assert depth[JAW_SIDES].max() < depth[FRONT].min()
    # About 0.6 jaw widths between the nose tip and the jaw's sides (a real face's 85-95 mm
    # at 140 mm wide), the eyes' outer corners about 40 mm behind the nose tip.
    assert 0.45 < (depth[30] - depth[JAW_SIDES].mean()) / face_width < 0.8
    assert 0.2 < (depth[30] - depth[[36, 45]].mean()) / face_width < 0.35


def test_a_turned_photo_gets_its_near_cheek_deeper_than_its_far_one(crops) -> None:
    # obama2.jpg looks towards the image's left: its right cheek is nearer the camera.
    crop = crops["obama2.jpg"]
    fit = fit_face(crop.landmarks)
    mesh = face_mesh(FaceGeometry.from_landmarks(crop.landmarks), fit)

    assert np.degrees(fit.angles[0]) < -10.0
    near, far = mesh.depth[[13, 14, 15]], mesh.depth[[1, 2, 3]]
    assert (near - far).min() > 0.1 * fit.scale
    assert mesh.depth[45] > mesh.depth[36] + 0.1 * fit.scale  # the near eye's outer corner


def _moved(animator: FaceAnimator, pose: FramePose) -> np.ndarray:
    still = fh.detect_landmarks(animator.render(FramePose()))
    turned = fh.detect_landmarks(animator.render(pose))
    return turned - still


MARKER = np.array([0, 255, 0])


def _marker_moved(crop, point: int, pose: FramePose) -> np.ndarray:
    """How far the photo's own content at landmark `point` moves in the rendered frame: a 3 x 3
    green mark painted there in the photo, found (its centroid) in the still and the posed
    frame. Unlike dlib run again on the frames, it does not read what the mouth shows: dlib's
    mouth corner followed the dark of obama2.jpg's open mouth, and moved 2 px less under the
    same turn once the closed mouth no longer showed it (the mark: 6.38 -> 6.21 px)."""
    image = crop.image.copy()
    x, y = np.round(crop.landmarks[point]).astype(int)
    image[y - 1:y + 2, x - 1:x + 2] = MARKER
    animator = FaceAnimator(image, crop.landmarks)

    def centroid(frame: np.ndarray) -> np.ndarray:
        ys, xs = np.nonzero(np.all(np.abs(frame.astype(int) - MARKER) < 60, axis=2))
        assert len(xs), f"the mark at landmark {point} is not in the frame"
        return np.array([xs.mean(), ys.mean()])

    return centroid(animator.render(pose)) - centroid(animator.render(FramePose()))


def test_a_turn_moves_the_nose_most_and_the_near_side_more_than_the_far_side(crops) -> None:
    crop = crops["obama2.jpg"]
    turn = FramePose(head_yaw=FIVE_DEGREES)
    moved = {point: _marker_moved(crop, point, turn)[0] for point in (2, 14, 30, 36, 45, 48, 54)}

    assert moved[30] >= 8.0  # about 9 px at 512 x 512
    assert max(abs(moved[2]), abs(moved[14])) <= 0.25 * moved[30]  # the outline stays
    # The near side (the image's right here) turns with the face more than the far side.
    assert moved[45] >= moved[36] + 4.0
    assert moved[54] >= moved[48] + 2.0


def test_a_nod_moves_the_chin_with_the_face(crops) -> None:
    # The chin stands far out of the ear-to-ear axis, so a nod carries it down nearly as
    # far as the nose (the old analytic depth fell to nothing at the face's outline and
    # left the chin where it was: 4 px against the nose's 11).
    crop = crops["astronaut.png"]
    animator = FaceAnimator(crop.image, crop.landmarks)
    moved = _moved(animator, FramePose(head_pitch=FIVE_DEGREES))[:, 1]

    assert moved[30] >= 7.0
    assert moved[8] >= 0.6 * moved[30]
    assert moved[[36, 45]].mean() < moved[30]


def test_nothing_outside_the_hull_moves_when_the_head_turns(crops) -> None:
    crop = crops["obama2.jpg"]
    animator = FaceAnimator(crop.image, crop.landmarks)
    hull = np.zeros((512, 512), dtype=np.uint8)
    cv2.fillPoly(hull, [np.round(animator.hull).astype(np.int32)], 1)

    changed = np.zeros((512, 512), dtype=bool)
    for yaw, pitch in ((FIVE_DEGREES, 0.0), (-FIVE_DEGREES, FIVE_DEGREES),
                       (0.0, -FIVE_DEGREES)):
        frame = animator.render(FramePose(head_yaw=yaw, head_pitch=pitch))
        changed |= (frame != animator.render(FramePose())).any(axis=2)

    assert not (changed & (hull == 0)).any()
    assert changed[hull > 0].mean() > 0.3
