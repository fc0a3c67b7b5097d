"""Checking and decoding uploaded audio by its content, with PyAV (FFmpeg)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error
import numpy as np

from generation.media.errors import MediaError

DEFAULT_SAMPLE_RATE = 16_000
DEFAULT_MAX_SECONDS = 600.0
DEFAULT_MIN_SECONDS = 0.5
# Below this peak level (dBFS) nothing a listener would call speech or singing is present.
SILENCE_PEAK_DBFS = -50.0

# Codecs of the formats we promise (WAV, MP3, M4A/AAC, OGG Vorbis/Opus, FLAC, WebM/Opus).
# Anything else FFmpeg happens to recognise is refused, so support stays a deliberate choice.
ACCEPTED_CODECS = frozenset({"mp3", "mp3float", "aac", "vorbis", "opus", "libopus", "flac"})

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class AudioInfo:
    duration_seconds: float
    codec: str
    sample_rate: int
    channels: int


@dataclass(frozen=True)
class DecodedAudio:
    """Mono float32 samples in [-1, 1] at ``sample_rate``."""

    samples: np.ndarray
    sample_rate: int
    duration_seconds: float

    @classmethod
    def from_samples(cls, samples: np.ndarray, sample_rate: int) -> DecodedAudio:
        mono = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
        return cls(samples=mono, sample_rate=sample_rate, duration_seconds=len(mono) / sample_rate)


# Rates the AAC encoder takes; a source at another rate is delivered at 48 kHz.
AAC_SAMPLE_RATES = frozenset(
    {96_000, 88_200, 64_000, 48_000, 44_100, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025, 8_000}
)
DELIVERY_FALLBACK_RATE = 48_000


@dataclass(frozen=True, eq=False)
class AudioTrack:
    """The sound as it is delivered: planar float32 samples, shape (channels, n), 1 or 2 channels,
    at the source's own rate (when AAC can carry it)."""

    samples: np.ndarray
    sample_rate: int

    @property
    def channels(self) -> int:
        return int(self.samples.shape[0])

    @property
    def layout(self) -> str:
        return "stereo" if self.channels == 2 else "mono"

    @property
    def duration_seconds(self) -> float:
        return self.samples.shape[1] / self.sample_rate

    @classmethod
    def from_mono(cls, audio: DecodedAudio) -> AudioTrack:
        return cls(samples=audio.samples.reshape(1, -1), sample_rate=audio.sample_rate)


def decode_audio_once(
    path: PathLike,
    *,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
    max_seconds: float = DEFAULT_MAX_SECONDS,
) -> tuple[DecodedAudio, AudioTrack]:
    """Decode the first audio track once into (mono at ``sample_rate`` for analysis, the track
    to deliver: the source's channels, up to stereo, at its own rate).

    The same length checks as ``decode_audio``; both results last as long as a player plays.
    """
    with _open_audio(path) as (container, stream):
        header_seconds = _header_duration(container, stream)
        source_channels = int(stream.codec_context.channels or 1)
        source_rate = int(stream.codec_context.sample_rate or DELIVERY_FALLBACK_RATE)
        layout = "stereo" if source_channels >= 2 else "mono"
        rate = source_rate if source_rate in AAC_SAMPLE_RATES else DELIVERY_FALLBACK_RATE
        delivery = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        delivered: list[np.ndarray] = []

        def keep(frame: av.AudioFrame | None) -> None:
            for out in delivery.resample(frame):
                delivered.append(out.to_ndarray().astype(np.float32, copy=False))

        chunks = list(
            _limited_chunks(container, stream, sample_rate, max_seconds, on_frame=keep)
        )
        keep(None)
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    seconds = _checked_duration(len(samples) / sample_rate, header_seconds)
    samples = samples[: int(round(seconds * sample_rate))]
    width = 2 if layout == "stereo" else 1
    track = (
        np.concatenate(delivered, axis=1) if delivered else np.zeros((width, 0), np.float32)
    )[:, : int(round(seconds * rate))]
    return (
        DecodedAudio.from_samples(samples, sample_rate),
        AudioTrack(samples=np.ascontiguousarray(track), sample_rate=rate),
    )


