"""Does the mouth move with the voice? Correlation of mouth opening with the loudness
envelope, at the best lag within a small range.

A photo with a voice laid under it has a mouth that does not move (correlation ~0); a clip
whose sound was swapped moves out of step. Real speakers reach 0.3-0.6 (the jaw follows the
syllables' energy, with the lips leading the sound by up to ~0.1 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_LAG = 0.3  # seconds, either way
# Loudness below this RMS (full scale 1.0) is silence: a recording with none louder has no voice.
SILENCE_RMS = 0.003
# The mouth must open and close at all: the spread (5th to 95th percentile) of its opening, as
# a share of the eye distance. dlib's jitter on a still photo's mouth spans 0.01-0.02; speech
# on the synthetic genuine-like recordings spans 0.15-0.3. Below this, correlation is 0 (a
# still mouth's jitter can correlate with anything by chance).
MOUTH_SPREAD_MIN = 0.05


@dataclass(frozen=True)
class AvSync:
    correlation: float
    lag: float
    voiced_seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "correlation": round(self.correlation, 3),
            "lag": round(self.lag, 3),
            "voiced_seconds": round(self.voiced_seconds, 2),
        }


def loudness_at(samples: np.ndarray, rate: int, times: np.ndarray, width: float = 0.04):
    """RMS of the samples in a window of `width` seconds around each time."""
    half = max(1, int(width * rate / 2))
    squared = np.concatenate([[0.0], np.cumsum(np.asarray(samples, np.float64) ** 2)])
    centres = np.round(times * rate).astype(int)
    lo = np.clip(centres - half, 0, len(samples))
    hi = np.clip(centres + half, 0, len(samples))
    count = np.maximum(hi - lo, 1)
    return np.sqrt((squared[hi] - squared[lo]) / count)


def av_sync(
    times: np.ndarray,
    mouth: np.ndarray,
    samples: np.ndarray,
    rate: int,
    *,
    use: np.ndarray | None = None,
) -> AvSync:
    """Best Pearson correlation between mouth opening (per frame, NaN where no face) and the
    loudness at the frame's time shifted by a lag in [-MAX_LAG, MAX_LAG]. `use` masks frames
    out (e.g. the "open your mouth wide" window, where the mouth opens in silence)."""
    keep = ~np.isnan(mouth) if use is None else (~np.isnan(mouth) & use)
    if len(samples) == 0:
        return AvSync(0.0, 0.0, 0.0)
    level = loudness_at(samples, rate, times)
    voiced = float((level > SILENCE_RMS).sum() * np.median(np.diff(times))) if len(times) > 1 else 0
    if keep.sum() < 10:
        return AvSync(0.0, 0.0, voiced)
    spread = np.percentile(mouth[keep], 95) - np.percentile(mouth[keep], 5)
    if spread < MOUTH_SPREAD_MIN:
        return AvSync(0.0, 0.0, voiced)
    step = float(np.median(np.diff(times)))
    best = (-1.0, 0.0)
    for shift in range(-int(MAX_LAG / step), int(MAX_LAG / step) + 1):
        lag = shift * step
        shifted = loudness_at(samples, rate, times + lag)
        a, b = mouth[keep], shifted[keep]
        if a.std() < 1e-9 or b.std() < 1e-9:
            continue
        correlation = float(np.corrcoef(a, b)[0, 1])
        if correlation > best[0]:
            best = (correlation, lag)
    return AvSync(max(best[0], 0.0) if best[0] > -1 else 0.0, best[1], voiced)
