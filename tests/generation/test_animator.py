"""The CPU animator: timing, mouth, blinks, identity, determinism, memory, still background.

Mouth behaviour is checked on the animator's per-frame plan (cheap) and, for a few frames,
by re-detecting the lips on the rendered pixels with dlib (what a viewer would see).
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import cv2
import numpy as np
import pytest

from generation.media import DecodedAudio, load_image_rgb, probe_video
from generation.render_job import render_to_file
from generation.renderers import RenderRequest, get_renderer
from generation.renderers.animator import AnimatorRenderer, pose_at
from generation.renderers.base import crop_portrait
from generation.renderers.talking.face_animator import FaceAnimator
from tests.generation import face_helpers as fh
from tests.generation import media_factory as mf

FPS = 25
# Loud segments at 0.5-1.3 s and 2.0-2.6 s, silence elsewhere.
BURSTS = [(0.5, False), (0.8, True), (0.7, False), (0.6, True), (0.6, False)]


@pytest.fixture(scope="module")
def portraits() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    found = {}
    for name in ("obama.jpg", "astronaut.png", "biden.jpg"):
        image = load_image_rgb(mf.face_path(name))
        landmarks = fh.detect_landmarks(image)
        assert landmarks is not None
        found[name] = (image, landmarks)
    return found


def _request(portraits, name: str, samples: np.ndarray, *, size: int = 512, seed: int = 0
             ) -> RenderRequest:
    image, landmarks = portraits[name]
    return RenderRequest(portrait_rgb=image, landmarks=landmarks,
                         audio=DecodedAudio.from_samples(samples, 16_000), size=size, seed=seed)


def _render_at(request: RenderRequest, indices: list[int]) -> dict[int, np.ndarray]:
    """Render chosen frames only (the same code path as frames(), minus the others)."""
    renderer = AnimatorRenderer()
    track = renderer.motion(request)
    crop = crop_portrait(request.portrait_rgb, request.landmarks, request.size)
    animator = FaceAnimator(crop.image, crop.landmarks)
    return {i: animator.render(pose_at(track, i)) for i in indices}


def _frame(seconds: float) -> int:
    return int(seconds * FPS)


def test_get_renderer_builds_the_animator() -> None:
    assert get_renderer("animator").name == "animator"


def test_clip_is_as_long_as_the_audio_with_an_audio_track(tmp_path: Path, portraits) -> None:
    request = _request(portraits, "obama.jpg", mf.tone_bursts(BURSTS)[: int(2.33 * 16_000)],
                       size=256)

    result = render_to_file(AnimatorRenderer(), request, tmp_path / "clip.mp4")

    info = probe_video(result.path)
    assert info.frame_count == result.frame_count == round(2.33 * FPS)
    assert (info.width, info.height, info.fps) == (256, 256, 25.0)
    assert info.has_audio
    assert abs(info.duration_seconds - info.audio_duration_seconds) <= 1 / FPS


def test_mouth_plan_opens_on_sound_and_shuts_in_silence(portraits) -> None:
    track = AnimatorRenderer().motion(_request(portraits, "obama.jpg", mf.tone_bursts(BURSTS)))

    opening = track.mouth_open
    loud = np.r_[opening[_frame(0.65):_frame(1.2)], opening[_frame(2.1):_frame(2.5)]]
    quiet = np.r_[opening[:_frame(0.4)], opening[_frame(1.6):_frame(1.9)], opening[_frame(2.85):]]
    assert loud.min() > 0.5
    assert quiet.max() < 0.05


def test_rendered_mouth_opens_on_sound_and_closes_in_silence(portraits) -> None:
    # obama.jpg smiles with teeth showing: silence must still close the lips.
    request = _request(portraits, "obama.jpg", mf.tone_bursts(BURSTS))
    frames = _render_at(request, [_frame(0.9), _frame(1.7), _frame(2.3), _frame(2.9)])

    opening = {i: fh.inner_lip_opening(fh.detect_landmarks(f)) for i, f in frames.items()}
    photo = fh.inner_lip_opening(portraits["obama.jpg"][1])
    assert photo > 0.05  # the photo's own mouth is open
    for index in (_frame(0.9), _frame(2.3)):
        assert opening[index] > 0.08
    for index in (_frame(1.7), _frame(2.9)):
        assert opening[index] < 0.03


def test_closed_mouth_photo_opens_onto_a_dark_cavity(portraits) -> None:
    request = _request(portraits, "biden.jpg", mf.tone_bursts(BURSTS))
    frame = _render_at(request, [_frame(0.9)])[_frame(0.9)]

    landmarks = fh.detect_landmarks(frame)
    assert fh.inner_lip_opening(landmarks) > 0.06
    inside = np.zeros(frame.shape[:2], dtype=np.uint8)
    cv2.fillPoly(inside, [np.round(landmarks[60:68]).astype(np.int32)], 1)
    luma = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    lips = np.zeros_like(inside)
    cv2.fillPoly(lips, [np.round(landmarks[48:60]).astype(np.int32)], 1)
    lips[inside > 0] = 0
    dark_inside = (luma[inside > 0] < 45).mean()
    assert dark_inside > 0.25  # a dark mouth cavity...
    assert dark_inside > 2.5 * (luma[lips > 0] < 45).mean()  # ...framed by lighter lips


def test_photo_teeth_stay_visible_in_an_open_mouth(portraits) -> None:
    request = _request(portraits, "astronaut.png", mf.tone_bursts(BURSTS))
    frame = _render_at(request, [_frame(0.9)])[_frame(0.9)]

    landmarks = fh.detect_landmarks(frame)
    inside = np.zeros(frame.shape[:2], dtype=np.uint8)
    cv2.fillPoly(inside, [np.round(landmarks[60:68]).astype(np.int32)], 1)
    luma = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)[inside > 0]
    assert (luma > 170).mean() > 0.3  # the photo's bright teeth
    assert (luma < 70).mean() > 0.05  # parted by a dark gap as the jaw drops


def test_lips_close_on_plosives_and_round_on_oo(portraits) -> None:
    samples, closures = mf.plosive_syllables(3)
    track = AnimatorRenderer().motion(_request(portraits, "obama.jpg", samples))
    for start, end in closures:
        assert track.mouth_open[_frame(start):_frame(end) + 1].min() < 0.05

    def width(vowel: str) -> float:
        audio = mf.vowel(1.0, formants=mf.VOWEL_FORMANTS[vowel])
        plan = AnimatorRenderer().motion(_request(portraits, "obama.jpg", audio))
        return float(np.median(plan.mouth_width[_frame(0.2):_frame(0.8)]))

    assert width("oo") < width("ah") - 0.1


def test_sung_note_holds_the_mouth_open_without_flutter(portraits) -> None:
    track = AnimatorRenderer().motion(_request(portraits, "obama.jpg", mf.sung_vowel(3.0)))
    held = track.mouth_open[_frame(0.3):_frame(2.7)]

    assert held.min() > 0.6
    assert np.abs(np.diff(held)).max() < 0.05


def test_blinks_every_two_to_six_seconds_for_about_150_ms(portraits) -> None:
    request = _request(portraits, "astronaut.png", mf.tone(10.0, amplitude=0.1))
    track = AnimatorRenderer().motion(request)

    shut = np.flatnonzero(track.blink > 0.95)
    starts = shut[np.r_[True, np.diff(shut) > 1]]
    assert len(starts) >= 2
    assert np.all(np.diff(starts) / FPS >= 2.0 - 0.1)
    assert np.all(np.diff(starts) / FPS <= 6.0 + 0.1)
    # Each blink shows the lids moving for at most 5 frames (200 ms at 25 fps).
    moving = np.flatnonzero(track.blink > 0.05)
    runs = np.split(moving, np.flatnonzero(np.diff(moving) > 1) + 1)
    assert max(len(run) for run in runs) <= 5

    # On the rendered frame the eyes are shut: the eye's height over width collapses.
    index = int(starts[0])
    frames = _render_at(request, [index, index + 10])

    def eye_aspect(points: np.ndarray) -> float:
        eye = points[36:42]
        return float((np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4]))
                     / (2 * np.linalg.norm(eye[0] - eye[3])))

    shut_aspect = eye_aspect(fh.detect_landmarks(frames[index]))
    open_aspect = eye_aspect(fh.detect_landmarks(frames[index + 10]))
    assert shut_aspect < 0.6 * open_aspect


def test_identity_kept_on_the_most_deformed_frames(portraits) -> None:
    request = _request(portraits, "obama.jpg", mf.tone_bursts(BURSTS))
    track = AnimatorRenderer().motion(request)
    indices = sorted({int(np.argmax(track.mouth_open)), int(np.argmax(track.blink)),
                      int(np.argmax(np.abs(track.head_roll))), _frame(1.7)})
    reference = fh.face_embedding(portraits["obama.jpg"][0])

    for frame in _render_at(request, indices).values():
        distance = float(np.linalg.norm(fh.face_embedding(frame) - reference))
        assert distance < fh.ACCEPT_THRESHOLD


def test_same_seed_same_frames_other_seed_other_motion(portraits) -> None:
    samples = mf.tone_bursts(BURSTS)
    first = list(AnimatorRenderer().frames(_request(portraits, "obama.jpg", samples, size=128)))
    again = list(AnimatorRenderer().frames(_request(portraits, "obama.jpg", samples, size=128)))
    other = AnimatorRenderer().motion(_request(portraits, "obama.jpg", samples, seed=7))
    base = AnimatorRenderer().motion(_request(portraits, "obama.jpg", samples))

    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.allclose(other.head_roll, base.head_roll)


def test_background_corners_stay_still_while_the_face_moves(portraits) -> None:
    request = _request(portraits, "obama.jpg", mf.tone_bursts(BURSTS), size=256)
    frames = list(AnimatorRenderer().frames(request))
    still = crop_portrait(request.portrait_rgb, request.landmarks, 256).image

    for frame in frames:
        for ys, xs in [(slice(0, 24), slice(0, 24)), (slice(0, 24), slice(-24, None)),
                       (slice(-24, None), slice(0, 24)), (slice(-24, None), slice(-24, None))]:
            assert np.array_equal(frame[ys, xs], still[ys, xs])
    mouth_changes = [np.abs(f[150:200, 90:170].astype(int) - still[150:200, 90:170]).mean()
                     for f in frames]
    assert max(mouth_changes) > 10


def test_memory_stays_flat_over_a_minute_of_frames(portraits) -> None:
    pattern = BURSTS * 20  # 64 s
    request = _request(portraits, "obama.jpg", mf.tone_bursts(pattern), size=96)
    frames = AnimatorRenderer().frames(request)
    for _ in range(50):
        next(frames)

    tracemalloc.start()
    try:
        count = 50
        baseline = tracemalloc.get_traced_memory()[0]
        for _ in frames:
            count += 1
        grown = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()

    assert count == round(64 * FPS)
    assert grown < 1_000_000


def test_landmarks_are_required(portraits) -> None:
    request = RenderRequest(portrait_rgb=portraits["obama.jpg"][0], landmarks=None,
                            audio=DecodedAudio.from_samples(mf.tone(1.0), 16_000))

    with pytest.raises(ValueError, match="landmarks"):
        next(AnimatorRenderer().frames(request))
