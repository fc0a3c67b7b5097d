from pathlib import Path

import numpy as np
import pytest

from generation.media import DecodedAudio, MediaError, Mp4Writer, iter_video_frames, probe_video
from generation.media.audio import decode_audio
from tests.generation import media_factory as mf


def _write_clip(path: Path, seconds: float, size: int = 64) -> int:
    audio = DecodedAudio.from_samples(mf.tone(seconds), 16_000)
    frames = round(seconds * 25)
    with Mp4Writer(path, width=size, height=size, audio=audio) as writer:
        for index in range(frames):
            writer.write(np.full((size, size, 3), (index * 4) % 256, dtype=np.uint8))
    return frames


def test_written_mp4_has_h264_video_and_aac_audio_of_matching_length(tmp_path: Path) -> None:
    import av

    path = tmp_path / "clip.mp4"
    frames = _write_clip(path, 2.03)

    info = probe_video(path)
    with av.open(str(path)) as container:
        codecs = {s.type: s.codec_context.name for s in container.streams}
        pix_fmt = container.streams.video[0].codec_context.pix_fmt

    assert codecs == {"video": "h264", "audio": "aac"}
    assert pix_fmt == "yuv420p"
    assert (info.width, info.height, info.fps, info.frame_count) == (64, 64, 25.0, frames)
    assert info.has_audio
    assert info.audio_duration_seconds == pytest.approx(2.03, abs=0.01)
    assert abs(info.duration_seconds - info.audio_duration_seconds) <= 1 / 25
    assert decode_audio(path).duration_seconds == pytest.approx(2.03, abs=0.03)


def test_frames_read_back_in_order(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    _write_clip(path, 1.0)

    means = [float(frame.mean()) for frame in iter_video_frames(path, max_frames=10)]

    assert len(means) == 10
    assert means == pytest.approx([i * 4 for i in range(10)], abs=2.5)


def test_writer_refuses_wrong_frame_shape(tmp_path: Path) -> None:
    with Mp4Writer(tmp_path / "x.mp4", width=64, height=64) as writer:
        with pytest.raises(ValueError, match="64x64x3 uint8"):
            writer.write(np.zeros((32, 32, 3), dtype=np.uint8))


def test_corrupt_video_raises_media_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + np.random.default_rng(2).bytes(5000))

    with pytest.raises(MediaError):
        probe_video(path)
    with pytest.raises(MediaError):
        list(iter_video_frames(path))


def test_a_sample_is_spread_evenly_bounded_and_shrunk(tmp_path: Path) -> None:
    from generation.media.video import sample_video_frames

    path = tmp_path / "ramp.mp4"
    # Frame i is uniformly grey at level i (0..99), 128x96 pixels.
    with Mp4Writer(path, width=128, height=96, crf=0) as writer:
        for index in range(100):
            writer.write(np.full((96, 128, 3), 40 + index, dtype=np.uint8))

    levels = np.array([float(f.mean()) for f in iter_video_frames(path)])

    def indices(frames):
        return [int(np.abs(levels - float(f.mean())).argmin()) for f in frames]

    frames = sample_video_frames(path, 5, max_side=48)
    assert [f.shape for f in frames] == [(48, 64, 3)] * 5  # shorter side shrunk to 48
    # (the shrunk frames' grey levels differ by a level or two from the full-size ones)
    assert indices(frames) == pytest.approx([0, 25, 50, 74, 99], abs=3)
    # Only the first 20 frames may be decoded: the sample spreads over those.
    bounded = sample_video_frames(path, 3, max_decoded=20)
    assert bounded[0].shape == (96, 128, 3)  # never enlarged, and no max_side: as stored
    assert indices(bounded) == pytest.approx([0, 10, 19], abs=1)


def test_a_sample_of_a_corrupt_file_is_a_media_error(tmp_path: Path) -> None:
    from generation.media.video import sample_video_frames

    path = tmp_path / "bad.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + np.random.default_rng(3).bytes(4000))
    with pytest.raises(MediaError):
        sample_video_frames(path, 4)
