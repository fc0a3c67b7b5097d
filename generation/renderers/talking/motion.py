"""The motion plan: what the face does on each frame, decided from audio features and a seed.

Everything here is a small per-frame number, so tests can check the animation's timing
without rendering a pixel, and the renderer can precompute the whole clip's plan cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.ndimage import maximum_filter1d, uniform_filter1d

from generation.audio_features import AudioFeatures
from generation.speech.visemes import VisemeTrack

# A blink: lids close in ~60 ms, stay shut ~30 ms, reopen in ~60 ms (about 150 ms in all).
BLINK_CLOSE_S = 0.06
BLINK_HOLD_S = 0.03
BLINK_OPEN_S = 0.06
BLINK_INTERVAL_S = (2.0, 6.0)
# Gaze shifts (saccades): one every 2-5 s, the eyes reaching their new direction within about
# 80 ms (2-3 frames at 25 fps; a real saccade takes 30-60 ms), to at most 0.15 of the eye's
# half-width sideways (about 2 mm of iris travel: a glance, not a look away) and a little up
# or down; most of the time they come back to the camera at the next shift. The iris's place
# moves dlib's identity embedding by about 0.07 per half-width (astronaut.png's worst
# frames): 0.12-0.2 took the bench's worst frame to 0.459 (with a lower shut lid then; 0.446
# before), over the 0.45 target.
GAZE_INTERVAL_S = (2.0, 5.0)
GAZE_MOVE_S = 0.08
GAZE_SIDEWAYS = (0.08, 0.15)
GAZE_VERTICAL = 0.05
GAZE_BACK_TO_CENTRE = 0.65
# The gaze draws from a random stream of its own, so adding it did not change the blinks and
# head motion that earlier plans of the same seed had.
GAZE_STREAM = 0x6A2E


@dataclass(frozen=True, eq=False)
class MotionTrack:
    """Per-frame animation parameters."""

    fps: int
    mouth_open: np.ndarray  # 0 shut .. 1 widest speaking opening
    mouth_width: np.ndarray  # mouth width relative to the photo (< 1 rounded, > 1 spread)
    blink: np.ndarray  # 0 eyes as in the photo .. 1 shut
    head_roll: np.ndarray  # radians, positive = clockwise in the image
    head_shift: np.ndarray  # (N, 2): (x, y) in face widths
    head_nod: np.ndarray  # head pitch proxy: downward shift of the upper face, face heights
    head_yaw: np.ndarray  # radians, positive = the face turns towards the image's right
    head_pitch: np.ndarray  # radians, positive = the face tips down (a nod)
    tongue: np.ndarray  # 0..1: how much the tongue tip shows (th, l)
    brow_lift: np.ndarray  # 0..1: brows raised with emphasis
    gaze: np.ndarray  # (N, 2): (sideways, down) in the eye's half-widths, 0 = as in the photo

    def __len__(self) -> int:
        return len(self.mouth_open)


def plan_motion(
    features: AudioFeatures,
    visemes: VisemeTrack | None = None,
    *,
    seed: int,
    expressiveness: float = 1.0,
    head_motion: float = 1.0,
    blinks: bool = True,
) -> MotionTrack:
    count = len(features)
    fps = features.fps
    if visemes is None:
        mouth_open, mouth_width = _mouth(features, expressiveness)
        tongue = np.zeros(count, dtype=np.float32)
    else:
        mouth_open, mouth_width = _mouth_from_visemes(features, visemes, expressiveness)
        tongue = (visemes.tongue * np.clip(mouth_open * 3.0, 0.0, 1.0)).astype(np.float32)
    rng = np.random.default_rng(seed)
    blink = _blinks(count, fps, rng) if blinks else np.zeros(count, dtype=np.float32)
    roll, shift, nod = _head(features, rng, head_motion)
    yaw, pitch, emphasis = _turns(features, rng, head_motion)
    return MotionTrack(
        fps=fps,
        mouth_open=mouth_open,
        mouth_width=mouth_width,
        blink=blink,
        head_roll=roll,
        head_shift=shift,
        head_nod=nod,
        head_yaw=yaw,
        head_pitch=pitch,
        tongue=tongue,
        brow_lift=np.clip(emphasis * expressiveness, 0.0, 1.0).astype(np.float32),
        gaze=_gaze_shifts(count, fps, np.random.default_rng([seed, GAZE_STREAM])),
    )


def _mouth(features: AudioFeatures, expressiveness: float) -> tuple[np.ndarray, np.ndarray]:
    level = np.clip(features.loudness, 0.0, 1.0) * np.clip(features.voice * 1.5, 0.0, 1.0)
    opening = level**0.85
    # Fricatives (s, sh, f) are made with the teeth nearly together; rounded vowels with a
    # small, round opening.
    opening = opening * (1.0 - 0.45 * features.high_band) * (1.0 - 0.3 * features.roundness)
    # Lips shut on the hush before p/b and during m: override the level outright.
    opening = opening * (1.0 - features.closure)
    opening = np.clip(opening * expressiveness, 0.0, 1.0).astype(np.float32)
    width = (
        1.0
        - 0.22 * features.roundness * expressiveness
        - 0.06 * opening
        + 0.04 * features.high_band * (1.0 - features.roundness)
    )
    return opening, np.clip(width, 0.6, 1.1).astype(np.float32)


# The most the opening may change from one frame to the next (share of the clip's wide
# opening): faster reads as a snap. Measured with bench/lipsync_quality.py on the four shared
# photos: 0.3 kept the jaw so slow that the opening lagged the voice (mouth/loudness
# correlation 0.54 at worst); 0.45 made dlib see 0.5-0.8 snaps per second; 0.38 gave 0.65
# and 0.14.
MAX_STEP = 0.38
# At a p or b release the opening may rise this many times MAX_STEP in a frame: the lips
# burst apart while the jaw is already on its way to the vowel (bench/lipsync_quality.py
# counts no snap there). 2.0 raised the mouth/loudness correlation of the worst clip
# 0.672 -> 0.685 in the motion plan; more gained nothing.
RELEASE_STEP_GAIN = 2.0
# Rounding never narrows the mouth below this share of the photo's width: narrower changes
# the lower face enough to move its identity embedding by up to 0.49 (obama2.jpg at 0.65),
# against 0.44 at 0.72.
MIN_WIDTH = 0.72
# Where the formants alone say spread or rounded (see _mouth_from_visemes): the widths they
# pull to, and how far the rounded cue pulls (half: the recogniser's own rounding already
# reaches a median of 0.77; the pull catches the oo's it missed).
SPREAD_WIDTH = 1.3
# See voiced_opening.
OPENING_FLOOR = 0.2
OPENING_GAIN = 1.8
ROUNDED_WIDTH = 0.64
ROUNDED_PULL = 0.5
# How much of the opening a fully rounded shape (ROUNDED_WIDTH) closes (rounded_aperture). On
# espeak-ng's en and de speech and the sung vowels an oo's widest opening was 0.64-1.02 of an
# ah's without it, 0.37-0.58 at 0.55 and 0.37-0.55 at 0.6; espeak-ng's aw and oh (planned
# widths 0.72-0.8) keep 0.33-0.8 of full voice, against 0.9-0.98 for its ah.
ROUNDED_CLOSING = 0.6
# The open-vowel cue at which the lips are fully unrounded: its follower reaches only
# 0.8-0.9 inside espeak-ng's ah's and about half on their first and last frames.
OPEN_UNROUNDING = 2.0


def _mouth_from_visemes(features: AudioFeatures, visemes: VisemeTrack, expressiveness: float
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Opening = the viseme's shape scaled by the voice's level (the jaw follows loudness);
    width = the viseme's rounding or spreading, stronger with more voice."""
    level = np.clip(features.loudness, 0.0, 1.0) * np.clip(features.voice * 1.5, 0.0, 1.0)
    # The jaw's opening in proportion to the level (a power or a gain above 1 flattens the
    # loud vowels and lowers the correlation with loudness).
    amplitude = level
    if features.voice_now is not None:
        # Out of silence the lips part only when the sound starts (p, b, m open utterances).
        amplitude = amplitude * np.clip(features.voice_now * 3.0, 0.0, 1.0)
    if features.sounding is not None:
        # When the sound stops the lips are shut on the next frame: the level's follower
        # still carried the note's tail there (an opening of 0.09, read by dlib as lips 3 %
        # apart, 40 ms after a sung note). Closing is then planned earlier by the slew limit,
        # at the usual pace, not sped up.
        amplitude = amplitude * features.sounding
    # Voice the recogniser heard as silence or noise (a sung note, a hum of vowels it has no
    # model for) takes a vowel shape from the spectrum: rounded when F1 and F2 are low,
    # spread when the energy sits high without hiss, open otherwise.
    heard = np.clip(visemes.unlabelled * np.clip(features.voice * 1.5, 0.0, 1.0), 0.0, 1.0)
    spread_cue = (np.clip((features.centroid * 4000.0 - 1300.0) / 600.0, 0.0, 1.0)
                  * (1.0 - features.high_band) * (1.0 - features.roundness))
    acoustic_opening = 0.75 - 0.3 * features.roundness - 0.25 * spread_cue
    acoustic_width = 1.0 - 0.36 * features.roundness + 0.14 * spread_cue
    visemes = replace(
        visemes,
        opening=visemes.opening + heard * (acoustic_opening - visemes.opening),
        width=visemes.width + heard * (acoustic_width - visemes.width),
    )
    # The formants are a second opinion on the vowel's shape, in any language: where they
    # say spread (ee, i) or rounded (oo, oh), the lips go at least that far. The recogniser
    # often hears a neutral vowel there, or the rounding of a neighbouring w or oo carries
    # over (spread vowels' width on espeak-ng speech: median 1.14 -> 1.23; rounded 0.77).
    width = np.maximum(visemes.width,
                       visemes.width + features.spreadness * (SPREAD_WIDTH - visemes.width))
    width = np.minimum(width, width + ROUNDED_PULL * features.roundness * (ROUNDED_WIDTH - width))
    # An open vowel (ah) is never rounded: the recogniser often hears espeak-ng's ah as an aw
    # (AO) and a rounded neighbour carries over, but where the formants say the jaw is wide
    # open and unrounded the lips go back to neutral.
    width = np.maximum(width, width + np.clip(OPEN_UNROUNDING * features.openness, 0.0, 1.0)
                       * (1.0 - width))
    visemes = replace(visemes, width=width)
    # A light 3-frame smoothing of the shape; where the sound holds steady (a sustained or
    # sung vowel: voiced, loud, its spectrum unchanging) the shape is held over ~0.4 s, so
    # vibrato or a recogniser wavering between phones does not make the lips flap.
    change = np.abs(np.diff(features.centroid, prepend=features.centroid[:1]))
    steady = ((uniform_filter1d(change, 5, mode="nearest") < 0.02) & (features.voice > 0.9)
              & (features.loudness > 0.3)
              & (maximum_filter1d(visemes.press, 5, mode="nearest") < 0.5)).astype(np.float32)
    steady = uniform_filter1d(steady, 5, mode="nearest")
    held_opening = uniform_filter1d(visemes.opening, 9, mode="nearest")
    held_width = uniform_filter1d(visemes.width, 9, mode="nearest")
    # The jaw holds too: a held note's vibrato swells its loudness at ~5.5 Hz, which would
    # flap the lips once the vowel's opening reaches its full size. Shut stays shut after
    # the sound stops.
    amplitude = amplitude + steady * (uniform_filter1d(amplitude, 9, mode="nearest") - amplitude)
    if features.sounding is not None:
        amplitude = amplitude * features.sounding
    visemes = replace(
        visemes,
        opening=_smooth3(visemes.opening + steady * (held_opening - visemes.opening)),
        width=_smooth3(visemes.width + steady * (held_width - visemes.width)),
    )
    opening = np.clip(voiced_opening(visemes.opening) * amplitude * expressiveness
                      * rounded_aperture(visemes.width), 0.0, 1.0)
    shut = visemes.press >= 1.0
    opening[shut] = 0.0
    # Steps are bounded relative to this clip's own typical wide opening, not to 1.
    voiced = opening[features.voice > 0.5]
    typical = float(np.percentile(voiced, 95)) if len(voiced) else 1.0
    opening = _limit_slew(opening, shut, MAX_STEP * max(typical, 0.2),
                          fast_rise=visemes.release > 0).astype(np.float32)
    shape = np.clip(visemes.width - 1.0, -0.3, 0.3) * np.clip(0.4 + level * 1.2, 0.0, 1.0)
    width = np.clip(1.0 + shape * expressiveness, MIN_WIDTH, 1.3)
    return opening, _limit_slew(width, np.zeros(len(width), bool), 0.12).astype(np.float32)


