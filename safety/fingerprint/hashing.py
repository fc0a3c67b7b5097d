"""A perceptual video hash over frames, plus an audio fingerprint, and the distance between two.

Video: twice a second, the frame's luma is shrunk to 32x32 (after cutting 12 % off each side, so
a crop of up to about that much changes little of what is hashed), its 2-D DCT taken, and the
8x8 lowest frequencies (DC left out) compared with their median: 63 bits per sample (the classic
pHash). Low frequencies survive heavy compression (CRF 45), downscales and mild crops.

Audio: the sound is resampled to 8 kHz, cut into 256 ms frames every 32 ms, the energy of 17
log-spaced bands between 300 and 3000 Hz taken, and each frame gives 16 bits: the sign of the
band-energy difference's change over time (the Haitsma-Kalker design). Robust to codecs and
volume; the only alignment needed is a time offset, searched by sliding.

Distance: for each kind, the two sequences are slid over each other (trims, re-cuts) and the
smallest mean bit-error rate over an overlap of at least MIN_OVERLAP_SECONDS is kept. Unrelated
material sits near 0.5; the same content re-encoded far lower. Two outputs made from the same
portrait with different sound look alike to the video hash, which is why the audio part exists:
when both have sound, a match needs the sound to match too (``FingerprintDistance.matches``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
from scipy.fft import dctn
from scipy.signal import resample_poly

ALGORITHM = "signet.fp.phash-audio.v1"
VIDEO_RATE = 2.0  # samples per second
AUDIO_RATE = 8000
AUDIO_FRAME = 2048
AUDIO_HOP = 256  # 32 ms
_BANDS = np.geomspace(300.0, 3000.0, 18)
_CROP = 0.12
MIN_OVERLAP_SECONDS = 2.0
# Thresholds on the bit-error rate. Measured over the bench's unmarked set (bench/fingerprint.py):
# unrelated video 0.30-0.5 (talking heads share a layout), unrelated sound 0.38-0.5.
VIDEO_MATCH_BER = 0.22
AUDIO_MATCH_BER = 0.30
VIDEO_LOOSE_BER = 0.35
MAX_VIDEO_SECONDS = 120.0


@dataclass(frozen=True)
class Fingerprint:
    video: npt.NDArray[np.uint8]  # (samples, 63) bits
    audio: npt.NDArray[np.uint8]  # (frames, 16) bits

    def to_bytes(self) -> tuple[bytes, bytes]:
        return _pack(self.video), _pack(self.audio)

    @classmethod
    def from_bytes(cls, video: bytes, audio: bytes) -> Fingerprint:
        return cls(_unpack(video, 63), _unpack(audio, 16))


@dataclass(frozen=True)
class FingerprintDistance:
    video: float | None  # mean bit-error rate at the best alignment, None if not comparable
    audio: float | None

    @property
    def matches(self) -> bool:
        video_ok = self.video is not None and self.video <= VIDEO_MATCH_BER
        audio_ok = self.audio is not None and self.audio <= AUDIO_MATCH_BER
        if self.audio is not None and self.video is not None:
            # Both kinds present: the sound decides, the picture must not contradict it.
            return audio_ok and self.video <= VIDEO_LOOSE_BER
        return video_ok or audio_ok

    @property
    def score(self) -> float:
        """0..1, 1 the closest: the best of the two kinds."""
        values = [v for v in (self.video, self.audio) if v is not None]
        return max(0.0, 1.0 - 2.0 * min(values)) if values else 0.0


def _pack(bits: npt.NDArray[np.uint8]) -> bytes:
    return np.packbits(bits, axis=None).tobytes() if bits.size else b""


def _unpack(data: bytes, width: int) -> npt.NDArray[np.uint8]:
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8))
    rows = len(bits) // width
    return bits[: rows * width].reshape(rows, width)


def frame_hash(frame_rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    luma = cv2.cvtColor(frame_rgb, cv2.COLOR_RGB2GRAY)
    height, width = luma.shape
    dy, dx = int(height * _CROP), int(width * _CROP)
    core = luma[dy : height - dy, dx : width - dx]
    small = cv2.resize(core, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = dctn(small, norm="ortho")[:8, :8].reshape(-1)[1:]
    return (low > np.median(low)).astype(np.uint8)


def audio_bits(samples: npt.ArrayLike, sample_rate: int) -> npt.NDArray[np.uint8]:
    audio = np.asarray(samples, dtype=np.float64).reshape(-1)
    if sample_rate != AUDIO_RATE and len(audio):
        divisor = np.gcd(int(sample_rate), AUDIO_RATE)
        audio = resample_poly(audio, AUDIO_RATE // divisor, int(sample_rate) // divisor)
    if len(audio) < AUDIO_FRAME + 2 * AUDIO_HOP or not np.any(audio):
        return np.zeros((0, 16), dtype=np.uint8)
    count = 1 + (len(audio) - AUDIO_FRAME) // AUDIO_HOP
    index = np.arange(AUDIO_FRAME)[None, :] + AUDIO_HOP * np.arange(count)[:, None]
    power = np.abs(np.fft.rfft(audio[index] * np.hanning(AUDIO_FRAME), axis=1)) ** 2
    freqs = np.fft.rfftfreq(AUDIO_FRAME, 1.0 / AUDIO_RATE)
    band = np.digitize(freqs, _BANDS) - 1
    energy = np.stack([power[:, band == b].sum(axis=1) for b in range(len(_BANDS) - 1)], axis=1)
    energy = np.log(energy + 1e-12)
    diff = energy[:, :-1] - energy[:, 1:]
    return (diff[1:] - diff[:-1] > 0).astype(np.uint8)


def fingerprint_media(
    frames: list[npt.NDArray[np.uint8]] | None,
    fps: float,
    samples: npt.ArrayLike | None,
    sample_rate: int,
) -> Fingerprint:
    """Fingerprint decoded media: frames (RGB, at ``fps``) and/or mono samples."""
    video = np.zeros((0, 63), dtype=np.uint8)
    if frames:
        step = max(1, round(fps / VIDEO_RATE))
        video = np.stack([frame_hash(frame) for frame in frames[::step]])
    audio = audio_bits(samples, sample_rate) if samples is not None else np.zeros((0, 16), np.uint8)
    return Fingerprint(video=video, audio=audio)


def fingerprint_file(path: str | os.PathLike[str]) -> Fingerprint:
    """Fingerprint a video, audio-only file or still: every frame FFmpeg decodes, its sound."""
    import av

    frames: list[npt.NDArray[np.uint8]] = []
    samples = None
    with av.open(str(path)) as container:
        if container.streams.video:
            stream = container.streams.video[0]
            fps = float(stream.average_rate or 25)
            step = max(1, round(fps / VIDEO_RATE))
            limit = int(MAX_VIDEO_SECONDS * fps)
            for index, frame in enumerate(container.decode(stream)):
                if index >= limit:
                    break
                if index % step == 0:
                    frames.append(frame.to_ndarray(format="rgb24"))
    if _has_audio(path):
        from generation.media.audio import decode_audio
        from generation.media.errors import MediaError

        try:
            samples = decode_audio(path, sample_rate=AUDIO_RATE).samples
        except MediaError:
            samples = None
    return fingerprint_media(frames, VIDEO_RATE, samples, AUDIO_RATE)


def _has_audio(path: str | os.PathLike[str]) -> bool:
    import av

    with av.open(str(path)) as container:
        return bool(container.streams.audio)


def _best_ber(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8], min_overlap: int) -> float | None:
    if len(a) == 0 or len(b) == 0:
        return None
    overlap_needed = min(min_overlap, len(a), len(b))
    best = None
    for shift in range(-(len(b) - overlap_needed), len(a) - overlap_needed + 1):
        start_a, start_b = max(0, shift), max(0, -shift)
        length = min(len(a) - start_a, len(b) - start_b)
        if length < overlap_needed:
            continue
        errors = np.count_nonzero(a[start_a : start_a + length] != b[start_b : start_b + length])
        rate = errors / (length * a.shape[1])
        if best is None or rate < best:
            best = rate
    return best


def fingerprint_distance(query: Fingerprint, stored: Fingerprint) -> FingerprintDistance:
    video_overlap = max(1, int(MIN_OVERLAP_SECONDS * VIDEO_RATE))
    audio_overlap = max(1, int(MIN_OVERLAP_SECONDS * AUDIO_RATE / AUDIO_HOP))
    return FingerprintDistance(
        video=_best_ber(query.video, stored.video, video_overlap),
        audio=_best_ber(query.audio, stored.audio, audio_overlap),
    )
