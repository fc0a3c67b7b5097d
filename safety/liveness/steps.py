"""Did each challenge action happen in its window, after its prompt?

Each measure is compared with the person's own neutral value: the median over the frames
outside every action window (people's faces and cameras differ; the change is what counts).

Thresholds were set on the synthetic genuine-like recordings of tests/safety/liveness_media.py
(a real photo warped over an ellipsoid head: 18 degree turns, 12 degree look-ups, full blinks,
a wide-open mouth) and the still, shifted and zoomed photos of the same faces: every synthetic
action measured at least twice its threshold and the forged ones at most half of it (dlib's
landmark jitter on a still face: yaw +-0.01, pitch +-0.01, eye ratio +-8 %), except blinks:
see BLINK_CLOSED and LOOK_SHUT (a blink is seen in the eye's landmarks or in how it looks).
Real people turn further than 18 degrees when asked; these are floors, not targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .challenge import BLINK_TWICE, LOOK_UP, OPEN_MOUTH, TURN_LEFT, TURN_RIGHT, Challenge
from .signals import (
    FaceTrack,
    corner_pitch,
    eye_aspect_ratio,
    eye_look,
    mouth_opening,
    pitch,
    yaw,
)

TURN_MIN = 0.06  # yaw change (share of jaw width) for a head turn
LOOK_UP_MIN = 0.05  # pitch drop (share of eye-to-chin height) for looking up
# Eye aspect ratio below this share of neutral counts as shut, above BLINK_OPEN as open again
# (hysteresis between the two blinks). Real shut eyes measure ~0.4 of neutral; on the synthetic
# blinks dlib follows the painted eyelids only partway (measured 2026-12-03: deepest frame
# 0.34-0.55 of neutral in six recordings of obama.jpg and biden.jpg, but single blinks at
# 0.73-0.87 in four of obama2.jpg), and a still face's jitter stays above 0.88, so 0.8 / 0.92
# separate them; two dips are required.
BLINK_CLOSED = 0.8
BLINK_OPEN = 0.92
# ... and how the eye looks: the correlation of the eye's patch with the recording's own open
# eye (signals.eye_look). dlib's eye contour does not always follow a closing lid: on obama2.jpg
# the upper-lid points stay on the lid's crease, and a plainly shut eye (skin-coloured lid, a
# line of lashes) measured 0.73-0.87 of the open eye's ratio. Measured 2026-12-03 on the
# synthetic genuine-like recordings of the bench's seeds 0-19 (320 px VP8, four photos): shut
# eyes' look 0.19-0.69 (obama2.jpg 0.32-0.41, biden.jpg the highest, 0.66-0.69); open eyes
# while talking, head at rest, >= 0.84 (median 0.98-0.99); the still, 1 px shifted and Ken
# Burns photos of the same four faces >= 0.90. A head turn or look-up changes the look too
# (down to 0.05), so the look only counts while the head faces as it does at rest (yaw and
# eye-corner pitch within half their action thresholds).
LOOK_SHUT = 0.75
LOOK_OPEN = 0.9
MOUTH_WIDE_MIN = 0.35  # inner-lip gap over eye distance, above neutral, for "open wide"
HOLD_SECONDS = 0.2  # a turn, look-up or open mouth must last this long (not one noisy frame)
# The action must start after its prompt: the reaction time of a person reading one word.
MIN_REACTION = 0.25


@dataclass(frozen=True)
class StepResult:
    action: str
    reveal_at: float
    passed: bool
    seen_at: float | None
    peak: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "reveal_at": self.reveal_at,
            "passed": self.passed,
            "seen_at": None if self.seen_at is None else round(self.seen_at, 2),
            "peak": round(float(self.peak), 3),
        }


def check_steps(track: FaceTrack, challenge: Challenge) -> list[StepResult]:
    found = track.found
    times = track.times
    signals = {
        "yaw": np.full(len(times), np.nan),
        "pitch": np.full(len(times), np.nan),
        "ear": np.full(len(times), np.nan),
        "mouth": np.full(len(times), np.nan),
    }
    if found.any():
        points = track.landmarks[found]
        signals["yaw"][found] = yaw(points)
        signals["pitch"][found] = pitch(points)
        signals["ear"][found] = eye_aspect_ratio(points)
        signals["mouth"][found] = mouth_opening(points)
    outside = np.ones(len(times), dtype=bool)
    for step in challenge.steps:
        outside &= ~((times >= step.reveal_at) & (times < step.ends_at))
    neutral_frames = outside & found
    if neutral_frames.sum() < 3:
        neutral_frames = found
    neutral = {
        name: float(np.nanmedian(values[neutral_frames])) if neutral_frames.any() else np.nan
        for name, values in signals.items()
    }
    if track.eyes is not None and neutral_frames.any():
        look = np.full(len(times), np.nan)
        look[found] = eye_look(track.eyes, neutral_frames)[found]
        # The head's rest is judged on the eye corners (corner_pitch), which stay put as
        # the lids close.
        tilt = np.full(len(times), np.nan)
        tilt[found] = corner_pitch(track.landmarks[found])
        rest = float(np.nanmedian(tilt[neutral_frames]))
        steady = (np.abs(signals["yaw"] - neutral["yaw"]) < TURN_MIN / 2) & (
            np.abs(tilt - rest) < LOOK_UP_MIN / 2
        )
        signals["look"] = np.where(steady, look, np.nan)
    results = []
    for step in challenge.steps:
        in_window = (times >= step.reveal_at + MIN_REACTION) & (times < step.ends_at) & found
        results.append(_check_one(step, times, in_window, signals, neutral))
    return results


def _check_one(step, times, in_window, signals, neutral) -> StepResult:
    if not in_window.any():
        return StepResult(step.action, step.reveal_at, False, None, 0.0)
    if step.action == BLINK_TWICE:
        # Two blinks seen by either measure (each with its own hysteresis).
        ratio = signals["ear"] / neutral["ear"]
        blinks, first_at, deepest = _count_blinks(times[in_window], ratio[in_window])
        if "look" in signals:
            by_look = _count_blinks(
                times[in_window], signals["look"][in_window], closed=LOOK_SHUT, opened=LOOK_OPEN
            )
            if by_look[0] > blinks or (by_look[0] == blinks and blinks and by_look[1] < first_at):
                blinks, first_at = by_look[0], by_look[1]
            deepest = max(deepest, by_look[2])
        return StepResult(step.action, step.reveal_at, blinks >= 2, first_at, deepest)
    if step.action in (TURN_LEFT, TURN_RIGHT):
        change = signals["yaw"] - neutral["yaw"]
        # Turning to one's own left moves the nose to the image's right: yaw grows.
        if step.action == TURN_RIGHT:
            change = -change
        threshold = TURN_MIN
    elif step.action == LOOK_UP:
        change, threshold = -(signals["pitch"] - neutral["pitch"]), LOOK_UP_MIN
    elif step.action == OPEN_MOUTH:
        change, threshold = signals["mouth"] - neutral["mouth"], MOUTH_WIDE_MIN
    else:
        raise ValueError(f"unknown challenge action {step.action!r}")
    values, when = change[in_window], times[in_window]
    seen_at = _held_above(when, values, threshold)
    return StepResult(
        step.action, step.reveal_at, seen_at is not None, seen_at, float(np.nanmax(values))
    )


def _held_above(times: np.ndarray, values: np.ndarray, threshold: float) -> float | None:
    """First time the values stay above `threshold` for HOLD_SECONDS (or two frames)."""
    start = None
    for index, value in enumerate(values):
        if value >= threshold:
            if start is None:
                start = index
            if times[index] - times[start] >= HOLD_SECONDS or index - start >= 2:
                return float(times[start])
        else:
            start = None
    return None


def _count_blinks(
    times: np.ndarray,
    ratio: np.ndarray,
    *,
    closed: float = BLINK_CLOSED,
    opened: float = BLINK_OPEN,
) -> tuple[int, float | None, float]:
    """Shut-then-open cycles of the eyes (with hysteresis between `closed` and `opened`;
    NaN, a frame not measured, changes nothing), the first one's time, and the deepest
    closing as 1 - (measure over neutral)."""
    blinks, first_at, shut = 0, None, False
    for time, value in zip(times, ratio, strict=True):
        if not shut and value < closed:
            shut = True
            if first_at is None:
                first_at = float(time)
        elif shut and value > opened:
            shut, blinks = False, blinks + 1
    deepest = float(1.0 - np.nanmin(ratio)) if np.isfinite(ratio).any() else 0.0
    return blinks, first_at, deepest
