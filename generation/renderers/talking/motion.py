"""The motion plan: what the face does on each frame, decided from audio features and a seed.

Everything here is a small per-frame number, so tests can check the animation's timing
without rendering a pixel, and the renderer can precompute the whole clip's plan cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d

from generation.audio_features import AudioFeatures

# A blink: lids close in ~60 ms, stay shut ~30 ms, reopen in ~60 ms (about 150 ms in all).
BLINK_CLOSE_S = 0.06
BLINK_HOLD_S = 0.03
BLINK_OPEN_S = 0.06
BLINK_INTERVAL_S = (2.0, 6.0)


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

    def __len__(self) -> int:
        return len(self.mouth_open)


def plan_motion(
    features: AudioFeatures,
    *,
    seed: int,
    expressiveness: float = 1.0,
    head_motion: float = 1.0,
    blinks: bool = True,
) -> MotionTrack:
    count = len(features)
    fps = features.fps
    mouth_open, mouth_width = _mouth(features, expressiveness)
    rng = np.random.default_rng(seed)
    blink = _blinks(count, fps, rng) if blinks else np.zeros(count, dtype=np.float32)
    roll, shift, nod = _head(features, rng, head_motion)
    return MotionTrack(
        fps=fps,
        mouth_open=mouth_open,
        mouth_width=mouth_width,
        blink=blink,
        head_roll=roll,
        head_shift=shift,
        head_nod=nod,
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