def probe_audio(
    data_path: PathLike,
    *,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    min_seconds: float = DEFAULT_MIN_SECONDS,
) -> AudioInfo:
    """Check that the file holds usable audio and describe it; raise MediaError if not.

    Refuses undecodable or truncated data, files with no audio track, unsupported codecs,
    audio longer than ``max_seconds`` (from the header when it states a duration, otherwise
    by decoding with an early stop at the limit), shorter than ``min_seconds``, and
    silence (peak below -50 dBFS throughout).
    """
    peak = 0.0
    with _open_audio(data_path) as (container, stream):
        header_seconds = _header_duration(container, stream)
        decoded = 0
        for chunk in _limited_chunks(container, stream, DEFAULT_SAMPLE_RATE, max_seconds):
            decoded += len(chunk)
            if len(chunk):
                peak = max(peak, float(np.max(np.abs(chunk))))
        seconds = _checked_duration(decoded / DEFAULT_SAMPLE_RATE, header_seconds)
        _check_wav_complete(Path(data_path), stream.codec_context.name)
        info = AudioInfo(
            duration_seconds=seconds,
            codec=stream.codec_context.name,
            sample_rate=int(stream.codec_context.sample_rate or 0),
            channels=int(stream.codec_context.channels or 0),
        )
    if info.duration_seconds < min_seconds:
        raise MediaError(
            f"The audio is too short: it must last at least {min_seconds:g} seconds."
        )
    if peak <= 0.0 or 20.0 * np.log10(peak) < SILENCE_PEAK_DBFS:
        raise MediaError(
            "The audio is silent. Please upload a recording with audible speech or singing."
        )
    return info


def decode_audio(
    path: PathLike,
    *,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
    max_seconds: float = DEFAULT_MAX_SECONDS,
) -> DecodedAudio:
    """Decode the first audio track to mono float32 at ``sample_rate`` (FFmpeg's resampler).

    Refuses audio longer than ``max_seconds`` without decoding past the limit. Encoder
    padding after the end the file declares (AAC pads to whole frames) is dropped, so the
    result lasts as long as a player would play it.
    """
    chunks: list[np.ndarray] = []
    with _open_audio(path) as (container, stream):
        header_seconds = _header_duration(container, stream)
        chunks = list(_limited_chunks(container, stream, sample_rate, max_seconds))
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    seconds = _checked_duration(len(samples) / sample_rate, header_seconds)
    samples = samples[: int(round(seconds * sample_rate))]
    return DecodedAudio.from_samples(samples, sample_rate)


def _limited_chunks(
    container: av.container.InputContainer,
    stream: av.audio.stream.AudioStream,
    sample_rate: int,
    max_seconds: float,
    on_frame: Callable[[av.AudioFrame], None] | None = None,
) -> Iterator[np.ndarray]:
    """Decoded chunks, refusing (before decoding) what the header says is too long and
    stopping as soon as the decoded length passes the limit (WebM from MediaRecorder
    states no duration, so only decoding can tell)."""
    header_seconds = _header_duration(container, stream)
    if header_seconds is not None and header_seconds > max_seconds + _DURATION_SLACK_SECONDS:
        raise _too_long(max_seconds)
    limit = int((max_seconds + _DURATION_SLACK_SECONDS) * sample_rate)
    total = 0
    for chunk in _decoded_mono_chunks(container, stream, sample_rate, on_frame):
        total += len(chunk)
        if total > limit:
            raise _too_long(max_seconds)
        yield chunk


# Encoders pad the end to whole frames (AAC: up to 1024 samples, Opus: 20 ms); allow that much.
_DURATION_SLACK_SECONDS = 0.15


def _checked_duration(decoded_seconds: float, header_seconds: float | None) -> float:
    """The true duration: the header's if decoding reached it, refusing truncated files."""
    if header_seconds is None:
        return decoded_seconds
    if decoded_seconds < header_seconds - max(0.25, 0.1 * header_seconds):
        # The file declares more audio than it holds: cut off during upload or damaged.
        raise _corrupt()
    return min(decoded_seconds, header_seconds)


