"""The liveness measures on landmark tracks and hashes made in the test (no video): what a
photo moved around cannot produce, and what a face performing the prompts does."""

import random

import cv2
import numpy as np
import pytest
from PIL import Image

from safety.liveness import Challenge, ChallengeStep, FaceTrack, new_challenge
from safety.liveness.avsync import av_sync
from safety.liveness.challenge import ACTIONS, TURN_LEFT, TURN_RIGHT
from safety.liveness.fingerprint import frame_hash, looped, near_duplicate
from safety.liveness.signals import NOSE_TIP, non_rigid_motion
from safety.liveness.steps import check_steps
from safety.liveness.verdict import MOTION_MIN
from tests.generation.face_helpers import detect_landmarks
from tests.generation.media_factory import face_path

FPS = 15


@pytest.fixture(scope="module")
def face():
    return detect_landmarks(np.asarray(Image.open(face_path("obama.jpg")).convert("RGB")))


def _similar(points, angle, scale, shift):
    c, s = np.cos(angle) * scale, np.sin(angle) * scale
    return points @ np.array([[c, s], [-s, c]]) + shift


def test_challenges_are_random_short_ordered_and_reproducible():
    seen = set()
    for seed in range(200):
        challenge = new_challenge(random.Random(seed))
        actions = [step.action for step in challenge.steps]
        seen.update(actions)
        assert 2 <= len(actions) <= 3 and len(set(actions)) == len(actions)
        assert not {TURN_LEFT, TURN_RIGHT} <= set(actions)
        for before, after in zip(challenge.steps, challenge.steps[1:], strict=False):
            assert after.reveal_at >= before.ends_at
        assert challenge.steps[-1].ends_at <= challenge.seconds
    assert seen == set(ACTIONS)
    assert new_challenge(random.Random(3)) == new_challenge(random.Random(3))


def test_a_photo_panned_zoomed_and_nudged_has_no_non_rigid_motion(face):
    rng = np.random.default_rng(0)
    frames = [
        _similar(face, 0.02 * np.sin(i / 9), 1 + 0.15 * i / 100, (i * 0.4, 1.0 * (i % 3)))
        + rng.normal(0, 0.3, face.shape)  # landmark jitter
        for i in range(100)
    ]
    assert np.nanpercentile(non_rigid_motion(np.stack(frames)), 90) < MOTION_MIN / 2


def test_a_jaw_that_opens_and_a_head_that_turns_move_non_rigidly(face):
    frames = []
    for i in range(100):
        points = face.copy()
        points[5:12, 1] += 30 * max(0, np.sin(i / 4))  # jaw drops while speaking
        points[27:36, 0] += 10 * (30 < i < 45)  # nose moves: a head turn
        frames.append(points)
    assert np.nanpercentile(non_rigid_motion(np.stack(frames)), 90) > MOTION_MIN


def _track(face, turn_at: float | None, seconds=8.0):
    times = np.arange(int(seconds * FPS)) / FPS
    width = face[16, 0] - face[0, 0]
    frames = []
    for t in times:
        points = face.copy()
        if turn_at is not None and turn_at <= t < turn_at + 1.0:
            points[27:36, 0] += 0.12 * width  # nose towards the image's right: own left
            points[NOSE_TIP, 0] += 0.03 * width
        frames.append(points)
    return FaceTrack(times, np.stack(frames))


def test_a_turn_counts_only_inside_its_window_after_the_prompt(face):
    challenge = Challenge((ChallengeStep(TURN_LEFT, 3.0),), seconds=8.0)
    assert check_steps(_track(face, turn_at=3.6), challenge)[0].passed
    assert not check_steps(_track(face, turn_at=0.5), challenge)[0].passed  # before the prompt
    assert not check_steps(_track(face, turn_at=6.5), challenge)[0].passed  # too late
    assert not check_steps(_track(face, turn_at=None), challenge)[0].passed
    wrong_way = Challenge((ChallengeStep(TURN_RIGHT, 3.0),), seconds=8.0)
    assert not check_steps(_track(face, turn_at=3.6), wrong_way)[0].passed


def test_mouth_following_the_voice_correlates_and_a_still_mouth_does_not():
    rate = 16_000
    times = np.arange(8 * FPS) / FPS
    envelope = np.clip(np.sin(2 * np.pi * 2.5 * times), 0, None)
    carrier = np.sin(2 * np.pi * 150 * np.arange(8 * rate) / rate)
    level = np.interp(np.arange(len(carrier)) / rate, times, envelope)
    samples = (0.3 * level * carrier).astype(np.float32)
    assert av_sync(times, 0.05 + 0.3 * envelope, samples, rate).correlation > 0.8
    still = 0.05 + np.random.default_rng(1).normal(0, 0.003, len(times))
    assert av_sync(times, still, samples, rate).correlation == 0.0


