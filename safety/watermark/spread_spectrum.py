"""Signet's own watermark: a keyed spread-spectrum luma tile repeated over the frame.

Embedding adds one precomputed 128x128 pattern, tiled over the frame and shaped by a texture
mask, to all three colour channels (a pure luma change; chroma is subsampled and quantised hard by
H.264). Because the pattern repeats, a crop only shifts its phase and a resize only changes its
period, and every frame carries the same pattern, so the detector can average frames: the moving
picture averages out, the mark adds up.

Detection averages up to ``max_frames`` frames, whitens, searches scale (per axis), a slight turn
and the offset with the keyed sync pattern (see ``_sync_search`` and ``_lattice``), in a big
picture also at its corners (an inset, picture-in-picture), reads the
coded bits at the best few placements and accepts a payload only when its keyed checksum matches
(see ``payload``). Pictures bigger than MAX_SCALE x 512 px are searched a second time shrunk to
512 px, so a Signet output upscaled for a platform (say to 1080p) is still read.

Cost: embedding ~1 ms per 512x512 frame (the tiled pattern is cached per payload and size);
detection ~0.3 s for 50 frames of 512x512 after decoding, a few seconds for 1080p.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence

import cv2
import numpy as np
import numpy.typing as npt

from . import _sync_search
from ._texture_mask import texture_mask
from ._tile_layout import TILE, make_layout, payload_tile
from .base import DEFAULT_MAX_FRAMES, WatermarkCodec, WatermarkReading, check_rgb_frame
from .payload import CODED_BITS, MIN_AGREEMENT, DecodedPayload, PayloadCode

DEFAULT_TARGET_PSNR_DB = 40.4
_PATTERN_CACHE_SIZE = 4
# Half a tile: anything smaller cannot hold enough of the pattern to decode.
MIN_SIDE = 64
_UPSCALE_PROBE_SIDE = 512
# Best sync scores of unmarked pictures measured 4-7.5 while tuning (marked: 13 and up after the
# benchmark's attacks, 8-10 after CRF 40 or as a half-size inset); used to scale the reported
# confidence of a reading that did not decode and to skip the localised retry, never to
# accept a reading.
_UNMARKED_SCORE_CEILING = 7.5


class SpreadSpectrumCodec(WatermarkCodec):
    """Keyed spread-spectrum tile watermark ("signet.ss-tile.v1")."""

    name = "signet.ss-tile.v1"

    def __init__(self, key: bytes, target_psnr_db: float = DEFAULT_TARGET_PSNR_DB) -> None:
        self._payload = PayloadCode(key)
        self._layout = make_layout(key, CODED_BITS)
        # Root-mean-square change per channel that gives the target PSNR.
        self._amplitude = 255.0 / 10.0 ** (target_psnr_db / 20.0)
        self._patterns: OrderedDict[tuple[int, int, int], npt.NDArray[np.float32]] = OrderedDict()

    def embed_frame(
        self, frame_rgb: npt.NDArray[np.uint8], payload_id: int, frame_index: int
    ) -> npt.NDArray[np.uint8]:
        # frame_index is unused: the pattern is the same in every frame so that detection can
        # average frames without knowing where the clip starts (trims, re-cuts).
        check_rgb_frame(frame_rgb)
        height, width = frame_rgb.shape[:2]
        pattern = self._tiled_pattern(payload_id, height, width)
        luma = cv2.cvtColor(frame_rgb, cv2.COLOR_RGB2GRAY)
        delta = cv2.multiply(pattern, texture_mask(luma))
        # Split into rounded, saturating uint8 additions: about 5x faster than widening the
        # frame to int16 and back.
        raise_by = cv2.cvtColor(cv2.convertScaleAbs(cv2.max(delta, 0.0)), cv2.COLOR_GRAY2RGB)
        lower_by = cv2.cvtColor(cv2.convertScaleAbs(cv2.min(delta, 0.0)), cv2.COLOR_GRAY2RGB)
        return cv2.subtract(cv2.add(frame_rgb, raise_by), lower_by)

    def detect(
        self, frames: Iterable[npt.NDArray[np.uint8]], max_frames: int = DEFAULT_MAX_FRAMES
    ) -> WatermarkReading:
        total, frames_read = _average_luma(frames, max_frames)
        if total is None:
            return WatermarkReading(False, None, 0.0, 0, "no frames to read")
        luma = total / frames_read
        if min(luma.shape) < MIN_SIDE:
            return WatermarkReading(
                False,
                None,
                0.0,
                frames_read,
                f"picture too small to read ({luma.shape[1]}x"
                f"{luma.shape[0]}, need {MIN_SIDE} px a side)",
            )
        best: tuple[_sync_search.SyncHit, float, str] | None = None
        # The mirror image's coarse sweep, computed with the picture's own (per shrink factor).
        mirrored_sweeps: dict[float, list[_sync_search.SyncHit]] = {}
        # Each (view, shrink) is whitened once, however many searches read it.
        whitened_views: dict[tuple[str, float], npt.NDArray[np.float32]] = {}
        # Cheapest first: the picture as received (at each resolution), then mirrored (a
        # horizontal flip), then a sweep over small turns of both, then (big pictures only)
        # the corners, where a picture-in-picture inset would be.
        for search, view in _SEARCHES:
            for shrink in _shrink_factors(luma.shape) if search != "corners" else [1.0]:
                if (view, shrink) not in whitened_views:
                    whitened_views[view, shrink] = _whitened_view(luma, view, shrink)
                whitened = whitened_views[view, shrink]
                hits = self._search(whitened, shrink, search, view, mirrored_sweeps)
                if not hits:
                    continue
                read = self._decode(hits)
                if read is not None:
                    hit, decoded = read
                    return _found(
                        decoded.payload_id, decoded.agreement, hit, shrink, frames_read, view
                    )
                if best is None or hits[0].score > best[0].score:
                    best = (hits[0], shrink, view)
        assert best is not None  # _shrink_factors always yields the picture as received
        hit, shrink, view = best
        confidence = 0.5 * min(1.0, max(0.0, hit.score) / _UNMARKED_SCORE_CEILING) ** 4
        return WatermarkReading(
            found=False,
            payload_id=None,
            confidence=round(min(confidence, 0.49), 3),
            frames_read=frames_read,
            detail=(
                f"no valid payload; best sync score {hit.score:.1f} {_where(hit, shrink, view)}"
            ),
        )

    def probe(
        self, frames: Sequence[npt.NDArray[np.uint8]], scales: Sequence[float]
    ) -> WatermarkReading | None:
        """Refine and decode only at the given isotropic scales, unturned and as received.

        The verifier's first try: a file re-encoded at its own size, shrunk (360p, 240p) or
        upscaled and shrunk back lies at a scale it can name from the picture's size, and a
        hill-climb from there (tens of folds instead of the full search's hundreds) finds it.
        The checksum is the same gate as in ``detect``: a decode here is accepted only when it
        matches, so trying a few placements more adds no false matches to speak of.
        """
        total, frames_read = _average_luma(frames, len(frames))
        if total is None or min(total.shape) < MIN_SIDE:
            return None
        whitened = _sync_search.whiten(total / frames_read)
        hits = _sync_search.search_near(whitened, self._layout, scales)
        read = self._decode(hits)
        if read is None:
            return None
        hit, decoded = read
        return _found(decoded.payload_id, decoded.agreement, hit, 1.0, frames_read, "as received")

    def _decode(
        self, hits: list[_sync_search.SyncHit]
    ) -> tuple[_sync_search.SyncHit, DecodedPayload] | None:
        """The first placement whose bits decode, read from the plain fold, then (where that
        found nothing) from the fold localised on where the sync pattern agrees.

        Each try is one more chance for noise to pass the keyed checksum and the agreement
        gate (about 4e-7 per try, see ``payload``); the tries per read stay in the tens.
        """
        # Only where the sync pattern stands out (an unmarked picture's best placements score
        # under _UNMARKED_SCORE_CEILING): each try costs a resample and a fold of the picture.
        localised = (
            _sync_search.localised(hit, self._layout)
            for hit in hits
            if hit.score >= _UNMARKED_SCORE_CEILING
        )
        for attempt in (hits, [hit for hit in localised if hit is not None]):
            if not attempt:
                continue
            soft = np.stack([_sync_search.soft_bits(hit, self._layout) for hit in attempt])
            for hit, decoded in zip(attempt, self._payload.decode_many(soft), strict=True):
                if decoded.payload_id is not None:
                    return hit, decoded
        return None

    def _search(
        self,
        whitened: npt.NDArray[np.float32],
        shrink: float,
        kind: str,
        view: str,
        mirrored_sweeps: dict[float, list[_sync_search.SyncHit]],
    ) -> list[_sync_search.SyncHit]:
        if kind == "turned":
            return _sync_search.search_turned(whitened, self._layout)
        if kind == "corners":
            hits = [
                hit
                for window in _sync_search.corner_windows(whitened)
                for hit in _sync_search.search(window, self._layout)
            ]
            return sorted(hits, key=lambda hit: hit.score, reverse=True)
        if view == "as received":
            received, mirrored_sweeps[shrink] = _sync_search.coarse_sweeps(whitened, self._layout)
            return _sync_search.search(whitened, self._layout, sweep=received)
        return _sync_search.search(whitened, self._layout, sweep=mirrored_sweeps.get(shrink))

    def _tiled_pattern(self, payload_id: int, height: int, width: int) -> npt.NDArray[np.float32]:
        cache_key = (payload_id, height, width)
        pattern = self._patterns.get(cache_key)
        if pattern is None:
            tile = payload_tile(self._layout, self._payload.encode(payload_id)) * self._amplitude
            reps = (-(-height // TILE), -(-width // TILE))
            pattern = np.ascontiguousarray(np.tile(tile, reps)[:height, :width])
            self._patterns[cache_key] = pattern
            if len(self._patterns) > _PATTERN_CACHE_SIZE:
                self._patterns.popitem(last=False)
        else:
            self._patterns.move_to_end(cache_key)
        return pattern


_VIEWS = {
    "as received": lambda luma: luma,
    "mirrored": lambda luma: np.ascontiguousarray(luma[:, ::-1]),
}


def _whitened_view(
    luma: npt.NDArray[np.float32], view: str, shrink: float
) -> npt.NDArray[np.float32]:
    """The averaged luma as seen in ``view``, shrunk by ``shrink``, whitened for folding."""
    seen = _VIEWS[view](luma)
    if shrink != 1.0:
        height, width = seen.shape
        size = (round(width / shrink), round(height / shrink))
        seen = cv2.resize(seen, size, interpolation=cv2.INTER_AREA)
    return _sync_search.whiten(seen)


# (search kind, view) in the order tried.
_SEARCHES = (
    ("grid", "as received"),
    ("grid", "mirrored"),
    ("turned", "as received"),
    ("turned", "mirrored"),
    # Last, and only for pictures big enough to hold an inset somewhere off-centre.
    ("corners", "as received"),
)


def _average_luma(
    frames: Iterable[npt.NDArray[np.uint8]], max_frames: int
) -> tuple[npt.NDArray[np.float32] | None, int]:
    """Sum of up to ``max_frames`` luma planes; frames of a size unlike the first are skipped."""
    total: npt.NDArray[np.float32] | None = None
    count = 0
    if max_frames <= 0:
        return None, 0
    for frame in frames:
        check_rgb_frame(frame)
        luma = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
        if total is None:
            total = luma.astype(np.float32)
        elif luma.shape == total.shape:
            cv2.accumulate(luma, total)
        else:
            continue
        count += 1
        if count >= max_frames:
            break
    return total, count


def _shrink_factors(shape: tuple[int, ...]) -> list[float]:
    """Resolutions to search: as received, and for big pictures also shrunk to about 512 px.

    The scale search covers received/embedded sizes up to MAX_SCALE; a Signet video upscaled
    beyond that (512 px to 1080p, say) is found by shrinking it back first. A picture marked at
    its own large size is found in the first pass, before any shrinking.
    """
    factor = min(shape) / _UPSCALE_PROBE_SIDE
    return [1.0, factor] if factor > _sync_search.MAX_SCALE else [1.0]


def _where(hit: _sync_search.SyncHit, shrink: float, view: str) -> str:
    placement = hit.placement
    return (
        f"at scale {placement.scale_x * shrink:.3f}x{placement.scale_y * shrink:.3f}, "
        f"angle {placement.angle:.1f} deg, {view}"
    )


def _found(
    payload_id: int,
    agreement: float,
    hit: _sync_search.SyncHit,
    shrink: float,
    frames_read: int,
    view: str,
) -> WatermarkReading:
    confidence = 0.5 + 0.5 * min(1.0, (agreement - MIN_AGREEMENT) / (0.85 - MIN_AGREEMENT))
    return WatermarkReading(
        found=True,
        payload_id=payload_id,
        confidence=round(confidence, 3),
        frames_read=frames_read,
        detail=(
            f"sync score {hit.score:.1f} {_where(hit, shrink, view)}, "
            f"codeword agreement {agreement:.2f}"
        ),
    )