def voiced_opening(viseme_opening: np.ndarray) -> np.ndarray:
    """How far a voiced frame's viseme opens the jaw at full loudness.

    Blending with neighbours lowers every peak: in running speech the track's medians are
    0.44 for an open vowel (ah) and 0.26 for a spread one (ee). A linear gain brings the open
    vowels back to full size while keeping ee visibly narrower (a power below 1 squeezed the
    two to 0.81 and 0.68, which look alike on a smiling photo); the floor keeps any voiced
    frame's lips parted.
    """
    return OPENING_FLOOR + (1.0 - OPENING_FLOOR) * np.clip(viseme_opening * OPENING_GAIN, 0.0, 1.0)


def rounded_aperture(width: np.ndarray) -> np.ndarray:
    """The share of the jaw's opening that rounded lips leave open: rounding draws the lips
    together into a small round hole (oo), less so for the wider rounded shapes (oh, aw).

    The painter draws any width under 1 as rounded, protruding lips; with the jaw's full
    opening inside them (voiced_opening lifts an oo's 0.42 to 0.8 of full voice) an oo came
    out as the big dark oval of an aw, opening 0.65-0.85 against an ah's 0.91-0.97.
    """
    depth = np.clip((1.0 - width) / (1.0 - ROUNDED_WIDTH), 0.0, 1.0)
    return 1.0 - ROUNDED_CLOSING * depth