def _moving_frames(count=90, seed=0):
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)
    frames = []
    for i in range(count):
        frame = np.roll(base, shift=int(8 * np.sin(i / 5)), axis=1)
        frames.append(np.ascontiguousarray(frame))
    return np.stack([frame_hash(f) for f in frames])


def test_the_same_frames_are_a_replay_and_other_frames_are_not():
    hashes = _moving_frames()
    assert near_duplicate(hashes[10:], hashes) == 1.0
    assert near_duplicate(_moving_frames(seed=5), hashes) < 0.2


def test_a_looped_clip_is_recognised():
    clip = _moving_frames(30)
    times = np.arange(90) / FPS
    assert looped(np.concatenate([clip, clip, clip]), times)[0] == 1.0
    rng = np.random.default_rng(2)
    fresh = np.stack(
        [frame_hash(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)) for _ in range(90)]
    )
    assert looped(fresh, times)[0] < 0.5


def test_two_blinks_need_two_dips_and_jitter_is_no_blink():
    from safety.liveness.steps import _count_blinks

    times = np.arange(45) / FPS
    ratio = np.ones(45)
    ratio[10:12] = 0.5  # shut
    assert _count_blinks(times, ratio)[0] == 1
    ratio[25:27] = 0.7
    assert _count_blinks(times, ratio)[0] == 2
    jitter = 1 + np.random.default_rng(3).normal(0, 0.04, 45)  # a still face's eye ratio
    assert _count_blinks(times, jitter)[0] == 0


def _eye_track(face, dips, *, turned=False, seconds=6.0):
    """A still face whose eye patches change (a shut eye's look) at the times in `dips`, the
    eye landmarks not moving at all (dlib's contour staying open on a shut eye); `turned`
    turns the head during each dip."""
    from safety.liveness.signals import EYE_PATCH

    times = np.arange(int(seconds * FPS)) / FPS
    size = 2 * EYE_PATCH[0] * EYE_PATCH[1]
    rng = np.random.default_rng(4)
    open_eye, shut_eye = rng.normal(size=size), rng.normal(size=size)
    width = face[16, 0] - face[0, 0]
    frames, eyes = [], []
    for t in times:
        shut = any(at <= t < at + 0.2 for at in dips)
        points = face.copy()
        if shut and turned:
            points[27:36, 0] += 0.12 * width
        frames.append(points)
        look = (shut_eye if shut else open_eye) + rng.normal(0, 0.1, size)
        eyes.append(look)
    eyes = np.stack(eyes)
    half = size // 2
    for part in (slice(0, half), slice(half, None)):
        eyes[:, part] -= eyes[:, part].mean(axis=1, keepdims=True)
        eyes[:, part] /= np.linalg.norm(eyes[:, part], axis=1, keepdims=True)
    return FaceTrack(times, np.stack(frames), eyes)


def test_two_blinks_are_seen_in_the_eyes_look_when_the_landmarks_stay_open(face):
    from safety.liveness.challenge import BLINK_TWICE

    challenge = Challenge((ChallengeStep(BLINK_TWICE, 2.0),), seconds=6.0)
    assert check_steps(_eye_track(face, (2.6, 3.3)), challenge)[0].passed
    assert not check_steps(_eye_track(face, (2.6,)), challenge)[0].passed  # one blink
    assert not check_steps(_eye_track(face, (0.5, 1.2)), challenge)[0].passed  # before the prompt
    assert not check_steps(_eye_track(face, ()), challenge)[0].passed
    # The eye looks different because the head turned, not because the lids closed.
    assert not check_steps(_eye_track(face, (2.6, 3.3), turned=True), challenge)[0].passed


def test_eye_patches_do_not_change_when_the_photo_is_moved_or_zoomed(face):
    from safety.liveness.signals import eye_patches

    rgb = np.asarray(Image.open(face_path("obama.jpg")).convert("RGB"))
    base = eye_patches(rgb, face)
    matrix = np.array([[1.1, 0.0, 7.0], [0.0, 1.1, -4.0]])
    moved = cv2.warpAffine(rgb, matrix, (rgb.shape[1], rgb.shape[0]))
    points = face @ matrix[:, :2].T + matrix[:, 2]
    patches = eye_patches(moved, points)
    half = len(base) // 2
    for part in (slice(0, half), slice(half, None)):
        assert base[part] @ patches[part] > 0.95
