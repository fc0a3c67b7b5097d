"""Finding the tile again in a received picture: whiten, fold at candidate scales, correlate.

After a crop the tile grid is shifted, after a downscale it is smaller, after an aspect change it
is squeezed along one axis. Folding the picture into one tile at the right scale (sum every
tile-sized block) adds up all copies of the mark coherently, while the picture itself adds up
incoherently; a circular cross-correlation of the folded tile with the keyed sync pattern then
peaks at the crop offset. The scale is found by trying many candidates and keeping the strongest
peaks, then refining them on a finer grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from ._tile_layout import TILE, TileLayout, band_coefficients

# Receiver-to-embedder scale range searched: 0.45 covers 512 -> 230 px, 1.3 covers 512 -> 666 px.
MIN_SCALE, MAX_SCALE = 0.45, 1.3
COARSE_STEPS = 220
# Below this the picture's own (static) content dominates; the band starts at 0.04 c/px, which
# becomes 0.031 c/px after a 1.3x upscale.
_WHITEN_CUTOFF = 0.025  # cycles per pixel
_WHITEN_SMOOTH = 9  # spectral bins over which the picture's magnitude spectrum is averaged
# The coarse search folds only a central window: its scale tolerance is set by the window size.
COARSE_WINDOW = 512


@dataclass(frozen=True)
class SyncHit:
    """A candidate placement of the tile grid and how strongly the sync pattern agreed with it."""

    scale_x: float
    scale_y: float
    score: float  # peak height in standard deviations of the correlation surface
    offset_x: float  # sub-pixel offset of the tile grid within the folded tile
    offset_y: float
    spectrum: npt.NDArray[np.complex128]  # rfft2 of the folded tile, phase-normalised


def whiten(luma: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Flatten the picture's spectrum so no frequency band dominates, and drop low frequencies."""
    height, width = luma.shape
    spectrum = np.fft.rfft2(luma - luma.mean())
    magnitude = np.abs(spectrum).astype(np.float32)
    smooth = cv2.blur(magnitude, (_WHITEN_SMOOTH, _WHITEN_SMOOTH), borderType=cv2.BORDER_REFLECT)
    spectrum /= smooth + 1e-6 * (float(smooth.mean()) + 1e-12)
    fy = np.fft.fftfreq(height)[:, None]
    fx = np.fft.rfftfreq(width)[None, :]
    spectrum[np.hypot(fy, fx) < _WHITEN_CUTOFF] = 0
    return np.fft.irfft2(spectrum, s=(height, width)).astype(np.float32)


def fold(image: npt.NDArray[np.float32], scale_x: float, scale_y: float) -> npt.NDArray[np.float32]:
    """Resample ``image`` by 1/scale (to the embedder's pixel grid) and sum it into one tile."""
    resampled = cv2.resize(
        image, (0, 0), fx=1.0 / scale_x, fy=1.0 / scale_y, interpolation=cv2.INTER_LINEAR
    )
    height, width = resampled.shape
    rows, cols = height // TILE, width // TILE
    tile = np.zeros((TILE, TILE), dtype=np.float32)
    if rows and cols:
        tile += resampled[: rows * TILE, : cols * TILE].reshape(rows, TILE, cols, TILE).sum((0, 2))
    rest_h, rest_w = height - rows * TILE, width - cols * TILE
    if rest_w and rows:
        tile[:, :rest_w] += (
            resampled[: rows * TILE, cols * TILE :].reshape(rows, TILE, rest_w).sum(0)
        )
    if rest_h and cols:
        tile[:rest_h, :] += (
            resampled[rows * TILE :, : cols * TILE].reshape(rest_h, cols, TILE).sum(1)
        )
    if rest_h and rest_w:
        tile[:rest_h, :rest_w] += resampled[rows * TILE :, cols * TILE :]
    return tile


