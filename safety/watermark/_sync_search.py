"""Finding the tile again in a received picture: whiten, fold at candidate placements, correlate.

After a crop the tile grid is shifted, after a downscale it is smaller, after an aspect change it
is squeezed along one axis, after a slight turn it is rotated. Folding the picture into one tile
under the right placement (resample to the embedder's grid, sum every tile-sized block) adds up
all copies of the mark coherently while the picture adds up incoherently; a circular
cross-correlation of the folded tile with the keyed sync pattern then peaks at the crop offset.

Placements come from a coarse isotropic scale sweep and from keyless lattice estimates
(``_lattice``); the strongest few are refined by hill-climbing on the sync score.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import cv2
import numpy as np
import numpy.typing as npt
import scipy.fft

from ._lattice import Placement, comb_placements, rotated_placements
from ._texture_mask import texture_mask
from ._tile_layout import TILE, TileLayout

# Receiver-to-embedder scale range searched: 0.45 covers 512 -> 230 px, 1.3 covers 512 -> 666 px.
MIN_SCALE, MAX_SCALE = 0.45, 1.3
COARSE_STEPS = 220
_RATIO_STEP = (MAX_SCALE / MIN_SCALE) ** (1.0 / (COARSE_STEPS - 1)) - 1.0
# Below this the picture's own (static) content dominates; the band starts at 0.04 c/px, which
# becomes 0.031 c/px after a 1.3x upscale.
_WHITEN_CUTOFF = 0.025  # cycles per pixel
_WHITEN_SMOOTH = 9  # spectral bins over which the picture's magnitude spectrum is averaged
# Side (pixels) of the square over which the residual picture's local power is measured: about
# a mark period at the band's low end; 11-31 measured alike, 15 best by a little.
_NOISE_WINDOW = 15
# Spectral bins (a side) over which the folded tile's magnitude is averaged to scale the bits.
_BIT_SMOOTH = 7
# The coarse search folds only a central window: its scale tolerance is set by the window size.
COARSE_WINDOW = 512
# Refinement folds a larger central window, at most this many embedder pixels a side once
# resampled: enough for sub-pixel placement, and bounded in cost on big pictures.
REFINE_SIDE = 1024
# Rough lattice estimates of marked pictures scored 17-30 before refinement in the benchmark,
# those of unmarked ones 3-7.5: below this, refining one (tens of folds) is not worth its time.
_LATTICE_REFINE_MIN_SCORE = 5.0
# Lattice placements this close to the isotropic, unrotated case are left to the coarse sweep.
_ASPECT_TOLERANCE = 0.01


@dataclass(frozen=True)
class SyncHit:
    """A candidate placement of the tile grid and how strongly the sync pattern agreed with it."""

    placement: Placement
    score: float  # peak height in standard deviations of the correlation surface
    offset_x: float  # sub-pixel offset of the tile grid within the folded tile
    offset_y: float
    spectrum: npt.NDArray[np.complex64]  # rfft2 of the folded tile
    # The whitened picture that was folded (a view, not a copy); None for the mirror image's
    # coarse-sweep scores, which no picture was folded for.
    folded_from: npt.NDArray[np.float32] | None = field(default=None, repr=False, compare=False)


def whiten(luma: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """The picture made ready for folding: its spectrum flattened, then each pixel weighted by
    how much mark it can hold against how much picture is left there.

    The embedder scales the mark by the texture mask, and what the flattening leaves of the
    picture (edges, hair, a patterned background: static, so averaging frames does not remove
    it) is far from even over the frame. Weighting each pixel by mask / local residual power
    (maximal-ratio combining over space) lets the textured face count for what it carries and
    a busy background count for less. Measured on real outputs of 4 faces attacked with ffmpeg
    (CRF 33, 38, 40, 288p + CRF 28): the coded-bit error rate at the right placement fell from
    a mean of 0.25 to 0.17 (0.15 with ``soft_bits``' weighting), the sync score rose from a
    mean of 8.6 to 12.3.
    """
    flat = _flatten_spectrum(luma)
    gain = texture_mask(np.clip(luma, 0, 255).astype(np.uint8))
    power = cv2.blur(flat * flat, (_NOISE_WINDOW, _NOISE_WINDOW), borderType=cv2.BORDER_REFLECT)
    # A floor at a quarter of the mean power keeps the weights from growing without bound where
    # the residual is nearly flat (measured best between 0.1 and 0.5 of the mean).
    power += np.float32(0.25) * np.float32(power.mean() + 1e-12)
    return (flat * gain / power).astype(np.float32)


def _flatten_spectrum(luma: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
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


def _to_embedder_grid(
    image: npt.NDArray[np.float32], placement: Placement
) -> npt.NDArray[np.float32]:
    """Resample ``image`` so the tile grid is upright and TILE pixels wide again."""
    if placement.angle == 0.0:
        return cv2.resize(
            image,
            (0, 0),
            fx=1.0 / placement.scale_x,
            fy=1.0 / placement.scale_y,
            interpolation=cv2.INTER_LINEAR,
        )
    # received = R(angle) @ diag(scale) @ embedder + shift; the shift keeps every pixel in view.
    turn = math.radians(placement.angle)
    forward = np.array(
        [[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]]
    ) @ np.diag([placement.scale_x, placement.scale_y])
    height, width = image.shape
    corners = np.array([[0, 0], [width, 0], [0, height], [width, height]], dtype=np.float64).T
    mapped = np.linalg.solve(forward, corners)
    low, high = mapped.min(axis=1), mapped.max(axis=1)
    size = (int(math.ceil(high[0] - low[0])), int(math.ceil(high[1] - low[1])))
    matrix = np.hstack([forward, (forward @ low)[:, None]])
    return cv2.warpAffine(
        image, matrix, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderValue=0.0
    )


def fold(image: npt.NDArray[np.float32], placement: Placement) -> npt.NDArray[np.float32]:
    """Resample ``image`` to the embedder's grid and sum it into one TILE x TILE tile."""
    resampled = _to_embedder_grid(image, placement)
    height, width = resampled.shape
    rows, cols = height // TILE, width // TILE
    # Rows of tiles summed first (one pass over contiguous memory, no copy), then the columns
    # of the resulting strip; the partial tiles at the bottom and right edges add in place.
    strip = resampled[: rows * TILE].reshape(rows, TILE, width).sum(axis=0)
    rest_h, rest_w = height - rows * TILE, width - cols * TILE
    if rest_h:
        strip[:rest_h] += resampled[rows * TILE :]
    tile = strip[:, :TILE].copy() if cols else np.zeros((TILE, TILE), dtype=np.float32)
    for col in range(1, cols):
        tile += strip[:, col * TILE : (col + 1) * TILE]
    if rest_w:
        tile[:, :rest_w] += strip[:, cols * TILE :]
    return tile


def _peak_offset(surface: npt.NDArray[np.float64], row: int, col: int) -> tuple[float, float]:
    """Sub-pixel peak position by a parabola through the peak and its two neighbours per axis."""

    def vertex(minus: float, centre: float, plus: float) -> float:
        denominator = minus - 2 * centre + plus
        return 0.0 if denominator >= 0 else 0.5 * (minus - plus) / denominator

    dy = vertex(surface[row - 1, col], surface[row, col], surface[(row + 1) % TILE, col])
    dx = vertex(surface[row, col - 1], surface[row, col], surface[row, (col + 1) % TILE])
    return col + dx, row + dy


def correlate(image: npt.NDArray[np.float32], layout: TileLayout, placement: Placement) -> SyncHit:
    """Fold ``image`` under ``placement`` and correlate with the sync pattern at every offset."""
    spectrum = _folded_spectrum(image, placement)
    return _correlate_spectrum(spectrum, _phase_only(spectrum), layout, placement, image)


def _folded_spectrum(
    image: npt.NDArray[np.float32], placement: Placement
) -> npt.NDArray[np.complex64]:
    # Single precision throughout (scipy.fft keeps float32/complex64; numpy's would widen to
    # double): this runs hundreds of times per read, and the scores agree to ~1e-5.
    return scipy.fft.rfft2(fold(image, placement))


def _phase_only(spectrum: npt.NDArray[np.complex64]) -> npt.NDArray[np.complex64]:
    """Phase-only weighting for the sync correlation: every frequency votes equally, whatever
    the picture left in it."""
    magnitude = np.abs(spectrum)
    magnitude += np.float32(1e-9)
    return np.divide(spectrum, magnitude)


def _correlate_spectrum(
    spectrum: npt.NDArray[np.complex64],
    phase: npt.NDArray[np.complex64],
    layout: TileLayout,
    placement: Placement,
    folded_from: npt.NDArray[np.float32] | None,
) -> SyncHit:
    surface = scipy.fft.irfft2(phase * layout.sync_correlator, s=(TILE, TILE))
    row, col = divmod(int(np.argmax(surface)), TILE)
    score = float((surface[row, col] - surface.mean()) / (surface.std() + 1e-12))
    offset_x, offset_y = _peak_offset(surface, row, col)
    return SyncHit(placement, score, offset_x, offset_y, spectrum, folded_from)


# Row index of frequency -v for each v: the folded tile of a left-right mirrored picture is the
# tile itself mirrored (and circularly shifted, which moves the correlation peak but not its
# height), and a real tile's mirrored spectrum is conj(spectrum[-v, u]).
_MIRRORED_ROWS = (-np.arange(TILE)) % TILE


def coarse_sweeps(
    whitened: npt.NDArray[np.float32], layout: TileLayout, mirror: bool = True
) -> tuple[list[SyncHit], list[SyncHit]]:
    """The isotropic coarse sweep of the picture as received and of its mirror image, from one
    fold per scale (the mirror's scores come from the same folds' spectra)."""
    window = _central_window(whitened, COARSE_WINDOW)
    received, mirrored = [], []
    for s in np.geomspace(MIN_SCALE, MAX_SCALE, COARSE_STEPS):
        placement = Placement(s, s)
        spectrum = _folded_spectrum(window, placement)
        phase = _phase_only(spectrum)
        received.append(_correlate_spectrum(spectrum, phase, layout, placement, window))
        if mirror:
            flipped = np.conj(spectrum[_MIRRORED_ROWS])
            flipped_phase = np.conj(phase[_MIRRORED_ROWS])
            mirrored.append(_correlate_spectrum(flipped, flipped_phase, layout, placement, None))
    return received, mirrored


def _central_window(image: npt.NDArray[np.float32], size: int) -> npt.NDArray[np.float32]:
    height, width = image.shape
    top, left = max(0, (height - size) // 2), max(0, (width - size) // 2)
    return image[top : top + size, left : left + size]


# A picture inset into a bigger one (picture-in-picture, a video pasted into a slide) sits
# wherever the editor put it, usually near a corner, and the central window may miss it
# entirely (a half-size inset at the top right of 1280x720 lies wholly outside it). Pictures
# with room for two central windows are also searched at their corners, in windows small
# enough that an inset fills much of one: measured on half-size insets of 4 real outputs at
# the top right of 1280x720, 384 px windows decoded all 4 (sync 9.4-22), 512 px ones 3.
CORNER_WINDOW = 384
_CORNER_SEARCH_MIN_AREA = 2 * COARSE_WINDOW**2


def corner_windows(whitened: npt.NDArray[np.float32]) -> list[npt.NDArray[np.float32]]:
    """The four CORNER_WINDOW-sized corners of a big picture; none for a small one."""
    height, width = whitened.shape
    if height * width < _CORNER_SEARCH_MIN_AREA:
        return []
    size_y, size_x = min(height, CORNER_WINDOW), min(width, CORNER_WINDOW)
    return [
        whitened[top : top + size_y, left : left + size_x]
        for top in (0, height - size_y)
        for left in (0, width - size_x)
    ]


def search(
    whitened: npt.NDArray[np.float32],
    layout: TileLayout,
    keep: int = 3,
    sweep: list[SyncHit] | None = None,
) -> list[SyncHit]:
    """Refined tile placements, best first: the ``keep`` strongest of the isotropic sweep (run
    here unless ``sweep`` gives it, see ``coarse_sweeps``), plus the strongest stretched and
    the strongest turned lattice estimate.

    Lattice estimates are rough (a stretched grid's scale to about 1 %, a turned grid's period
    to a pixel), so the best of each kind is refined whenever its rough score stands out at all.
    """
    window = _central_window(whitened, COARSE_WINDOW)
    if sweep is None:
        sweep = coarse_sweeps(whitened, layout, mirror=False)[0]
    chosen = _distinct(sorted(sweep, key=lambda h: h.score, reverse=True), _RATIO_STEP)[:keep]
    stretched = [
        correlate(window, layout, p)
        for p in comb_placements(window, MIN_SCALE, MAX_SCALE)
        if abs(p.scale_x / p.scale_y - 1.0) > _ASPECT_TOLERANCE
    ]
    turned = [
        correlate(window, layout, p) for p in rotated_placements(window, MIN_SCALE, MAX_SCALE)
    ]
    for estimates in (stretched, turned):
        if estimates:
            strongest = max(estimates, key=lambda hit: hit.score)
            if strongest.score >= _LATTICE_REFINE_MIN_SCORE:
                chosen.append(strongest)
    refined = []
    for hit in chosen:
        scale = min(hit.placement.scale_x, hit.placement.scale_y)
        refined.append(_refine(_central_window(whitened, int(REFINE_SIDE * scale)), layout, hit))
    refined.sort(key=lambda hit: hit.score, reverse=True)
    # Two candidates often climb to the same placement: decode it once.
    return _distinct(refined, _RATIO_STEP / 4)


def search_near(
    whitened: npt.NDArray[np.float32], layout: TileLayout, scales: Iterable[float]
) -> list[SyncHit]:
    """Refined placements from the given isotropic scales only (no sweep, no lattice)."""
    refined = []
    for scale in scales:
        start = correlate(_central_window(whitened, COARSE_WINDOW), layout, Placement(scale, scale))
        refined.append(_refine(_central_window(whitened, int(REFINE_SIDE * scale)), layout, start))
    refined.sort(key=lambda hit: hit.score, reverse=True)
    return _distinct(refined, _RATIO_STEP / 4)


# Turn search for pictures whose grid is turned but not rescaled (a player's or an editor's
# "rotate", which keeps the frame size): the keyless lattice estimates above found nothing on
# real faces turned by ffmpeg's rotate filter (measured 0 of 6 clips at 1-5 degrees), so the
# keyed sync pattern is tried directly on a small grid of angles and near-unit scales.
TURN_ANGLES = tuple(a for step in range(1, 13) for a in (0.5 * step, -0.5 * step))
TURN_SCALES = (0.99, 1.0, 1.01)
TURN_WINDOW = 384
# Coarse turn-sweep scores measured on real outputs: 18-21 turned by 1-5 degrees, 4.6-5.6 where
# nothing is marked (CRF 38/40 copies, picture-in-picture): only hits above this are refined.
_TURN_REFINE_MIN_SCORE = 7.0


def search_turned(
    whitened: npt.NDArray[np.float32], layout: TileLayout, keep: int = 2
) -> list[SyncHit]:
    """Refined placements from a keyed sweep over small turns (0.5-6 degrees) at scale ~1."""
    window = _central_window(whitened, TURN_WINDOW)
    sweep = [
        correlate(window, layout, Placement(scale, scale, angle))
        for angle in TURN_ANGLES
        for scale in TURN_SCALES
    ]
    sweep.sort(key=lambda hit: hit.score, reverse=True)
    chosen: list[SyncHit] = []
    for hit in sweep:
        if all(abs(hit.placement.angle - other.placement.angle) > 0.75 for other in chosen):
            chosen.append(hit)
        if len(chosen) == keep:
            break
    refined = [
        _refine(_central_window(whitened, REFINE_SIDE), layout, hit)
        if hit.score >= _TURN_REFINE_MIN_SCORE
        else hit
        for hit in chosen
    ]
    refined.sort(key=lambda hit: hit.score, reverse=True)
    return refined


def _distinct(hits: list[SyncHit], ratio_step: float) -> list[SyncHit]:
    """Drop candidates that are neighbours of a stronger one (the same peak seen twice)."""
    kept: list[SyncHit] = []
    for hit in hits:
        p = hit.placement
        if all(
            abs(p.scale_x / q.placement.scale_x - 1.0) > 2.5 * ratio_step
            or abs(p.scale_y / q.placement.scale_y - 1.0) > 2.5 * ratio_step
            or abs(p.angle - q.placement.angle) > 0.5
            for q in kept
        ):
            kept.append(hit)
    return kept


# Isotropic steps first, then one axis at a time (a slight aspect change).
_SCALE_MOVES = ((1, 1, 0), (-1, -1, 0), (1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0))
_TURN_MOVES = ((0, 0, 1), (0, 0, -1))


def _refine(whitened: npt.NDArray[np.float32], layout: TileLayout, hit: SyncHit) -> SyncHit:
    """Hill-climb scale (and angle, for turned placements) on the whole picture."""
    best = correlate(whitened, layout, hit.placement)
    moves = _SCALE_MOVES + (_TURN_MOVES if hit.placement.angle else ())
    # A scale error e misplaces the far edge of the folded picture by e * size pixels, and an
    # angle error a (radians) by a * size: halve the steps until that is a fraction of a pixel.
    size = max(whitened.shape) / min(hit.placement.scale_x, hit.placement.scale_y)
    step = _RATIO_STEP / 2
    while step >= 0.25 / size:
        for _ in range(4):
            improved = False
            for move_x, move_y, move_angle in moves:
                placement = replace(
                    best.placement,
                    scale_x=best.placement.scale_x * (1.0 + move_x * step),
                    scale_y=best.placement.scale_y * (1.0 + move_y * step),
                    angle=best.placement.angle + move_angle * math.degrees(step),
                )
                trial = correlate(whitened, layout, placement)
                if trial.score > best.score:
                    best, improved = trial, True
            if not improved:
                break
        step /= 2
    return best


# Side (embedder pixels) of the square over which the sync pattern's local agreement is
# measured when localising: half a tile, small enough to outline an inset of two tiles.
_LOCAL_WINDOW = 64


def localised(hit: SyncHit, layout: TileLayout) -> SyncHit | None:
    """The placement's tile folded again with each pixel weighted by how well the sync pattern
    agrees there (the sync part as a pilot), or None when the fold's picture is not known.

    A mark that covers only part of the picture (an inset, a letterbox, a graphic pasted over
    it) is diluted by the unmarked rest in the plain fold. Measured on half-size insets of 4
    real outputs in a 384 px corner window: coded-bit error rate 0.04-0.18 -> 0.01-0.13, all 4
    decoded (3 without). Where the mark covers everything the noisy local estimate costs more
    than it gains (CRF 40: 2 of 4 worse), so the reader tries this only after the plain fold.
    """
    if hit.folded_from is None:
        return None
    resampled = _to_embedder_grid(hit.folded_from, hit.placement)
    # The folded tile is the sync tile circularly shifted by the correlation peak's position.
    shift = (round(hit.offset_y) % TILE, round(hit.offset_x) % TILE)
    pilot_tile = np.roll(layout.sync_tile, shift, axis=(0, 1))
    height, width = resampled.shape
    pilot = np.tile(pilot_tile, (-(-height // TILE), -(-width // TILE)))[:height, :width]
    box = (_LOCAL_WINDOW, _LOCAL_WINDOW)
    # The box sums of squares can dip a rounding error below zero in single precision.
    energy = np.maximum(cv2.blur(resampled * resampled, box) * cv2.blur(pilot * pilot, box), 0.0)
    agreement = cv2.blur(resampled * pilot, box) / (np.sqrt(energy) + 1e-12)
    weighted = resampled * np.maximum(agreement, 0.0)
    spectrum = scipy.fft.rfft2(fold(weighted, Placement(1.0, 1.0)))
    return replace(hit, spectrum=spectrum, folded_from=None)


def soft_bits(hit: SyncHit, layout: TileLayout) -> npt.NDArray[np.float64]:
    """Soft values of the coded bits (positive = 1) read at a tile placement.

    Each bit's frequencies are weighted by how well the sync frequencies of the same radius
    agree with the known pattern (maximal-ratio combining over frequency): what an attack left
    of the mark differs by band (a downscale or a hard re-encode takes the top, a busy picture
    the bottom), and a band that is mostly noise should not outvote one that is mostly mark.
    """
    fy = np.fft.fftfreq(TILE)[:, None]
    fx = np.fft.rfftfreq(TILE)[None, :]
    # Each frequency scaled by the folded tile's mean magnitude around it rather than its own
    # (the sync search's phase-only weighting): a coefficient the mark made stronger than its
    # neighbours then counts for more. Measured at the right placement on 4 real outputs after
    # CRF 33/38/40 and 288p + CRF 28: coded-bit error rate 0.149 -> 0.126, 10 -> 15 of 16
    # decoded; 3x3 to 17x17 neighbourhoods alike, one magnitude for the whole tile worse (13).
    magnitude = np.abs(hit.spectrum)
    local = cv2.blur(magnitude, (_BIT_SMOOTH, _BIT_SMOOTH), borderType=cv2.BORDER_REFLECT)
    spectrum = hit.spectrum / (local + np.float32(1e-9))
    # Undo the circular shift of the tile grid found by the sync correlation.
    aligned = spectrum * np.exp(2j * np.pi * (fx * hit.offset_x + fy * hit.offset_y))
    sync = aligned[layout.sync_rows, layout.sync_cols] * np.conj(layout.sync_phase)
    # A residual common phase (sub-pixel error, interpolation) is measured on the sync part.
    common = np.sum(sync)
    rotation = np.conj(common) / (abs(common) + 1e-12)
    agreement = (sync * rotation).real
    # A quadratic in radius, fitted to ~550 sync frequencies: smooth enough not to follow their
    # noise, and bent enough for a band that fades at either end (measured: a fit per band of
    # a sixth of the range did slightly worse, a straight line as well).
    fit = np.polyfit(_radius(layout.sync_rows, layout.sync_cols), agreement, 2)
    reliability = np.clip(np.polyval(fit, _radius(layout.bit_rows, layout.bit_cols)), 0.0, 1.0)
    bits = aligned[layout.bit_rows, layout.bit_cols] * np.conj(layout.bit_phase) * rotation
    return (bits.real * reliability).sum(axis=1)


def _radius(rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
    """Spatial frequency (cycles per pixel) of rfft2 coefficients of a TILE x TILE tile."""
    return np.hypot(np.fft.fftfreq(TILE)[rows], np.fft.rfftfreq(TILE)[cols])
