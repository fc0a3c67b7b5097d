"""Checking and loading portrait images by their content, never by name or declared type."""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from generation.media.errors import MediaError

# Pillow's own names for the formats we accept; passing them to Image.open means no other
# decoder (GIF, BMP, TIFF, PSD, ...) ever sees the bytes.
ACCEPTED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP")
DEFAULT_MAX_PIXELS = 40_000_000

ImageSource = bytes | bytearray | str | os.PathLike[str]


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    format: str  # "JPEG", "PNG" or "WEBP"


def probe_image(data: ImageSource, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageInfo:
    """Check that ``data`` is a whole, decodable JPEG/PNG/WebP of at most ``max_pixels``.

    Raises MediaError otherwise. The pixel count is checked from the header before
    any pixel is decoded, so a small file claiming huge dimensions costs nothing.
    """
    with _open_checked(data, max_pixels=max_pixels) as image:
        return ImageInfo(width=image.width, height=image.height, format=str(image.format))


def load_image_rgb(data: ImageSource, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Decode a checked image to an HxWx3 uint8 RGB array, upright per its EXIF orientation.

    Transparent areas are composited over white, which is how a viewer would show them.
    """
    with _open_checked(data, max_pixels=max_pixels) as image:
        upright = ImageOps.exif_transpose(image)
        if upright.mode in ("RGBA", "LA", "PA") or (
            upright.mode == "P" and "transparency" in upright.info
        ):
            rgba = upright.convert("RGBA")
            background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            upright = Image.alpha_composite(background, rgba)
        return np.asarray(upright.convert("RGB"), dtype=np.uint8).copy()


class _open_checked:
    """Context manager yielding a fully loaded, size-checked Pillow image."""

    def __init__(self, data: ImageSource, *, max_pixels: int) -> None:
        self._data = data
        self._max_pixels = max_pixels
        self._image: Image.Image | None = None

    def __enter__(self) -> Image.Image:
        stream = _as_stream(self._data)
        with warnings.catch_warnings():
            # Pillow warns (rather than raises) between 1x and 2x its own limit; any such
            # warning means a possible decompression bomb, which we refuse outright.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                image = Image.open(stream, formats=list(ACCEPTED_FORMATS))
            except UnidentifiedImageError as exc:
                raise MediaError(
                    "The image is not a JPEG, PNG or WebP file. Please upload a photo in one of "
                    "those formats."
                ) from exc
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
                raise _too_large(self._max_pixels) from exc
            except (OSError, ValueError, SyntaxError) as exc:
                raise _corrupt() from exc
            self._image = image
            if image.width <= 0 or image.height <= 0:
                raise _corrupt()
            # The header alone tells the size: refuse before decoding any pixel.
            if image.width * image.height > self._max_pixels:
                raise _too_large(self._max_pixels)
            try:
                image.load()
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
                raise _too_large(self._max_pixels) from exc
            except (OSError, ValueError, SyntaxError, EOFError) as exc:
                # Truncated files raise OSError("image file is truncated") here.
                raise _corrupt() from exc
        return image

    def __exit__(self, *exc_info: object) -> None:
        if self._image is not None:
            self._image.close()


def _as_stream(data: ImageSource) -> io.BytesIO:
    if isinstance(data, (bytes, bytearray)):
        return io.BytesIO(bytes(data))
    try:
        return io.BytesIO(Path(data).read_bytes())
    except OSError as exc:
        raise MediaError("The image file could not be read.") from exc


def _too_large(max_pixels: int) -> MediaError:
    return MediaError(
        f"The image is too large. Please upload a photo of at most "
        f"{max_pixels / 1_000_000:g} megapixels."
    )


def _corrupt() -> MediaError:
    return MediaError(
        "The image could not be decoded: it may be corrupt, truncated or in an unsupported format."
    )