def _peak_offset(surface: npt.NDArray[np.float64], row: int, col: int) -> tuple[float, float]:
    """Sub-pixel peak position by a parabola through the peak and its two neighbours per axis."""

    def vertex(minus: float, centre: float, plus: float) -> float:
        denominator = minus - 2 * centre + plus
        return 0.0 if denominator >= 0 else 0.5 * (minus - plus) / denominator

    dy = vertex(surface[row - 1, col], surface[row, col], surface[(row + 1) % TILE, col])
    dx = vertex(surface[row, col - 1], surface[row, col], surface[row, (col + 1) % TILE])
    return col + dx, row + dy


def correlate(
    tile: npt.NDArray[np.float32], layout: TileLayout, scale_x: float, scale_y: float
) -> SyncHit:
    """Correlate a folded tile with the sync pattern over every circular offset."""
    spectrum = np.fft.rfft2(tile)
    # Phase-only weighting: every frequency votes equally, whatever the picture left in it.
    spectrum /= np.abs(spectrum) + 1e-9
    surface = np.fft.irfft2(spectrum * np.conj(layout.sync_spectrum), s=(TILE, TILE))
    flat_index = int(np.argmax(surface))
    row, col = divmod(flat_index, TILE)
    score = float((surface[row, col] - surface.mean()) / (surface.std() + 1e-12))
    offset_x, offset_y = _peak_offset(surface, row, col)
    return SyncHit(scale_x, scale_y, score, offset_x, offset_y, spectrum)


