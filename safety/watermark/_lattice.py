"""Keyless estimates of how the tile grid was stretched or turned, from the picture's own energy.

A tiled pattern is periodic, so it leaves traces that need no key to see: a comb of spectral lines
(one every W / (TILE * scale) bins along x, likewise along y) and autocorrelation peaks at the
tile's period vectors. These are energy detectors, weaker than the keyed sync correlation, so
they only propose placements (an aspect-ratio change, a small rotation) that the keyed search
then checks. The isotropic, unrotated case is covered by the keyed coarse sweep itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy.fft import next_fast_len

from ._tile_layout import TILE, band_coefficients

_COMB_STEPS = 800
_COMB_PEAKS = 3
_AUTOCORRELATION_PEAKS = 8
_MAX_ANGLE = 10.0  # degrees; larger turns are left undetected
_MIN_ANGLE = 0.4  # degrees; smaller turns are not searched for


@dataclass(frozen=True)
class Placement:
    """How the embedder's tile grid lies in the received picture."""

    scale_x: float  # received pixels per embedded pixel, along the tile's x axis
    scale_y: float
    angle: float = 0.0  # of the tile's x axis: degrees, atan2(dy, dx) with y pointing down


def comb_placements(
    whitened: npt.NDArray[np.float32], min_scale: float, max_scale: float
) -> list[Placement]:
    """Unrotated placements whose per-axis scales match the spectral comb of the picture."""
    height, width = whitened.shape
    power = np.abs(np.fft.rfft2(whitened)) ** 2
    columns = power.sum(axis=0)
    by_row = power.sum(axis=1)
    rows = by_row[: height // 2 + 1].copy()
    rows[1 : (height + 1) // 2] += by_row[::-1][: (height + 1) // 2 - 1]
    scales = np.geomspace(min_scale, max_scale, _COMB_STEPS)
    column_weight, row_weight = _comb_weights()
    best_x = _comb_peaks(columns, width, column_weight, scales)
    best_y = _comb_peaks(rows, height, row_weight, scales)
    return [Placement(sx, sy) for sx in best_x for sy in best_y]


@lru_cache(maxsize=1)
def _comb_weights() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """How many of the tile's band frequencies lie on each column / row index of the tile."""
    rows, cols = band_coefficients()
    row_index = np.abs(np.rint(np.fft.fftfreq(TILE)[rows] * TILE)).astype(int)
    return (
        np.bincount(cols, minlength=TILE // 2 + 1).astype(np.float64),
        np.bincount(row_index, minlength=TILE // 2 + 1).astype(np.float64),
    )


def _comb_peaks(
    profile: npt.NDArray[np.float64],
    length: int,
    weights: npt.NDArray[np.float64],
    scales: npt.NDArray[np.float64],
) -> list[float]:
    """Scales whose comb of spectral lines carries the most excess energy in ``profile``."""
    profile = profile.astype(np.float64).copy()
    # Block-coding artefacts (4, 8, 16 px grids) make lines of their own: blank them.
    for position in np.arange(0, len(profile), length / 16.0):
        low, high = int(np.floor(position)) - 1, int(np.ceil(position)) + 2
        profile[max(0, low) : high] = np.nan
    if np.isnan(profile[1:]).all():
        return []
    baseline = np.nanmedian(profile[1:])
    if not baseline > 0:
        # A flat picture (a black frame, a blank recording) has no comb to find; dividing by
        # its zero baseline made every line infinitely strong.
        return []
    profile = np.nan_to_num(profile / baseline - 1.0, nan=0.0)
    harmonics = np.nonzero(weights)[0]
    spacing = length / (TILE * scales[:, None])

    def comb(offset: float) -> npt.NDArray[np.float64]:
        positions = (harmonics[None, :] + offset) * spacing
        inside = positions < len(profile) - 1
        values = np.interp(np.where(inside, positions, 0), np.arange(len(profile)), profile)
        return (values * weights[harmonics] * inside).sum(axis=1)

    # Minus the comb shifted by half a tooth: at half the true scale every other tooth, and
    # the shifted comb's teeth too, land on real lines, so sub-harmonics score nothing.
    scores = comb(0.0) - comb(0.5)
    picked: list[float] = []
    for index in np.argsort(scores)[::-1]:
        if all(abs(scales[index] / other - 1.0) > 0.02 for other in picked):
            picked.append(float(scales[index]))
        if len(picked) == _COMB_PEAKS:
            break
    return picked


def rotated_placements(
    whitened: npt.NDArray[np.float32], min_scale: float, max_scale: float
) -> list[Placement]:
    """Turned placements read from the autocorrelation peaks at the tile's two period vectors."""
    height, width = whitened.shape
    reach = int(math.ceil(TILE * max_scale)) + 2
    # Zero-padding by the longest lag makes the autocorrelation linear: a circular one would
    # pair pixels across the wrap, which are not one period apart.
    padded = (next_fast_len(height + reach), next_fast_len(width + reach))
    autocorrelation = np.fft.irfft2(np.abs(np.fft.rfft2(whitened, s=padded)) ** 2, s=padded)
    lags_y = np.arange(-min(reach, height // 2), min(reach, height // 2) + 1)
    lags_x = np.arange(0, min(reach, width // 2) + 1)
    window = autocorrelation[np.ix_(lags_y % padded[0], lags_x % padded[1])]
    # Divide by how many pixel pairs each lag compares (the picture is not periodic).
    window = window / np.outer(height - np.abs(lags_y), width - lags_x)
    radius = np.hypot(lags_y[:, None], lags_x[None, :])
    usable = (radius >= TILE * min_scale) & (radius <= TILE * max_scale)
    # One of each +/- pair; and no lag straight along an axis, where the re-encoder's block grid
    # puts peaks of its own (an unturned grid is the coarse sweep's job anyway).
    usable &= (lags_x[None, :] > 0) & (lags_y[:, None] != 0)
    values = np.where(usable, window, -np.inf)

    peaks: list[tuple[float, float]] = []
    for _ in range(_AUTOCORRELATION_PEAKS):
        row, col = np.unravel_index(int(np.argmax(values)), values.shape)
        if not np.isfinite(values[row, col]):
            break
        peaks.append(_refine_peak(window, lags_x, lags_y, int(row), int(col)))
        values[max(0, row - 6) : row + 7, max(0, col - 6) : col + 7] = -np.inf

    # Compression blocks and the picture itself add peaks of their own, and one of the two
    # period vectors may be too faint to rank: so each peak alone also proposes a square grid.
    placements = [p for p in map(_placement_from_period, peaks) if p is not None]
    for i, first in enumerate(peaks):
        for second in peaks[i + 1 :]:
            placement = _placement_from_periods(first, second)
            if placement is not None:
                placements.append(placement)
    return placements


def _placement_from_period(period: tuple[float, float]) -> Placement | None:
    """A square grid turned so that one of its axes runs along ``period``."""
    angle = math.degrees(math.atan2(period[1], period[0]))
    angle = (angle + 45.0) % 90.0 - 45.0  # the turn relative to the nearest axis
    if not _MIN_ANGLE <= abs(angle) <= _MAX_ANGLE:
        return None
    scale = math.hypot(*period) / TILE
    return Placement(scale, scale, angle)


def _placement_from_periods(
    first: tuple[float, float], second: tuple[float, float]
) -> Placement | None:
    """Turn two period vectors into (scale_x, scale_y, angle), if they form a plausible grid."""
    candidates = [first, (-first[0], -first[1]), second, (-second[0], -second[1])]
    # The x period is the vector nearest the x axis, the y period the one nearest the y axis.
    along_x = min(candidates, key=lambda v: abs(math.degrees(math.atan2(v[1], v[0]))))
    others = [v for v in candidates if v not in (along_x, (-along_x[0], -along_x[1]))]
    if not others:
        return None
    along_y = min(others, key=lambda v: abs(math.degrees(math.atan2(v[1], v[0])) - 90.0))
    angle_x = math.degrees(math.atan2(along_x[1], along_x[0]))
    angle_y = math.degrees(math.atan2(along_y[1], along_y[0])) - 90.0
    if abs(angle_x - angle_y) > 3.0:
        return None
    angle = (angle_x + angle_y) / 2
    if not _MIN_ANGLE <= abs(angle) <= _MAX_ANGLE:
        return None
    return Placement(math.hypot(*along_x) / TILE, math.hypot(*along_y) / TILE, angle)


def _refine_peak(
    values: npt.NDArray[np.float64],
    lags_x: npt.NDArray[np.int64],
    lags_y: npt.NDArray[np.int64],
    row: int,
    col: int,
) -> tuple[float, float]:
    """Sub-pixel lag of an autocorrelation peak (a parabola through it and its neighbours)."""

    def vertex(minus: float, centre: float, plus: float) -> float:
        denominator = minus - 2 * centre + plus
        return (
            0.0 if denominator >= 0 else float(np.clip(0.5 * (minus - plus) / denominator, -1, 1))
        )

    dx = dy = 0.0
    if 0 < col < values.shape[1] - 1:
        dx = vertex(values[row, col - 1], values[row, col], values[row, col + 1])
    if 0 < row < values.shape[0] - 1:
        dy = vertex(values[row - 1, col], values[row, col], values[row + 1, col])
    return float(lags_x[col]) + dx, float(lags_y[row]) + dy
