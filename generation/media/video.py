"""Writing H.264 + AAC MP4s frame by frame, and reading MP4s back, with PyAV (FFmpeg)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import av.error
import numpy as np

from generation.media.audio import AudioTrack, DecodedAudio
from generation.media.errors import MediaError

PathLike = str | os.PathLike[str]
DEFAULT_FPS = 25
DEFAULT_CRF = 18
DEFAULT_PRESET = "veryfast"
# FFmpeg's AAC encoder with its fast coder: at the bit rates used here (160-224 kbit/s) it took
# 0.09 CPU s per 10 s of stereo instead of 0.24 s for the default "twoloop" search
# (2026-12-03), and the sound track's audio mark still reads after AAC 64 kbit/s re-encodes
# (tests/safety/test_audio_watermark*.py, bench/audio_watermark.py).
AAC_OPTIONS = {"aac_coder": "fast"}


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    fps: float
    frame_count: int
    duration_seconds: float
    has_audio: bool
    audio_duration_seconds: float | None


class Mp4Writer:
    """Stream RGB frames into an H.264 (yuv420p) MP4 with the given audio muxed in as AAC.

    Audio is encoded alongside the video as frames arrive, so the file is interleaved and
    memory does not grow with length. Use as a context manager; ``close()`` flushes both
    encoders and finishes the file, and is safe to call twice. ``abort()`` closes without
    caring whether the result is playable (the caller deletes it).
    """

    def __init__(
        self,
        path: PathLike,
        *,
        width: int,
        height: int,
        audio: DecodedAudio | AudioTrack | None = None,
        fps: int = DEFAULT_FPS,
        crf: int = DEFAULT_CRF,
        preset: str = DEFAULT_PRESET,
        audio_bitrate: int | None = None,
        threads: int = 0,
        x264_params: str | None = None,
    ) -> None:
        if width % 2 or height % 2:
            raise ValueError("yuv420p needs even frame dimensions")
        self.path = Path(path)
        self.width = width
        self.height = height
        self.fps = fps
        self.frames_written = 0
        if isinstance(audio, DecodedAudio):
            audio = AudioTrack.from_mono(audio)
        self._audio = audio
        self._audio_sent = 0  # samples handed to the AAC encoder so far
        self._closed = False
        # faststart moves the index to the front so browsers can play before downloading all.
        self._container = av.open(
            str(self.path), mode="w", format="mp4", options={"movflags": "+faststart"}
        )
        try:
            self._video = self._container.add_stream("libx264", rate=fps)
            self._video.width = width
            self._video.height = height
            self._video.pix_fmt = "yuv420p"
            self._video.options = {"crf": str(crf), "preset": preset}
            if x264_params:
                self._video.options = {**self._video.options, "x264-params": x264_params}
            self._video.codec_context.thread_count = threads
            self._audio_stream = None
            if audio is not None:
                self._audio_stream = self._container.add_stream(
                    "aac", rate=audio.sample_rate, layout=audio.layout
                )
                self._audio_stream.bit_rate = audio_bitrate or 96_000 + 64_000 * audio.channels
                self._audio_stream.options = dict(AAC_OPTIONS)
        except Exception:
            self._container.close()
            raise

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def write(self, frame_rgb: np.ndarray) -> None:
        """Append one HxWx3 uint8 RGB frame (and the audio that plays during it)."""
        if self._closed:
            raise ValueError("write() on a closed Mp4Writer")
        if frame_rgb.shape != (self.height, self.width, 3) or frame_rgb.dtype != np.uint8:
            raise ValueError(
                f"expected a {self.height}x{self.width}x3 uint8 frame, got "
                f"{frame_rgb.shape} {frame_rgb.dtype}"
            )
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame_rgb), format="rgb24")
        frame.pts = self.frames_written
        frame.time_base = Fraction(1, self.fps)
        for packet in self._video.encode(frame):
            self._container.mux(packet)
        self.frames_written += 1
        self._send_audio_until(self.frames_written / self.fps)

    def close(self) -> None:
        """Flush everything (all remaining audio included) and finish the file."""
        if self._closed:
            return
        self._closed = True
        try:
            self._send_audio_until(None)
            for packet in self._video.encode(None):
                self._container.mux(packet)
            if self._audio_stream is not None:
                for packet in self._audio_stream.encode(None):
                    self._container.mux(packet)
        finally:
            self._container.close()

    def abort(self) -> None:
        """Close the file without flushing; the partial file is the caller's to delete."""
        if self._closed:
            return
        self._closed = True
        try:
            self._container.close()
        except (av.error.FFmpegError, OSError):
            pass  # Nothing useful to report: the caller is already handling a failure.

    def _send_audio_until(self, seconds: float | None) -> None:
        if self._audio is None or self._audio_stream is None:
            return
        samples = self._audio.samples
        length = samples.shape[1]
        end = length if seconds is None else min(
            length, int(round(seconds * self._audio.sample_rate))
        )
        if end <= self._audio_sent:
            return
        chunk = samples[:, self._audio_sent:end].astype(np.float32, copy=False)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="fltp",
                                           layout=self._audio.layout)
        frame.sample_rate = self._audio.sample_rate
        frame.pts = self._audio_sent
        frame.time_base = Fraction(1, self._audio.sample_rate)
        self._audio_sent = end
        for packet in self._audio_stream.encode(frame):
            self._container.mux(packet)


