"""Keyed layout of the spread-spectrum tile: which frequencies carry sync, which carry which bit.

The mark is one TILE x TILE luma pattern repeated over the frame. Its spectrum uses only mid
frequencies (BAND_LOW..BAND_HIGH cycles per pixel): low frequencies are where the picture's own
energy is (the detector discards them), high frequencies are what H.264 and downscaling destroy.
Every used frequency gets a keyed random phase; FREQUENCIES_PER_BIT keyed frequencies carry
each coded payload bit, and all the others (at least MIN_SYNC_SHARE; 546 of 1194 at 162 coded
bits) form a known sync pattern for finding scale and offset. Without the key, neither the
sync nor the bit positions can be predicted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

TILE = 128
BAND_LOW = 0.04  # cycles per pixel
BAND_HIGH = 0.22
MIN_SYNC_SHARE = 0.35
FREQUENCIES_PER_BIT = 4
# Amplitude grows with frequency (x (f / BAND_LOW) ** SPECTRAL_TILT): the low end of the band
# shows as blotchy mottling on smooth skin, the high end as fine grain, which the eye forgives;
# measured cost on the hardest attacks, about 1 point of sync score out of 13 to 20.
SPECTRAL_TILT = 1.0


@dataclass(frozen=True)
class TileLayout:
    """Keyed frequency assignment. Coefficient positions index a TILE x (TILE // 2 + 1) rfft2."""

    sync_rows: npt.NDArray[np.intp]
    sync_cols: npt.NDArray[np.intp]
    sync_phase: npt.NDArray[np.complex128]  # unit phasors
    bit_rows: npt.NDArray[np.intp]  # shape (coded_bits, FREQUENCIES_PER_BIT)
    bit_cols: npt.NDArray[np.intp]
    bit_phase: npt.NDArray[np.complex128]
    # conj(rfft2) of the sync-only tile, single precision: what a folded tile's phase-normalised
    # spectrum is multiplied by to correlate it with the sync pattern.
    sync_correlator: npt.NDArray[np.complex64]
    sync_tile: npt.NDArray[np.float32]  # the sync-only tile itself, unit spectral amplitude


def _keyed_rng(key: bytes) -> np.random.Generator:
    seed = hashlib.blake2b(key, digest_size=16, person=b"signet-wm-tile").digest()
    return np.random.default_rng(int.from_bytes(seed, "big"))


def band_coefficients() -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Rows and columns (rfft2 layout) of the mid-band frequencies in one half-plane.

    Only the half-plane u > 0 (or u == 0, v > 0) is listed: the other half is the complex
    conjugate for a real pattern.
    """
    fv = np.fft.fftfreq(TILE)[:, None]
    fu = np.fft.rfftfreq(TILE)[None, :]
    radius = np.hypot(fv, fu)
    in_band = (radius >= BAND_LOW) & (radius <= BAND_HIGH)
    half_plane = (fu > 0) | ((fu == 0) & (fv > 0))
    rows, cols = np.nonzero(in_band & half_plane)
    return rows, cols


def make_layout(key: bytes, coded_bits: int) -> TileLayout:
    rng = _keyed_rng(key)
    rows, cols = band_coefficients()
    order = rng.permutation(len(rows))
    phases = np.exp(2j * np.pi * rng.random(len(rows)))
    needed_bits = coded_bits * FREQUENCIES_PER_BIT
    n_sync = len(rows) - needed_bits
    if n_sync < MIN_SYNC_SHARE * len(rows):
        raise ValueError("too many coded bits for the tile's frequency band")
    sync_idx, bit_idx = order[:n_sync], order[n_sync:]
    bit_idx = bit_idx.reshape(coded_bits, FREQUENCIES_PER_BIT)

    sync_half = np.zeros((TILE, TILE // 2 + 1), dtype=np.complex128)
    sync_half[rows[sync_idx], cols[sync_idx]] = phases[sync_idx]
    sync_tile = spectrum_to_tile(sync_half)
    return TileLayout(
        sync_rows=rows[sync_idx],
        sync_cols=cols[sync_idx],
        sync_phase=phases[sync_idx],
        bit_rows=rows[bit_idx],
        bit_cols=cols[bit_idx],
        bit_phase=phases[bit_idx],
        sync_correlator=np.conj(np.fft.rfft2(sync_tile)).astype(np.complex64),
        sync_tile=sync_tile.astype(np.float32),
    )


def spectrum_to_tile(half: npt.NDArray[np.complex128]) -> npt.NDArray[np.float64]:
    """Real tile whose spectrum has the given half-plane coefficients (and their conjugates)."""
    full = np.zeros((TILE, TILE), dtype=np.complex128)
    rows, cols = np.nonzero(half)
    full[rows, cols] = half[rows, cols]
    full[(-rows) % TILE, (-cols) % TILE] = np.conj(half[rows, cols])
    return np.fft.ifft2(full).real


def payload_tile(layout: TileLayout, symbols: npt.NDArray[np.int8]) -> npt.NDArray[np.float32]:
    """The full mark for one payload (sync + +/-1 coded symbols), scaled to unit RMS."""
    half = np.zeros((TILE, TILE // 2 + 1), dtype=np.complex128)
    half[layout.sync_rows, layout.sync_cols] = layout.sync_phase
    half[layout.bit_rows, layout.bit_cols] = layout.bit_phase * symbols[:, None]
    fv = np.fft.fftfreq(TILE)[:, None]
    fu = np.fft.rfftfreq(TILE)[None, :]
    half *= (np.hypot(fv, fu) / BAND_LOW) ** SPECTRAL_TILT
    tile = spectrum_to_tile(half)
    return (tile / np.sqrt(np.mean(tile**2))).astype(np.float32)
