from pathlib import Path

import numpy as np
import pytest

from generation.media import MediaError, load_image_rgb, probe_image
from tests.generation import media_factory as mf


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_accepted_formats_probe_and_load(fmt: str) -> None:
    data = mf.image_bytes(fmt, width=64, height=48)

    info = probe_image(data)
    pixels = load_image_rgb(data)

    assert (info.width, info.height, info.format) == (64, 48, fmt)
    assert pixels.shape == (48, 64, 3) and pixels.dtype == np.uint8
    # The gradient runs left to right in red: content came through, not a blank image.
    assert pixels[:, -1, 0].mean() > pixels[:, 0, 0].mean() + 200


def test_path_input_reads_the_shared_portrait() -> None:
    path = mf.face_path("obama.jpg")

    info = probe_image(path)

    assert info.format == "JPEG"
    assert load_image_rgb(path).shape == (info.height, info.width, 3)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_refused_even_if_named_jpg(fmt: str) -> None:
    with pytest.raises(MediaError, match="not a JPEG, PNG or WebP"):
        probe_image(mf.image_bytes(fmt))


def test_text_refused() -> None:
    with pytest.raises(MediaError, match="not a JPEG, PNG or WebP"):
        probe_image(b"<html>definitely a photo</html>")


def test_decompression_bomb_refused_before_decoding() -> None:
    bomb = mf.png_bomb_bytes(50_000, 50_000)
    assert len(bomb) < 10_000  # a small file claiming 2.5 gigapixels

    with pytest.raises(MediaError, match="too large"):
        probe_image(bomb)
    with pytest.raises(MediaError, match="too large"):
        load_image_rgb(bomb)


def test_image_over_the_callers_pixel_limit_refused() -> None:
    with pytest.raises(MediaError, match="too large"):
        probe_image(mf.image_bytes("PNG", width=200, height=200), max_pixels=10_000)


def test_truncated_jpeg_refused() -> None:
    whole = mf.face_path("obama.jpg").read_bytes()

    with pytest.raises(MediaError, match="could not be decoded"):
        probe_image(whole[: len(whole) // 2])


def test_exif_orientation_applied() -> None:
    # Orientation 6 means "rotate 90 degrees clockwise to display": 64x48 shows as 48x64.
    data = mf.image_bytes("JPEG", width=64, height=48, exif_orientation=6)

    pixels = load_image_rgb(data)

    assert pixels.shape == (64, 48, 3)
    # After the turn, the red gradient (left-to-right in storage) runs top to bottom.
    assert pixels[-1, :, 0].mean() > pixels[0, :, 0].mean() + 150


def test_transparent_png_composited_on_white() -> None:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGBA", (8, 8), (0, 0, 0, 0)).save(buffer, format="PNG")

    assert load_image_rgb(buffer.getvalue()).min() == 255


def test_missing_path_refused(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="could not be read"):
        probe_image(tmp_path / "nope.png")