def probe_video(path: PathLike) -> VideoInfo:
    """Describe an MP4 (or other FFmpeg-readable video); MediaError if it is unreadable."""
    try:
        with av.open(str(path), mode="r") as container:
            if not container.streams.video:
                raise MediaError("The file contains no video track.")
            video = container.streams.video[0]
            audio = container.streams.audio[0] if container.streams.audio else None
            fps = float(video.average_rate or video.base_rate or 0)
            frame_count = int(video.frames or 0)
            if frame_count == 0:
                # Some containers do not store a count: demux (no decoding) to count packets.
                frame_count = sum(1 for p in container.demux(video) if p.size)
            duration = _stream_seconds(video)
            if duration is None:
                duration = frame_count / fps if fps else 0.0
            return VideoInfo(
                width=int(video.codec_context.width),
                height=int(video.codec_context.height),
                fps=fps,
                frame_count=frame_count,
                duration_seconds=duration,
                has_audio=audio is not None,
                audio_duration_seconds=_stream_seconds(audio) if audio is not None else None,
            )
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise _corrupt_video() from exc


def iter_video_frames(path: PathLike, *, max_frames: int | None = None) -> Iterator[np.ndarray]:
    """Yield the video's frames as HxWx3 uint8 RGB arrays, one at a time."""
    try:
        with av.open(str(path), mode="r") as container:
            if not container.streams.video:
                raise MediaError("The file contains no video track.")
            stream = container.streams.video[0]
            for index, frame in enumerate(container.decode(stream)):
                if max_frames is not None and index >= max_frames:
                    return
                yield frame.to_ndarray(format="rgb24")
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise _corrupt_video() from exc


def sample_video_frames(
    path: PathLike,
    count: int,
    *,
    max_side: int | None = None,
    max_decoded: int = 250,
) -> list[np.ndarray]:
    """Up to ``count`` RGB frames spread evenly over the video, shrunk (never enlarged) so the
    shorter side is at most ``max_side``. Bounded work: at most ``max_decoded`` frames are
    decoded (the first 10 s at 25 fps by default; longer videos are sampled within those), and
    only the sampled ones are converted to RGB.

    Raises MediaError when not even one frame can be decoded.
    """
    frames: list[np.ndarray] = []
    try:
        with av.open(str(path), mode="r") as container:
            if not container.streams.video:
                raise MediaError("The file contains no video track.")
            stream = container.streams.video[0]
            context = stream.codec_context
            width, height = int(context.width or 0), int(context.height or 0)
            scale = 1.0
            if max_side and width and height and min(width, height) > max_side:
                scale = max_side / min(width, height)
            size = (max(2, round(width * scale)), max(2, round(height * scale)))
            known = int(stream.frames or 0)
            if not known and stream.duration and stream.average_rate:
                known = int(float(stream.duration * stream.time_base * stream.average_rate))
            span = min(known or max_decoded, max_decoded)
            wanted = sorted({int(i) for i in np.linspace(0, max(span - 1, 0), count).round()})
            decoded = 0
            for frame in container.decode(stream):
                if decoded >= span or not wanted:
                    break
                if decoded >= wanted[0]:
                    while wanted and wanted[0] <= decoded:
                        wanted.pop(0)
                    if scale != 1.0:
                        frames.append(frame.reformat(width=size[0], height=size[1],
                                                     format="rgb24", interpolation="AREA")
                                      .to_ndarray())  # fmt: skip
                    else:
                        frames.append(frame.to_ndarray(format="rgb24"))
                decoded += 1
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        if not frames:
            raise _corrupt_video() from exc
    if not frames:
        raise _corrupt_video()
    return frames


def _stream_seconds(stream: av.stream.Stream | None) -> float | None:
    if stream is None or stream.duration is None or stream.time_base is None:
        return None
    return float(stream.duration * Fraction(stream.time_base))


def _corrupt_video() -> MediaError:
    return MediaError(
        "The video file could not be decoded: it may be corrupt or in an unsupported format."
    )