def _central_window(image: npt.NDArray[np.float32], size: int) -> npt.NDArray[np.float32]:
    height, width = image.shape
    top, left = max(0, (height - size) // 2), max(0, (width - size) // 2)
    return image[top : top + size, left : left + size]


def coarse_scales() -> npt.NDArray[np.float64]:
    return np.geomspace(MIN_SCALE, MAX_SCALE, COARSE_STEPS)


def search(whitened: npt.NDArray[np.float32], layout: TileLayout, keep: int = 3) -> list[SyncHit]:
    """Strongest tile placements: candidate scales, then a finer local search around the best.

    Candidates come from a coarse isotropic sweep (coherent: strong even for faint marks) and
    from the tile lattice seen in the power spectrum (finds a different scale per axis, i.e. an
    aspect-ratio change, which the isotropic sweep cannot).
    """
    window = _central_window(whitened, COARSE_WINDOW)
    candidates = [correlate(fold(window, s, s), layout, s, s) for s in coarse_scales()]
    candidates += [
        correlate(fold(window, sx, sy), layout, sx, sy)
        for sx, sy in lattice_scale_pairs(whitened)
        if abs(sx / sy - 1.0) > _ASPECT_TOLERANCE
    ]
    candidates.sort(key=lambda hit: hit.score, reverse=True)

    ratio_step = (MAX_SCALE / MIN_SCALE) ** (1.0 / (COARSE_STEPS - 1)) - 1.0
    refined = [
        _refine(whitened, layout, candidate, ratio_step)
        for candidate in _distinct(candidates, ratio_step)[:keep]
    ]
    refined.sort(key=lambda hit: hit.score, reverse=True)
    # Two coarse candidates often climb to the same placement: decode it once.
    return _distinct(refined, ratio_step / 4)


def _distinct(hits: list[SyncHit], ratio_step: float) -> list[SyncHit]:
    """Drop candidates that are neighbours of a stronger one (the same peak seen twice)."""
    kept: list[SyncHit] = []
    for hit in hits:
        if all(
            abs(hit.scale_x / other.scale_x - 1.0) > 2.5 * ratio_step
            or abs(hit.scale_y / other.scale_y - 1.0) > 2.5 * ratio_step
            for other in kept
        ):
            kept.append(hit)
    return kept


# Lattice candidates closer to isotropic than this are left to the isotropic sweep.
_ASPECT_TOLERANCE = 0.01
_LATTICE_STEPS = 800
_LATTICE_PEAKS = 3


def lattice_scale_pairs(whitened: npt.NDArray[np.float32]) -> list[tuple[float, float]]:
    """(scale_x, scale_y) pairs suggested by the periodicity of the picture's power spectrum.

    A tiled pattern puts its energy on a lattice of spectral lines, one every W / (TILE * scale)
    bins along x (and likewise along y). Summing the power spectrum over rows gives a column
    profile whose comb of lines reveals scale_x without the key; rows give scale_y. This is an
    energy detector, weaker than the keyed correlation, so it only proposes candidates.
    """
    height, width = whitened.shape
    power = np.abs(np.fft.rfft2(whitened)) ** 2
    columns = power.sum(axis=0)
    by_row = power.sum(axis=1)
    rows = by_row[: height // 2 + 1].copy()
    rows[1 : (height + 1) // 2] += by_row[::-1][: (height + 1) // 2 - 1]
    scales = np.geomspace(MIN_SCALE, MAX_SCALE, _LATTICE_STEPS)
    column_weight, row_weight = _lattice_weights()
    best_x = _comb_peaks(columns, width, column_weight, scales)
    best_y = _comb_peaks(rows, height, row_weight, scales)
    return [(sx, sy) for sx in best_x for sy in best_y]


def _lattice_weights() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
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
    grid = np.arange(0, len(profile), length / 16.0)
    for position in grid:
        low, high = int(np.floor(position)) - 1, int(np.ceil(position)) + 2
        profile[max(0, low) : high] = np.nan
    baseline = np.nanmedian(profile[1:])
    profile = np.nan_to_num(profile / baseline - 1.0, nan=0.0)
    harmonics = np.nonzero(weights)[0]
    positions = harmonics[None, :] * length / (TILE * scales[:, None])
    inside = positions < len(profile) - 1
    values = np.interp(np.where(inside, positions, 0), np.arange(len(profile)), profile)
    scores = (values * weights[harmonics] * inside).sum(axis=1)
    order = np.argsort(scores)[::-1]
    picked: list[float] = []
    for index in order:
        if all(abs(scales[index] / other - 1.0) > 0.02 for other in picked):
            picked.append(float(scales[index]))
        if len(picked) == _LATTICE_PEAKS:
            break
    return picked


# Isotropic steps first, then one axis at a time (a slight aspect change).
_DIRECTIONS = ((1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1))


def _refine(
    whitened: npt.NDArray[np.float32], layout: TileLayout, hit: SyncHit, ratio_step: float
) -> SyncHit:
    """Search scale (and a little aspect) around a coarse candidate on the whole picture."""
    best = correlate(fold(whitened, hit.scale_x, hit.scale_y), layout, hit.scale_x, hit.scale_y)
    # A scale error e misplaces the far edge of the folded picture by e * size pixels: keep
    # halving the step until that is a fraction of a pixel.
    size = max(whitened.shape) / min(hit.scale_x, hit.scale_y)
    step = ratio_step / 2
    while step >= 0.25 / size:
        for _ in range(4):
            improved = False
            for factor_x, factor_y in _DIRECTIONS:
                scale_x = best.scale_x * (1.0 + factor_x * step)
                scale_y = best.scale_y * (1.0 + factor_y * step)
                trial = correlate(fold(whitened, scale_x, scale_y), layout, scale_x, scale_y)
                if trial.score > best.score:
                    best, improved = trial, True
            if not improved:
                break
        step /= 2
    return best


def soft_bits(hit: SyncHit, layout: TileLayout) -> npt.NDArray[np.float64]:
    """Soft values of the coded bits (positive = 1) read at a tile placement."""
    spectrum = hit.spectrum
    fy = np.fft.fftfreq(TILE)[:, None]
    fx = np.fft.rfftfreq(TILE)[None, :]
    # Undo the circular shift of the tile grid found by the sync correlation.
    aligned = spectrum * np.exp(2j * np.pi * (fx * hit.offset_x + fy * hit.offset_y))
    sync = aligned[layout.sync_rows, layout.sync_cols] * np.conj(layout.sync_phase)
    # A residual common phase (sub-pixel error, interpolation) is measured on the sync part.
    common = np.sum(sync)
    rotation = np.conj(common) / (abs(common) + 1e-12)
    bits = aligned[layout.bit_rows, layout.bit_cols] * np.conj(layout.bit_phase) * rotation
    return bits.real.sum(axis=1)
