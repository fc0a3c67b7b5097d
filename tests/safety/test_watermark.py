"""Watermark codecs end to end: embed, encode with H.264, attack, read back from files."""

import warnings
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from PIL import Image

from safety.watermark import (
    DwtDctSvdCodec,
    SpreadSpectrumCodec,
    WatermarkReadError,
    WatermarkReading,
    default_codec,
    read_watermark_from_file,
)
from safety.watermark._lattice import comb_placements

KEY = b"test-watermark-key"
PAYLOAD_ID = 3_141_592_653
SIZE = 320
FACES = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "faces"


def talking_clip(frames: int = 30, size: int = SIZE, seed: int = 0) -> np.ndarray:
    """Textured background with a skin-coloured head that sways and a mouth that opens."""
    rng = np.random.default_rng(seed)
    texture = cv2.GaussianBlur(rng.normal(0, 1, (size, size)).astype(np.float32), (0, 0), 2.0)
    background = 120 + 25 * texture / texture.std()
    clip = np.empty((frames, size, size, 3), np.uint8)
    for t in range(frames):
        image = np.repeat(background[..., None], 3, axis=2) * np.float32([1.0, 0.9, 0.8])
        centre = (size // 2 + int(12 * np.sin(t / 5)), size // 2 + int(4 * np.cos(t / 7)))
        cv2.ellipse(image, centre, (size // 5, size // 4), 0, 0, 360, (205, 160, 130), -1)
        mouth = (centre[0], centre[1] + size // 8)
        cv2.ellipse(
            image,
            mouth,
            (size // 14, 2 + int(10 * abs(np.sin(t / 2)))),
            0,
            0,
            360,
            (90, 30, 35),
            -1,
        )
        clip[t] = np.clip(image, 0, 255).astype(np.uint8)
    return clip


def write_h264(frames: np.ndarray, path: Path, crf: int) -> Path:
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.height, stream.width = frames.shape[1:3]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(crf), "preset": "veryfast"}
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def read_h264(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])


def psnr(reference: np.ndarray, test: np.ndarray) -> float:
    mse = np.mean((reference.astype(np.float64) - test) ** 2)
    return float(10 * np.log10(255.0**2 / mse))


@pytest.fixture(scope="module")
def codec() -> SpreadSpectrumCodec:
    return SpreadSpectrumCodec(KEY)


@pytest.fixture(scope="module")
def clip() -> np.ndarray:
    return talking_clip()


@pytest.fixture(scope="module")
def marked(codec: SpreadSpectrumCodec, clip: np.ndarray) -> np.ndarray:
    return np.stack([codec.embed_frame(f, PAYLOAD_ID, i) for i, f in enumerate(clip)])


@pytest.fixture(scope="module")
def delivered(marked: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The marked clip as Signet delivers it: H.264 at CRF 18."""
    return write_h264(marked, tmp_path_factory.mktemp("delivered") / "marked.mp4", crf=18)


def test_default_codec_is_the_spread_spectrum_tile() -> None:
    codec = default_codec(KEY)
    assert isinstance(codec, SpreadSpectrumCodec)
    assert codec.name == "signet.ss-tile.v1"


def test_marking_is_invisible_by_psnr(clip: np.ndarray, marked: np.ndarray) -> None:
    assert marked.shape == clip.shape and marked.dtype == np.uint8
    assert min(psnr(a, b) for a, b in zip(clip, marked, strict=True)) >= 40.0
    assert not np.array_equal(clip, marked)


def test_embed_leaves_the_input_frame_untouched(
    codec: SpreadSpectrumCodec, clip: np.ndarray
) -> None:
    frame = clip[0].copy()
    codec.embed_frame(frame, PAYLOAD_ID, 0)
    assert np.array_equal(frame, clip[0])


def test_marked_frames_read_back_the_id(codec: SpreadSpectrumCodec, marked: np.ndarray) -> None:
    reading = codec.detect(iter(marked), max_frames=20)
    assert reading == WatermarkReading(
        found=True,
        payload_id=PAYLOAD_ID,
        confidence=reading.confidence,
        frames_read=20,
        detail=reading.detail,
    )
    assert 0.5 < reading.confidence <= 1.0


def test_id_survives_a_crf28_reencode(
    codec: SpreadSpectrumCodec, delivered: Path, tmp_path: Path
) -> None:
    reencoded = write_h264(read_h264(delivered), tmp_path / "crf28.mp4", crf=28)
    reading = read_watermark_from_file(reencoded, codec)
    assert reading.found and reading.payload_id == PAYLOAD_ID
    assert reading.frames_read == 30


def test_id_survives_a_crop_and_a_downscale(
    codec: SpreadSpectrumCodec, delivered: Path, tmp_path: Path
) -> None:
    frames = read_h264(delivered)[:, 16:304, 16:304]  # 10 % centre crop
    small = np.stack([cv2.resize(f, (200, 200), interpolation=cv2.INTER_AREA) for f in frames])
    reading = read_watermark_from_file(write_h264(small, tmp_path / "small.mp4", crf=23), codec)
    assert reading.found and reading.payload_id == PAYLOAD_ID


def _turn_2_degrees(frame: np.ndarray) -> np.ndarray:
    matrix = cv2.getRotationMatrix2D((SIZE / 2, SIZE / 2), 2.0, 1.0)
    return cv2.warpAffine(frame, matrix, (SIZE, SIZE), borderMode=cv2.BORDER_REFLECT)


def _squeeze_to_4_3(frame: np.ndarray) -> np.ndarray:
    return cv2.resize(frame, (320, 240), interpolation=cv2.INTER_AREA)


@pytest.mark.parametrize("attack", [_turn_2_degrees, _squeeze_to_4_3])
def test_id_survives_a_slight_turn_or_an_aspect_change(
    attack, codec: SpreadSpectrumCodec, delivered: Path, tmp_path: Path
) -> None:
    frames = np.stack([attack(f) for f in read_h264(delivered)])
    reading = read_watermark_from_file(write_h264(frames, tmp_path / "turned.mp4", crf=23), codec)
    assert reading.found and reading.payload_id == PAYLOAD_ID


def test_unmarked_video_is_not_found(
    codec: SpreadSpectrumCodec, clip: np.ndarray, tmp_path: Path
) -> None:
    reading = read_watermark_from_file(write_h264(clip, tmp_path / "plain.mp4", crf=18), codec)
    assert not reading.found and reading.payload_id is None
    assert reading.confidence < 0.5


def test_wrong_key_finds_nothing(delivered: Path) -> None:
    reading = read_watermark_from_file(delivered, SpreadSpectrumCodec(b"another-server-key"))
    assert not reading.found and reading.payload_id is None


def test_still_png_round_trips(codec: SpreadSpectrumCodec, tmp_path: Path) -> None:
    photo = np.asarray(Image.open(FACES / "astronaut.png").convert("RGB"))
    path = tmp_path / "still.png"
    Image.fromarray(codec.embed_frame(photo, 77, 0)).save(path)
    reading = read_watermark_from_file(path, codec)
    assert reading.found and reading.payload_id == 77 and reading.frames_read == 1
    plain = tmp_path / "plain.png"
    Image.fromarray(photo).save(plain)
    assert not read_watermark_from_file(plain, codec).found


def test_an_upscaled_still_is_still_read(codec: SpreadSpectrumCodec, tmp_path: Path) -> None:
    photo = np.asarray(Image.open(FACES / "astronaut.png").convert("RGB"))
    marked = codec.embed_frame(photo, 78, 0)
    path = tmp_path / "upscaled.jpg"
    Image.fromarray(marked).resize((1000, 1000), Image.Resampling.BICUBIC).save(path, quality=90)
    reading = read_watermark_from_file(path, codec)
    assert reading.found and reading.payload_id == 78


def _inset_at_top_right(photo: np.ndarray, backdrop: np.ndarray) -> np.ndarray:
    """A slide of 1280x720 with ``photo`` at half size near its top right corner."""
    slide = cv2.resize(backdrop, (1280, 720), interpolation=cv2.INTER_AREA)
    small = cv2.resize(photo, (photo.shape[1] // 2, photo.shape[0] // 2), cv2.INTER_AREA)
    slide[24 : 24 + small.shape[0], 1256 - small.shape[1] : 1256] = small
    return slide


def test_a_half_size_inset_in_a_corner_of_a_big_picture_is_read(
    codec: SpreadSpectrumCodec, tmp_path: Path
) -> None:
    # The inset lies wholly outside the central window the grid search folds.
    photo = np.asarray(Image.open(FACES / "astronaut.png").convert("RGB"))
    backdrop = np.asarray(Image.open(FACES / "obama.jpg").convert("RGB"))
    path = tmp_path / "slide.jpg"
    Image.fromarray(_inset_at_top_right(codec.embed_frame(photo, 81, 0), backdrop)).save(
        path, quality=90
    )
    reading = read_watermark_from_file(path, codec)
    assert reading.found and reading.payload_id == 81, reading.detail
    plain = tmp_path / "plain-slide.jpg"
    Image.fromarray(_inset_at_top_right(photo, backdrop)).save(plain, quality=90)
    assert not read_watermark_from_file(plain, codec).found


def test_a_picture_too_small_to_hold_the_mark_reads_as_not_found(
    codec: SpreadSpectrumCodec,
) -> None:
    tiny = codec.embed_frame(np.full((40, 300, 3), 128, np.uint8), 79, 0)
    reading = codec.detect([tiny])
    assert not reading.found and reading.frames_read == 1
    assert "too small" in reading.detail


def test_max_frames_bounds_the_read(codec: SpreadSpectrumCodec, delivered: Path) -> None:
    reading = read_watermark_from_file(delivered, codec, max_frames=5)
    assert reading.frames_read == 5 and reading.payload_id == PAYLOAD_ID


def test_no_frames_reads_as_not_found(codec: SpreadSpectrumCodec) -> None:
    assert codec.detect([]) == WatermarkReading(False, None, 0.0, 0, "no frames to read")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00garbage that is neither an image nor a video" * 40,
        "truncated-mp4",
        "truncated-png",
    ],
)
def test_corrupt_files_raise_a_read_error(
    content: bytes | str, codec: SpreadSpectrumCodec, delivered: Path, tmp_path: Path
) -> None:
    if content == "truncated-mp4":
        content = delivered.read_bytes()[:600]
    elif content == "truncated-png":
        png = tmp_path / "full.png"
        Image.fromarray(np.zeros((64, 64, 3), np.uint8) + 100).save(png)
        content = png.read_bytes()[:80]
    path = tmp_path / "broken.mp4"
    path.write_bytes(content)
    with pytest.raises(WatermarkReadError):
        read_watermark_from_file(path, codec)


def test_missing_file_raises_a_read_error(codec: SpreadSpectrumCodec, tmp_path: Path) -> None:
    with pytest.raises(WatermarkReadError):
        read_watermark_from_file(tmp_path / "nothing-here.mp4", codec)


def test_frames_must_be_rgb_uint8(codec: SpreadSpectrumCodec) -> None:
    with pytest.raises(ValueError):
        codec.embed_frame(np.zeros((64, 64), np.uint8), 1, 0)
    with pytest.raises(ValueError):
        codec.embed_frame(np.zeros((64, 64, 3), np.float32), 1, 0)


def test_packaged_baseline_round_trips_and_rejects_unmarked(clip: np.ndarray) -> None:
    codec = DwtDctSvdCodec(KEY)
    frames = [cv2.resize(f, (256, 256)) for f in clip[:3]]
    marked = [codec.embed_frame(f, PAYLOAD_ID, i) for i, f in enumerate(frames)]
    reading = codec.detect(marked)
    assert reading.found and reading.payload_id == PAYLOAD_ID and reading.frames_read == 3
    assert codec.name == "signet.imwatermark-dwtdctsvd.v1"
    assert not codec.detect(frames).found
    assert not DwtDctSvdCodec(b"another-server-key").detect(marked).found


def test_a_flat_black_picture_offers_no_tile_placements():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the old code divided by a zero baseline
        assert comb_placements(np.zeros((256, 256), np.float32), 0.5, 2.0) == []
