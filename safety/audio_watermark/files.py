"""Reading the audio mark from a file: any audio or video file FFmpeg decodes."""

from __future__ import annotations

import os

import numpy as np

from generation.media.audio import AudioTrack, DecodedAudio, decode_audio
from generation.media.errors import MediaError

from .codec import ANALYSIS_RATE, MAX_HZ, AudioWatermark, AudioWatermarkReading

MAX_SECONDS = 600.0
MIN_MARK_SECONDS = 0.5
MIN_MARK_RATE = int(2 * MAX_HZ + 1000)


class AudioWatermarkReadError(Exception):
    """The file has no decodable sound track."""


def read_audio_watermark_from_file(
    path: str | os.PathLike[str], mark: AudioWatermark, max_seconds: float = MAX_SECONDS
) -> AudioWatermarkReading:
    try:
        audio = decode_audio(path, sample_rate=ANALYSIS_RATE, max_seconds=max_seconds)
    except MediaError as exc:
        raise AudioWatermarkReadError(str(exc)) from exc
    return mark.detect(audio.samples, audio.sample_rate)


def mark_decoded_audio(audio: DecodedAudio, mark: AudioWatermark, payload_id: int) -> DecodedAudio:
    """The sound track with the audio mark carrying ``payload_id`` (the video mark's ID).

    Sound too short to carry the mark, or at a rate too low for its band, is returned unmarked:
    the video mark and the manifest still bind the output.
    """
    if audio.duration_seconds < MIN_MARK_SECONDS or audio.sample_rate < MIN_MARK_RATE:
        return audio
    marked = mark.embed(audio.samples, audio.sample_rate, payload_id)
    return DecodedAudio.from_samples(marked, audio.sample_rate)


def read_audio_watermark_or_none(
    path: str | os.PathLike[str], mark: AudioWatermark
) -> AudioWatermarkReading | None:
    """The audio mark's reading, or None when the file has no decodable sound track."""
    try:
        return read_audio_watermark_from_file(path, mark)
    except (AudioWatermarkReadError, OSError):
        return None


def mark_audio_track(
    track: AudioTrack, mark: AudioWatermark, payload_id: int, *, in_place: bool = False
) -> AudioTrack:
    """The delivered sound track (mono or stereo) with the audio mark in every channel.

    The mark is a linear filter, so a later downmix of marked channels still carries it.
    ``in_place`` overwrites ``track``'s own samples (and returns it): for a caller that decoded
    the sound only to deliver it, so a long clip is not held twice while it is encoded.
    """
    if track.duration_seconds < MIN_MARK_SECONDS or track.sample_rate < MIN_MARK_RATE:
        return track
    samples = track.samples
    writable = in_place and samples.dtype == np.float32 and samples.flags.writeable
    marked = samples if writable else np.empty(samples.shape, dtype=np.float32)
    for index, channel in enumerate(samples):  # one channel's work in memory at a time
        marked[index] = mark.embed(channel, track.sample_rate, payload_id)
    return track if marked is samples else AudioTrack(samples=marked, sample_rate=track.sample_rate)