def _check_wav_complete(path: Path, codec: str) -> None:
    """Refuse a WAV whose data chunk is shorter than its header says.

    Hand-written because FFmpeg quietly clamps a truncated WAV's duration to the bytes
    present, so neither its header duration nor decoding reveals the cut.
    """
    if not codec.startswith("pcm_"):
        return
    try:
        with path.open("rb") as handle:
            head = handle.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return  # Not RIFF/WAVE (e.g. PCM in another container): nothing to compare.
            while True:
                chunk_header = handle.read(8)
                if len(chunk_header) < 8:
                    return
                chunk_id = chunk_header[:4]
                chunk_size = int.from_bytes(chunk_header[4:], "little")
                if chunk_id == b"data":
                    # 0 and 0xFFFFFFFF mean "unknown size" (streamed WAV): nothing to check.
                    if chunk_size in (0, 0xFFFFFFFF):
                        return
                    present = path.stat().st_size - handle.tell()
                    if present < chunk_size:
                        raise _corrupt()
                    return
                handle.seek(chunk_size + (chunk_size & 1), os.SEEK_CUR)
    except OSError as exc:
        raise MediaError("The audio file could not be read.") from exc


class _open_audio:
    """Open a file and pick its first audio stream, translating FFmpeg errors."""

    def __init__(self, path: PathLike) -> None:
        self._path = Path(path)
        self._container: av.container.InputContainer | None = None

    def __enter__(self) -> tuple[av.container.InputContainer, av.audio.stream.AudioStream]:
        try:
            container = av.open(str(self._path), mode="r")
        except FileNotFoundError as exc:
            raise MediaError("The audio file could not be read.") from exc
        except (av.error.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
            raise _corrupt() from exc
        self._container = container
        if not container.streams.audio:
            container.close()
            raise MediaError("The file contains no audio track.")
        stream = container.streams.audio[0]
        if stream.codec_context.name not in ACCEPTED_CODECS and not (
            stream.codec_context.name.startswith("pcm_")
        ):
            container.close()
            raise MediaError(
                "This audio format is not supported. Please upload WAV, MP3, M4A (AAC), "
                "OGG (Vorbis or Opus), FLAC or WebM (Opus)."
            )
        return container, stream

    def __exit__(self, *exc_info: object) -> None:
        if self._container is not None:
            self._container.close()


def _decoded_mono_chunks(
    container: av.container.InputContainer,
    stream: av.audio.stream.AudioStream,
    sample_rate: int,
    on_frame: Callable[[av.AudioFrame], None] | None = None,
) -> Iterator[np.ndarray]:
    """Yield float32 mono chunks at ``sample_rate``, streaming: nothing is kept here.
    ``on_frame`` also sees every decoded frame (to resample it a second way in the same pass)."""
    resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
    decoded_any = False
    try:
        for frame in container.decode(stream):
            decoded_any = True
            if on_frame is not None:
                on_frame(frame)
            for out in resampler.resample(frame):
                yield out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
        for out in resampler.resample(None):
            yield out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
    except (av.error.FFmpegError, ValueError) as exc:
        raise _corrupt() from exc
    if not decoded_any:
        raise _corrupt()


def _header_duration(
    container: av.container.InputContainer, stream: av.audio.stream.AudioStream
) -> float | None:
    """The duration the file claims, or None (MediaRecorder WebM carries none)."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * Fraction(stream.time_base))
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    return None


def _too_long(max_seconds: float) -> MediaError:
    minutes = max_seconds / 60.0
    limit = f"{minutes:g} minutes" if max_seconds >= 60 else f"{max_seconds:g} seconds"
    return MediaError(f"The audio is too long: the limit is {limit}.")


def _corrupt() -> MediaError:
    return MediaError(
        "The audio file could not be decoded: it may be corrupt or in an unsupported format."
    )
