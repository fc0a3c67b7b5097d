"""Perceptual fingerprints of a recording's frames: a recording seen before (the same bytes
re-encoded, trimmed or resized) and a clip that loops are recognised by their frames.

Each frame gets a 256-bit difference hash (dHash: a 17x16 grey thumbnail, one bit per pair of
horizontal neighbours). Re-encoding, scaling and small brightness changes flip a few bits;
a different moment of a moving face flips many.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

HASH_SIDE = 16
# Frames whose hashes differ in at most this many of 256 bits are "the same picture".
# Measured: the same frame after VP8/H.264 re-encoding at CRF 18-35 and 0.5x-2x scaling
# differs by 0-14 bits; consecutive frames of a talking, turning face differ by 20-60.
SAME_FRAME_BITS = 16
# A recording is a replay when, at one time offset, this share of its moving frames match an
# earlier recording's frames (and the overlap is at least half of the shorter one).
REPLAY_SHARE = 0.8
# A clip loops when, at one lag of at least LOOP_MIN_LAG seconds, this share of its moving
# frames reappear.
LOOP_SHARE = 0.9
LOOP_MIN_LAG = 1.0
# Fewer moving frames than this say nothing about where a recording's motion is.
MIN_MOVERS = 8


def frame_hash(rgb: np.ndarray) -> np.ndarray:
    """256 bits (bool array) of one RGB frame."""
    grey = Image.fromarray(rgb).convert("L").resize((HASH_SIDE + 1, HASH_SIDE), Image.BILINEAR)
    pixels = np.asarray(grey, dtype=np.int16)
    return (pixels[:, 1:] > pixels[:, :-1]).reshape(-1)


def to_hex(hashes: np.ndarray) -> list[str]:
    return [np.packbits(bits).tobytes().hex() for bits in hashes]


def from_hex(values: list[str]) -> np.ndarray:
    if not values:
        return np.zeros((0, HASH_SIDE * HASH_SIDE), dtype=bool)
    return np.stack(
        [np.unpackbits(np.frombuffer(bytes.fromhex(v), np.uint8)).astype(bool) for v in values]
    )


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a8, b8 = a.astype(np.int16), b.astype(np.int16)
    return (a8[:, None, :] != b8[None, :, :]).sum(axis=2)


def _moving(same_self: np.ndarray, gap: int) -> np.ndarray:
    """Frames that differ from the frame `gap` before them: where the face moves. Static
    stretches (a person holding still before the same wall) match any recording made in that
    place; only the moments of motion identify one recording."""
    moving = np.zeros(len(same_self), dtype=bool)
    moving[gap:] = ~np.diagonal(same_self, offset=gap)
    return moving


def near_duplicate(new: np.ndarray, old: np.ndarray, gap: int = 3) -> float:
    """The best share, over time offsets, of the new recording's frames that match the old
    one's: all frames, and separately its moving frames; the smaller of the two counts
    (0.0 when they never line up)."""
    if len(new) < 10 or len(old) < 10:
        return 0.0
    same = _distances(new, old) <= SAME_FRAME_BITS
    moving = _moving(_distances(new, new) <= SAME_FRAME_BITS, gap)
    need = max(5, min(len(new), len(old)) // 2)
    best = 0.0
    # offset k pairs new[i] with old[i + k]
    for offset in range(-len(new) + need, len(old) - need + 1):
        rows = np.arange(max(0, -offset), min(len(new), len(old) - offset))
        if len(rows) < need:
            continue
        everything = float(same[rows, rows + offset].mean())
        movers = rows[moving[rows]]
        if len(movers) >= MIN_MOVERS:
            share = min(everything, float(same[movers, movers + offset].mean()))
        else:  # a recording with hardly any motion: all of its frames must match
            share = everything
        best = max(best, share)
    return best


def looped(hashes: np.ndarray, times: np.ndarray) -> tuple[float, float]:
    """(share, lag): the best share of moving frames that reappear `lag` seconds later."""
    if len(hashes) < 10:
        return 0.0, 0.0
    same = _distances(hashes, hashes) <= SAME_FRAME_BITS
    step = float(np.median(np.diff(times)))
    moving = _moving(same, max(1, int(round(0.2 / step))))
    best = (0.0, 0.0)
    for lag in range(max(1, int(LOOP_MIN_LAG / step)), len(hashes) - 5):
        diagonal = np.diagonal(same, offset=lag)  # frame i vs frame i + lag
        movers = moving[: len(diagonal)]
        if movers.sum() < MIN_MOVERS:
            continue
        share = float(diagonal[movers].mean())
        if share > best[0]:
            best = (share, lag * step)
    return best
