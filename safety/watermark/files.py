"""Reading a watermark from a file: a video (anything FFmpeg decodes) or a still image.

Stills go through Pillow (PNG, JPEG, WebP, ...) and are one-frame videos to the codec; everything
else goes through PyAV. Whatever goes wrong while opening or decoding the first frame (missing,
empty, truncated or corrupt file, no video stream) is raised as ``WatermarkReadError``; a decode
error after some frames were read ends the read early and the frames so far are used.
"""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageSequence, UnidentifiedImageError

from .base import DEFAULT_MAX_FRAMES, WatermarkCodec, WatermarkReadError, WatermarkReading

# Pillow refuses images above this many pixels as decompression bombs; a still this large is no
# Signet output and not worth the memory.
_MAX_IMAGE_PIXELS = 64_000_000


def read_watermark_from_file(
    path: str | os.PathLike[str], codec: WatermarkCodec, max_frames: int = DEFAULT_MAX_FRAMES
) -> WatermarkReading:
    """Decode up to ``max_frames`` frames of a video or image file and run ``codec.detect``.

    Raises WatermarkReadError when the file cannot be read as an image or a video.
    """
    return codec.detect(iter_file_frames(path, max_frames), max_frames=max_frames)


def iter_file_frames(
    path: str | os.PathLike[str], max_frames: int = DEFAULT_MAX_FRAMES
) -> Iterator[npt.NDArray[np.uint8]]:
    """HxWx3 uint8 RGB frames of an image or video file; the first one is decoded eagerly.

    Raises WatermarkReadError when not even one frame can be decoded.
    """
    file_path = Path(path)
    if not file_path.is_file():
        raise WatermarkReadError(f"{file_path}: no such file")
    if file_path.stat().st_size == 0:
        raise WatermarkReadError(f"{file_path}: file is empty")
    frames = _image_frames(file_path, max_frames)
    if frames is None:
        frames = _video_frames(file_path, max_frames)
    try:
        first = next(frames)
    except StopIteration:
        raise WatermarkReadError(f"{file_path}: no frames could be decoded") from None
    return itertools.chain([first], frames)


def _image_frames(path: Path, max_frames: int) -> Iterator[npt.NDArray[np.uint8]] | None:
    """Frames of a still (or animated) image, or None when Pillow does not recognise the file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
    except UnidentifiedImageError:
        return None
    except (
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise WatermarkReadError(f"{path}: unreadable image ({exc})") from exc
    if image.width * image.height > _MAX_IMAGE_PIXELS:
        image.close()
        raise WatermarkReadError(f"{path}: image too large ({image.width}x{image.height})")
    return _decode_image(path, image, max_frames)


def _decode_image(
    path: Path, image: Image.Image, max_frames: int
) -> Iterator[npt.NDArray[np.uint8]]:
    with image:
        for index, frame in enumerate(ImageSequence.Iterator(image)):
            if index >= max_frames:
                return
            try:
                rgb = np.asarray(frame.convert("RGB"), dtype=np.uint8)
            except (OSError, ValueError, SyntaxError) as exc:
                if index == 0:
                    raise WatermarkReadError(f"{path}: corrupt image ({exc})") from exc
                return
            yield np.ascontiguousarray(rgb)


def _video_frames(path: Path, max_frames: int) -> Iterator[npt.NDArray[np.uint8]]:
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise WatermarkReadError(f"{path}: neither an image nor a readable video ({exc})") from exc
    if not container.streams.video:
        container.close()
        raise WatermarkReadError(f"{path}: has no video stream")
    return _decode_video(path, container, max_frames)


def _decode_video(
    path: Path, container: av.container.InputContainer, max_frames: int
) -> Iterator[npt.NDArray[np.uint8]]:
    count = 0
    with container:
        try:
            for frame in container.decode(container.streams.video[0]):
                if count >= max_frames:
                    return
                yield frame.to_ndarray(format="rgb24")
                count += 1
        except (av.FFmpegError, OSError, ValueError) as exc:
            if count == 0:
                raise WatermarkReadError(f"{path}: corrupt video ({exc})") from exc
