"""Consent recordings for liveness tests and the bench: genuine-like and forged.

Honest about what these are: there is no video of a real person performing a challenge here.
The genuine-like recording is SYNTHETIC: a real face photo animated by Signet's classical
animator (mouth driven by the speech's loudness, eyelids for blinks) and warped over a crude
ellipsoid head model for head turns and look-ups, with the consent sentence spoken by
espeak-ng. It performs the challenge's actions on time, which a pre-recorded clip cannot.
The forged ones are what an attacker makes from public photos and clips.

All recordings are WebM (VP8 + Opus), what Chromium's MediaRecorder writes.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image

from generation.renderers.base import crop_portrait
from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from safety.consent import spoken_sentence
from safety.liveness.challenge import (
    BLINK_TWICE,
    LOOK_UP,
    OPEN_MOUTH,
    TURN_LEFT,
    TURN_RIGHT,
    Challenge,
)
from tests.generation.face_helpers import detect_landmarks
from tests.generation.media_factory import face_path, tone

RATE = 16_000
FPS = 15
SIZE = 320
TURN_DEGREES = 18.0
LOOK_UP_DEGREES = 12.0


def speech(text: str, *, voice: str = "en-us+f2") -> np.ndarray:
    """espeak-ng speaking `text`, 16 kHz mono float32."""
    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is required (bin/system-packages installs it)"
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "said.wav"
        subprocess.run([espeak, "-v", voice, "-s", "150", "-w", str(wav), text], check=True)
        from generation.media.audio import decode_audio

        return decode_audio(wav, sample_rate=RATE).samples


def sentence_audio(code: str, seconds: float, *, start: float = 0.6, seed: int = 0) -> np.ndarray:
    """The consent sentence with `code` spoken from `start`, in a track `seconds` long with a
    little room noise."""
    rng = np.random.default_rng(seed)
    track = rng.normal(0, 0.0005, int(seconds * RATE)).astype(np.float32)
    said = speech(spoken_sentence(code))
    at = int(start * RATE)
    said = said[: len(track) - at]
    track[at : at + len(said)] += said
    return track


def portrait(photo: str, size: int = SIZE) -> tuple[np.ndarray, np.ndarray]:
    rgb = np.asarray(Image.open(face_path(photo)).convert("RGB"))
    landmarks = detect_landmarks(rgb)
    if landmarks is None:
        landmarks = detect_landmarks(rgb, upsample=1)
    crop = crop_portrait(rgb, landmarks, size)
    return crop.image, crop.landmarks.astype(np.float64)


class _HeadWarp:
    """A photo's face on an ellipsoid with a nose bump; turning it moves the nose more than the
    jaw line, as a real head's turn does (unlike any shift, zoom or rotation of the image)."""

    def __init__(self, landmarks: np.ndarray, size: int) -> None:
        self.cx, self.cy = landmarks[27:36].mean(axis=0)
        self.rx = 0.62 * (landmarks[16, 0] - landmarks[0, 0])
        self.ry = 0.75 * (landmarks[8, 1] - landmarks[19:25, 1].min()) + 0.2 * self.rx
        self.nose = landmarks[30]
        ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
        self.xs, self.ys = xs, ys

    def depth(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        inside = 1.0 - ((x - self.cx) / self.rx) ** 2 - ((y - self.cy) / self.ry) ** 2
        body = 0.9 * self.rx * np.sqrt(np.clip(inside, 0.0, None))
        bump = (
            0.3
            * self.rx
            * np.exp(
                -(((x - self.nose[0]) ** 2 + (y - self.nose[1]) ** 2) / (2 * (0.14 * self.rx) ** 2))
            )
        )
        return (body + bump).astype(np.float32)

    def apply(self, frame: np.ndarray, yaw_deg: float, pitch_deg: float) -> np.ndarray:
        if abs(yaw_deg) < 0.05 and abs(pitch_deg) < 0.05:
            return frame
        sx, sy = float(np.sin(np.radians(yaw_deg))), float(np.sin(np.radians(pitch_deg)))
        src_x, src_y = self.xs.copy(), self.ys.copy()
        for _ in range(3):  # fixed point of the backward map
            z = self.depth(src_x, src_y)
            src_x = self.xs - z * sx
            src_y = self.ys + z * sy
        src_x, src_y = src_x.astype(np.float32), src_y.astype(np.float32)
        return cv2.remap(frame, src_x, src_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


class _ClosedLids:
    """Repaints the animator's lowered upper lids as a closed eye looks: the lid in the colour
    of the skin under the eye, with a dark line of lashes where the lids meet.

    The animator paints a shut lid in the under-eye skin's colour itself, but its lash line
    follows the lid's curve and dlib's eye contour does not close on it: the shut eye's aspect
    ratio over the open one is 0.89 on obama.jpg and 1.00 on obama2.jpg (0.40 and 0.94 with
    this repaint; 2026-12-05, clean frames). Before 2026-12-04 the animator tinted obama2.jpg's
    lids brow-brown, a dark almond no viewer would take for a shut eye. The liveness figures in
    the README were measured with this repaint."""

    EYES = (slice(36, 42), slice(42, 48))

    def __init__(self, image: np.ndarray, landmarks: np.ndarray) -> None:
        self.landmarks = landmarks
        self.skins = []
        for eye in self.EYES:
            points = landmarks[eye]
            width = float(np.ptp(points[:, 0]))
            x0, x1 = int(points[:, 0].min() + 0.2 * width), int(points[:, 0].max() - 0.2 * width)
            below = float(points[[4, 5], 1].max())
            y0, y1 = int(below + 0.25 * width), int(below + 0.45 * width)
            patch = image[y0:y1, x0:x1].reshape(-1, 3)
            self.skins.append(np.median(patch, axis=0).astype(np.float32))

    def apply(self, closed: np.ndarray, opened: np.ndarray, blink: float) -> np.ndarray:
        """`closed`: the animator's frame with lids lowered by `blink`; `opened`: the same
        pose with open eyes (what the lids changed is the difference)."""
        out = closed.astype(np.float32)
        changed = np.abs(out - opened.astype(np.float32)).sum(axis=2)
        for eye, skin in zip(self.EYES, self.skins, strict=True):
            points = self.landmarks[eye]
            width = float(np.ptp(points[:, 0]))
            x0, y0 = np.maximum(np.floor(points.min(0) - [0.3 * width, 0.6 * width]), 0)
            x1, y1 = np.ceil(points.max(0) + [0.3 * width, 0.3 * width])
            x0, y0, x1, y1 = int(x0), int(y0), int(x1), int(y1)
            lid = cv2.GaussianBlur(np.clip(changed[y0:y1, x0:x1] / 30.0, 0, 1), (0, 0), 1.0)
            region = out[y0:y1, x0:x1]
            out[y0:y1, x0:x1] = region + (skin - region) * (0.8 * lid)[..., None]
            if blink > 0.5:
                # Where the lids meet: corner to corner, a little above the lower lid.
                p = points
                meet = np.array([p[0], 0.75 * p[5] + 0.25 * p[1], 0.75 * p[4] + 0.25 * p[2], p[3]])
                line = np.zeros(changed.shape, dtype=np.float32)
                cv2.polylines(
                    line,
                    [np.round(meet * 4).astype(np.int32)],
                    False,
                    1.0,
                    thickness=max(1, round(0.07 * width)),
                    lineType=cv2.LINE_AA,
                    shift=2,
                )
                line = cv2.GaussianBlur(line, (0, 0), 0.6) * min(1.0, (blink - 0.5) / 0.4) * 0.75
                out += (0.25 * skin - out) * line[..., None]
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _bump(times: np.ndarray, start: float, rise: float, hold: float) -> np.ndarray:
    """0 -> 1 over `rise` s from `start`, held `hold` s, back to 0 over `rise` s."""
    up = np.clip((times - start) / rise, 0, 1)
    down = np.clip((times - start - rise - hold) / rise, 0, 1)
    shape = up - down
    return 0.5 - 0.5 * np.cos(np.pi * shape)


def genuine_like_frames(
    photo: str,
    challenge: Challenge,
    audio: np.ndarray,
    *,
    perform: bool = True,
    delay: float = 0.5,
    size: int = SIZE,
    seed: int = 0,
) -> list[np.ndarray]:
    """Frames of the photo's face talking with `audio` and (if `perform`) doing the challenge's
    actions `delay` s after each prompt. `seed` sets where the head sits in the frame, its
    size and the light, which differ a little in every real session, and a slow sway."""
    image, landmarks = portrait(photo, size)
    animator = FaceAnimator(image, landmarks)
    warp = _HeadWarp(landmarks, size)
    lids = _ClosedLids(image, landmarks)
    seconds = len(audio) / RATE
    times = np.arange(int(seconds * FPS)) / FPS
    from safety.liveness.avsync import loudness_at

    level = loudness_at(audio, RATE, times + 0.04, width=0.06)
    mouth = np.clip(level / max(np.percentile(level, 95), 1e-6), 0, 1) ** 0.8
    blink = np.zeros_like(times)
    yaw = np.zeros_like(times)
    pitch = np.zeros_like(times)
    for natural in (0.4, seconds - 0.6):  # a person blinks now and then anyway
        blink = np.maximum(blink, _bump(times, natural, 0.07, 0.07))
    if perform:
        for step in challenge.steps:
            at = step.reveal_at + delay
            if step.action == BLINK_TWICE:
                blink = np.maximum(blink, _bump(times, at, 0.07, 0.1))
                blink = np.maximum(blink, _bump(times, at + 0.6, 0.07, 0.1))
            elif step.action == OPEN_MOUTH:
                mouth = np.maximum(mouth, 2.2 * _bump(times, at, 0.2, 0.8))
            elif step.action in (TURN_LEFT, TURN_RIGHT):
                sign = 1.0 if step.action == TURN_LEFT else -1.0
                yaw = yaw + sign * TURN_DEGREES * _bump(times, at, 0.35, 0.7)
            elif step.action == LOOK_UP:
                pitch = pitch + LOOK_UP_DEGREES * _bump(times, at, 0.35, 0.7)
    rng = np.random.default_rng(seed)
    dx, dy = rng.uniform(-12, 12, 2)
    zoom, light = rng.uniform(0.94, 1.06), rng.uniform(0.9, 1.1)
    phase = rng.uniform(0, 2 * np.pi)
    frames = []
    for index, time in enumerate(times):
        pose = FramePose(mouth_open=float(mouth[index]), blink=float(blink[index]))
        face = animator.render(pose)
        if pose.blink > 0.01:
            face = lids.apply(face, animator.render(replace(pose, blink=0.0)), pose.blink)
        frame = warp.apply(face, float(yaw[index]), float(pitch[index]))
        sway = 1.5 * np.sin(2 * np.pi * 0.3 * time + phase)
        matrix = cv2.getRotationMatrix2D((size / 2, size / 2), 0.0, zoom)
        matrix[:, 2] += (dx + sway, dy)
        placed = cv2.warpAffine(frame, matrix, (size, size), borderMode=cv2.BORDER_REFLECT)
        frames.append(np.clip(placed * light, 0, 255).astype(np.uint8))
    return frames


def still_frames(
    photo: str, seconds: float, *, shift: int = 0, ken_burns: bool = False, size: int = SIZE
) -> list[np.ndarray]:
    """A photo held still, nudged by `shift` pixels back and forth, or slowly zoomed and panned."""
    image, _ = portrait(photo, size)
    count = int(seconds * FPS)
    frames = []
    for index in range(count):
        if ken_burns:
            t = index / max(1, count - 1)
            zoom = 1.0 + 0.15 * t
            matrix = cv2.getRotationMatrix2D((size / 2 + 12 * t, size / 2), 0.0, zoom)
            frames.append(
                cv2.warpAffine(image, matrix, (size, size), borderMode=cv2.BORDER_REFLECT)
            )
        else:
            frames.append(np.roll(image, shift * (index % 3 - 1), axis=1))
    return frames


def loop_frames(frames: list[np.ndarray], period: float, seconds: float) -> list[np.ndarray]:
    clip = frames[: int(period * FPS)]
    return [clip[index % len(clip)] for index in range(int(seconds * FPS))]


def write_webm(path: Path, frames: list[np.ndarray], audio: np.ndarray | None) -> Path:
    """VP8 + Opus WebM, like MediaRecorder's (Opus wants 48 kHz)."""
    with av.open(str(path), mode="w", format="webm") as container:
        video = container.add_stream("libvpx", rate=FPS)
        video.width, video.height = frames[0].shape[1], frames[0].shape[0]
        video.pix_fmt = "yuv420p"
        video.bit_rate = 1_500_000
        sound = (
            container.add_stream("libopus", rate=48_000, layout="mono")
            if audio is not None
            else None
        )
        for frame in frames:
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)
        if sound is not None:
            resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
            source = av.AudioFrame.from_ndarray(
                audio.astype(np.float32).reshape(1, -1), format="flt", layout="mono"
            )
            source.sample_rate = RATE
            source.pts = 0
            source.time_base = Fraction(1, RATE)
            for converted in resampler.resample(source) + resampler.resample(None):
                for packet in sound.encode(converted):
                    container.mux(packet)
            for packet in sound.encode(None):
                container.mux(packet)
    return path


def genuine_like_recording(
    path: Path, photo: str, challenge: Challenge, code: str, **options
) -> Path:
    audio = sentence_audio(code, challenge.seconds, seed=options.get("seed", 0))
    return write_webm(path, genuine_like_frames(photo, challenge, audio, **options), audio)


def still_recording(path: Path, photo: str, code: str, seconds: float, **options) -> Path:
    """A photo "recording" with the code really spoken (text-to-speech) under it."""
    return write_webm(path, still_frames(photo, seconds, **options), sentence_audio(code, seconds))


def tone_still_recording(path: Path, photo: str, seconds: float) -> Path:
    """The attack the issue was filed on: a still photo shifted a pixel, a tone as sound."""
    return write_webm(path, still_frames(photo, seconds, shift=1), tone(seconds, frequency=180.0))