def _smooth3(values: np.ndarray) -> np.ndarray:
    if len(values) < 3:
        return values
    padded = np.r_[values[:1], values, values[-1:]]
    return (0.25 * padded[:-2] + 0.5 * padded[1:-1] + 0.25 * padded[2:]).astype(np.float32)


def _limit_slew(values: np.ndarray, shut: np.ndarray, step: float,
                fast_rise: np.ndarray | None = None) -> np.ndarray:
    """Bound frame-to-frame changes to ``step``: closing starts early enough to reach a shut
    frame (backward pass); opening rises at most ``step`` a frame (forward pass), so even a
    release takes two frames to open wide, except on ``fast_rise`` frames (a plosive's
    release), which may rise RELEASE_STEP_GAIN x as far. Both passes only lower values: shut
    stays shut."""
    out = values.astype(np.float64).copy()
    for index in range(len(out) - 2, -1, -1):
        out[index] = min(out[index], out[index + 1] + step)
    rise = np.full(len(out), step)
    if fast_rise is not None:
        rise[fast_rise] = step * RELEASE_STEP_GAIN
    for index in range(1, len(out)):
        out[index] = min(out[index], out[index - 1] + rise[index])
    return out


def _turns(features: AudioFeatures, rng: np.random.Generator, amount: float
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Yaw: a slow look from side to side (up to about +-5 degrees); pitch: small drift plus
    a nod (about 2-3 degrees) on each stressed syllable (a sharp rise in loudness); the
    brows rise with every other of those nods (0..1)."""
    count, fps = len(features), features.fps
    t = np.arange(count) / fps
    yaw = np.zeros(count)
    for amplitude, low, high in ((0.066, 0.05, 0.12), (0.025, 0.15, 0.35)):
        yaw += amplitude * np.sin(2 * np.pi * rng.uniform(low, high) * t
                                  + rng.uniform(0, 2 * np.pi))
    window = max(1, int(round(0.25 * fps)))
    energy = uniform_filter1d(features.loudness.astype(np.float64), window, mode="nearest")
    onset = np.clip(np.gradient(energy) * fps, 0.0, None)
    nod = np.zeros(count)
    kernel_t = np.arange(int(0.6 * fps)) / fps
    kernel = np.sin(np.pi * np.clip(kernel_t / 0.5, 0.0, 1.0)) ** 2
    peaks = np.flatnonzero((onset > 1.2) & (onset >= np.roll(onset, 1))
                           & (onset >= np.roll(onset, -1)))
    brows = np.zeros(count)
    last = -count
    for number, peak in enumerate(peaks):
        if peak - last < int(0.5 * fps):
            continue
        last = peak
        end = min(count, peak + len(kernel))
        nod[peak:end] = np.maximum(nod[peak:end], 0.045 * kernel[: end - peak])
        if number % 2 == 0:
            brows[peak:end] = np.maximum(brows[peak:end], kernel[: end - peak])
    pitch = 0.015 * np.sin(2 * np.pi * rng.uniform(0.05, 0.15) * t + rng.uniform(0, 6.3)) + nod
    return ((amount * yaw).astype(np.float32), (amount * pitch).astype(np.float32),
            brows.astype(np.float32))


def _blinks(count: int, fps: int, rng: np.random.Generator) -> np.ndarray:
    """Blinks at random intervals of 2-6 s (seeded), the first 0.6-2.5 s in."""
    blink = np.zeros(count, dtype=np.float32)
    frame_times = (np.arange(count) + 0.5) / fps
    start = rng.uniform(0.6, 2.5)
    duration = BLINK_CLOSE_S + BLINK_HOLD_S + BLINK_OPEN_S
    while start < count / fps:
        # Snap the fully-shut moment onto a frame so every blink is seen shut at any fps.
        shut_frame = int(np.floor((start + BLINK_CLOSE_S) * fps))
        start = (shut_frame + 0.5) / fps - BLINK_CLOSE_S - BLINK_HOLD_S / 2
        tau = frame_times - start
        shape = np.where(
            tau < BLINK_CLOSE_S,
            _ease(tau / BLINK_CLOSE_S),
            np.where(
                tau < BLINK_CLOSE_S + BLINK_HOLD_S,
                1.0,
                1.0 - _ease((tau - BLINK_CLOSE_S - BLINK_HOLD_S) / BLINK_OPEN_S),
            ),
        )
        shape = np.where((tau >= 0) & (tau <= duration), shape, 0.0)
        blink = np.maximum(blink, shape.astype(np.float32))
        start += rng.uniform(*BLINK_INTERVAL_S)
    return blink


def _gaze_shifts(count: int, fps: int, rng: np.random.Generator) -> np.ndarray:
    """(count, 2) gaze: held still between saccades every 2-5 s (seeded), each a quick eased
    move to a small sideways (and slightly vertical) offset, or back to the centre."""
    gaze = np.zeros((count, 2), dtype=np.float32)
    move_frames = max(2, int(round(GAZE_MOVE_S * fps)))
    current = np.zeros(2)
    start = int(round(rng.uniform(*GAZE_INTERVAL_S) * fps))
    while start < count:
        off_centre = bool(np.any(current))
        if off_centre and rng.uniform() < GAZE_BACK_TO_CENTRE:
            target = np.zeros(2)
        else:
            sideways = rng.uniform(*GAZE_SIDEWAYS) * rng.choice((-1.0, 1.0))
            target = np.array([sideways, rng.uniform(-GAZE_VERTICAL, GAZE_VERTICAL)])
        steps = _ease(np.arange(1, move_frames + 1) / move_frames)[:, None]
        end = min(count, start + move_frames)
        gaze[start:end] = current + (target - current) * steps[: end - start]
        gaze[end:] = target
        current = target
        start = end + int(round(rng.uniform(*GAZE_INTERVAL_S) * fps))
    return gaze


def _ease(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _head(
    features: AudioFeatures, rng: np.random.Generator, amount: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Slow idle sway (sums of seeded sines) plus nods and tilts that follow speech energy."""
    count, fps = len(features), features.fps
    t = np.arange(count) / fps

    def sway(amplitude: float) -> np.ndarray:
        total = np.zeros(count)
        for _ in range(3):
            frequency = rng.uniform(0.07, 0.3)
            total += np.sin(2 * np.pi * frequency * t + rng.uniform(0, 2 * np.pi))
        return amplitude * total / 3.0

    window = max(1, int(round(0.5 * fps)))
    energy = uniform_filter1d(features.loudness.astype(np.float64), window, mode="nearest")
    # Nods land on emphasis: where the energy rises, the head dips a little and comes back.
    emphasis = uniform_filter1d(np.clip(np.gradient(energy) * fps, 0.0, None), window,
                                mode="nearest")
    roll = sway(0.02) + 0.008 * (energy - energy.mean())
    shift = np.stack([sway(0.012), sway(0.006) + 0.004 * energy], axis=1)
    nod = 0.006 * energy + 0.01 * np.clip(emphasis, 0.0, 1.5)
    return (
        (amount * roll).astype(np.float32),
        (amount * shift).astype(np.float32),
        (amount * nod).astype(np.float32),
    )
