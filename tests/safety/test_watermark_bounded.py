"""The verifier's bounded read: a probe where the mark most likely lies, the full search only when
the probe finds nothing, and a bounded sample of frames whatever the file's length."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from safety.watermark import SpreadSpectrumCodec, WatermarkReadError
from safety.watermark.bounded import (
    FULL,
    PROBE,
    probe_scales,
    read_video_watermark_bounded,
    sample_frames,
)
from tests.safety.test_watermark import KEY, PAYLOAD_ID, SIZE, read_h264, write_h264


@pytest.fixture(scope="module")
def codec() -> SpreadSpectrumCodec:
    return SpreadSpectrumCodec(KEY)


@pytest.fixture(scope="module")
def clip():
    from tests.safety.test_watermark import talking_clip

    return talking_clip(frames=60)


@pytest.fixture(scope="module")
def delivered(codec, clip, tmp_path_factory) -> Path:
    marked = np.stack([codec.embed_frame(f, PAYLOAD_ID, i) for i, f in enumerate(clip)])
    return write_h264(marked, tmp_path_factory.mktemp("bounded") / "marked.mp4", crf=18)


def _resized(path: Path, side: int, out: Path) -> Path:
    frames = read_h264(path)
    interpolation = cv2.INTER_AREA if side < SIZE else cv2.INTER_CUBIC
    small = np.stack([cv2.resize(f, (side, side), interpolation=interpolation) for f in frames])
    return write_h264(small, out, crf=23)


def test_the_delivered_file_is_read_by_the_probe_alone(codec, delivered) -> None:
    result = read_video_watermark_bounded(delivered, codec, render_side=SIZE)
    assert result.reading.found and result.reading.payload_id == PAYLOAD_ID
    assert not result.heavy_search


@pytest.mark.parametrize("side", [224, 640])
def test_a_downscaled_or_upscaled_copy_is_read_by_the_probe(
    codec, delivered, tmp_path, side
) -> None:
    copy = _resized(delivered, side, tmp_path / f"{side}.mp4")
    result = read_video_watermark_bounded(copy, codec, render_side=SIZE)
    assert result.reading.found and result.reading.payload_id == PAYLOAD_ID
    assert not result.heavy_search


def test_a_mirrored_copy_needs_and_gets_the_full_search(codec, delivered, tmp_path) -> None:
    mirrored = write_h264(read_h264(delivered)[:, :, ::-1].copy(), tmp_path / "m.mp4", crf=23)
    result = read_video_watermark_bounded(mirrored, codec, render_side=SIZE)
    assert result.reading.found and result.reading.payload_id == PAYLOAD_ID
    assert result.heavy_search


def test_an_unmarked_clip_runs_the_full_search_and_finds_nothing(codec, clip, tmp_path) -> None:
    plain = write_h264(clip, tmp_path / "plain.mp4", crf=18)
    result = read_video_watermark_bounded(plain, codec, render_side=SIZE)
    assert not result.reading.found and result.reading.payload_id is None
    assert result.heavy_search


def test_the_wrong_key_finds_nothing(delivered) -> None:
    other = SpreadSpectrumCodec(b"another-server-key")
    assert not read_video_watermark_bounded(delivered, other, render_side=SIZE).reading.found


def test_the_sample_is_bounded_spread_and_shrunk(delivered, tmp_path) -> None:
    big = _resized(delivered, 640, tmp_path / "big.mp4")
    frames = sample_frames(big, PROBE, SIZE)
    assert 2 <= len(frames) <= PROBE.frames
    assert all(f.shape == (SIZE, SIZE, 3) and f.dtype == np.uint8 for f in frames)
    assert len(sample_frames(big, FULL, SIZE)) <= FULL.frames
    assert sample_frames(big, FULL, SIZE)[0].shape == (640, 640, 3)  # never enlarged


def test_probe_scales_name_the_size_it_was_made_at_and_the_received_one() -> None:
    assert probe_scales((512, 512, 3), 512) == [1.0]
    assert probe_scales((360, 640, 3), 512) == [1.0, 360 / 512]


def test_a_corrupt_file_raises_a_read_error(codec, tmp_path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200)
    with pytest.raises(WatermarkReadError):
        read_video_watermark_bounded(junk, codec, render_side=SIZE)
