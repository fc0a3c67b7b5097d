"""Benchmark-only helpers: synthetic talking-head-like clips and H.264 round trips with PyAV.

The clips are drawn, not filmed: a textured background (blurred noise at several scales, some
furniture-like shapes, a light gradient), and a face-like head (skin-toned ellipse with shading,
hair, eyes that blink, a mouth that opens and closes like speech) that sways and nods. They give
the watermark what matters for it (moving content, flat skin, texture, compression) without
publishing anyone's face.
"""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import numpy.typing as npt

FPS = 25

Frames = npt.NDArray[np.uint8]  # (n, height, width, 3) RGB


def _noise_layer(rng: np.random.Generator, size: int, blur: float) -> npt.NDArray[np.float32]:
    layer = rng.normal(0, 1, (size, size)).astype(np.float32)
    layer = cv2.GaussianBlur(layer, (0, 0), blur)
    return layer / (layer.std() + 1e-6)


def _background(rng: np.random.Generator, size: int) -> npt.NDArray[np.float32]:
    base = rng.uniform(60, 200, 3).astype(np.float32)
    texture_strength = rng.choice([2.0, 8.0, 20.0])  # plain wall, light texture, busy room
    texture = sum(
        _noise_layer(rng, size, blur) * weight
        for blur, weight in ((1.0, 0.4), (3.0, 0.6), (12.0, 1.0))
    )
    image = np.empty((size, size, 3), np.float32)
    gradient = np.linspace(-25, 25, size, dtype=np.float32)[None, :] * rng.uniform(-1, 1)
    for channel in range(3):
        image[..., channel] = base[channel] + gradient + texture * texture_strength
    for _ in range(rng.integers(2, 7)):
        colour = tuple(float(v) for v in rng.uniform(30, 230, 3))
        x0, y0 = (int(v) for v in rng.integers(0, size, 2))
        w, h = (int(v) for v in rng.integers(size // 10, size // 3, 2))
        cv2.rectangle(image, (x0, y0), (x0 + w, y0 + h), colour, -1)
    return image


def synthetic_talking_clip(seed: int, size: int = 512, frames: int = 100) -> Frames:
    """A reproducible talking-head-like RGB clip (n, size, size, 3)."""
    rng = np.random.default_rng(seed)
    background = _background(rng, size)
    skin = rng.uniform([150, 100, 80], [235, 190, 160]).astype(np.float32)
    hair = rng.uniform(20, 120, 3).astype(np.float32)
    grain = _noise_layer(rng, size, 0.8)  # fixed skin/sensor texture
    syllable_rate = rng.uniform(3.0, 5.5)  # mouth openings per second
    phase = rng.uniform(0, 2 * np.pi, 4)
    out = np.empty((frames, size, size, 3), np.uint8)
    s = size / 512
    for index in range(frames):
        t = index / FPS
        image = background.copy()
        cx = size / 2 + 18 * s * np.sin(0.7 * t + phase[0])
        cy = size * 0.48 + 8 * s * np.sin(1.1 * t + phase[1])
        tilt = 4 * np.sin(0.5 * t + phase[2])
        centre = (int(cx), int(cy))
        cv2.ellipse(
            image,
            (int(cx), int(cy - 40 * s)),
            (int(125 * s), int(130 * s)),
            tilt,
            180,
            360,
            tuple(float(v) for v in hair),
            -1,
        )
        cv2.ellipse(
            image,
            centre,
            (int(105 * s), int(140 * s)),
            tilt,
            0,
            360,
            tuple(float(v) for v in skin),
            -1,
        )
        # Soft shading over the face so skin is not one flat colour.
        shade = np.zeros((size, size), np.float32)
        cv2.ellipse(
            shade,
            (int(cx - 25 * s), int(cy - 30 * s)),
            (int(60 * s), int(80 * s)),
            0,
            0,
            360,
            1.0,
            -1,
        )
        shade = cv2.GaussianBlur(shade, (0, 0), 25 * s)
        image += shade[..., None] * 18
        eye_open = 0.15 if (index + int(phase[3] * 10)) % 90 < 4 else 1.0
        for side in (-1, 1):
            eye = (int(cx + side * 40 * s), int(cy - 30 * s))
            cv2.ellipse(
                image,
                eye,
                (int(16 * s), max(1, int(8 * s * eye_open))),
                tilt,
                0,
                360,
                (245, 245, 240),
                -1,
            )
            cv2.circle(image, eye, max(1, int(6 * s * eye_open)), (40, 30, 25), -1)
        opening = max(0.0, np.sin(2 * np.pi * syllable_rate * t + phase[3])) ** 1.5
        mouth = (int(cx), int(cy + 65 * s))
        cv2.ellipse(
            image, mouth, (int(38 * s), int((4 + 22 * opening) * s)), tilt, 0, 360, (90, 30, 35), -1
        )
        if opening > 0.3:
            cv2.ellipse(
                image,
                (mouth[0], mouth[1] - int(10 * opening * s)),
                (int(28 * s), int(5 * s)),
                tilt,
                0,
                360,
                (235, 230, 220),
                -1,
            )
        image += grain[..., None] * 3
        out[index] = np.clip(image, 0, 255).astype(np.uint8)
    return out


def encode_h264(frames: Frames, path: Path, crf: int, fps: int = FPS) -> Path:
    """Write RGB frames as an H.264 (libx264, yuv420p) MP4 at the given CRF."""
    height, width = frames.shape[1:3]
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = width - width % 2, height - height % 2
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(crf), "preset": "veryfast"}
        for frame in frames:
            video_frame = av.VideoFrame.from_ndarray(
                np.ascontiguousarray(frame[: stream.height, : stream.width]), format="rgb24"
            )
            for packet in stream.encode(video_frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def decode_frames(path: Path, max_frames: int | None = None) -> Frames:
    frames = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            frames.append(frame.to_ndarray(format="rgb24"))
            if max_frames is not None and len(frames) >= max_frames:
                break
    return np.stack(frames)
