"""Turning an uploaded photo (path, bytes or array) into an upright RGB array."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError


class UnreadableImage(ValueError):
    """The bytes are not a picture Pillow can decode (corrupt, truncated, not an image)."""


ImageInput = Path | str | bytes | np.ndarray


def decode_rgb(image: ImageInput) -> np.ndarray:
    """An RGB uint8 array (H, W, 3), turned upright according to the EXIF orientation tag.

    Arrays are taken as already decoded RGB (greyscale and RGBA are converted). A missing file
    raises FileNotFoundError; undecodable content raises UnreadableImage.
    """
    if isinstance(image, np.ndarray):
        return _array_as_rgb(image)
    data = Path(image).read_bytes() if isinstance(image, (str, Path)) else bytes(image)
    try:
        with warnings.catch_warnings():
            # Pillow warns, then raises, on decompression bombs; both mean "do not decode".
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                upright = ImageOps.exif_transpose(opened)
                rgb = upright.convert("RGB")
                rgb.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise UnreadableImage(str(error) or type(error).__name__) from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UnreadableImage("the picture is too large to open safely") from error
    return np.asarray(rgb)


def _array_as_rgb(array: np.ndarray) -> np.ndarray:
    if array.dtype != np.uint8:
        raise ValueError(f"image arrays must be uint8, got {array.dtype}")
    if array.ndim == 2:
        return np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim == 3 and array.shape[2] == 3:
        # Views such as a mirrored frame (rgb[:, ::-1]) have strides OpenCV and dlib refuse.
        return np.ascontiguousarray(array)
    if array.ndim == 3 and array.shape[2] == 4:
        return np.ascontiguousarray(array[:, :, :3])
    raise ValueError(f"expected an image array (H, W), (H, W, 3) or (H, W, 4), got {array.shape}")
