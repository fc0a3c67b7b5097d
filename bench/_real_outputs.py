"""Real Signet outputs for benchmarks, and the ffmpeg-CLI attacks a re-uploader would make.

``make_outputs`` renders talking clips from the face photos in ../shared/data/faces with the
production animator (speech from espeak-ng, or a synthetic sung melody), seals each with the
same ``safety.sealing.seal_video`` the worker runs (label, watermark, H.264, C2PA), and also
encodes the same labelled frames without the mark at the same settings (the reference for PSNR,
and unmarked material for false-match trials). ``ATTACKS`` turns a file into an attacked copy
with Debian's ffmpeg command line only.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from bench import _audio_attacks as sounds
from bench._sealing import BenchSealer
from generation.media import DecodedAudio, Mp4Writer, decode_audio, load_image_rgb
from generation.media.video import iter_video_frames, probe_video
from generation.render_job import render_to_file
from generation.renderers import RenderRequest, get_renderer
from safety.sealing import SEALED_CRF

FACES_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "faces"
# (photo, sound) per clip, in the order clips are made.
CLIP_PLAN = [
    ("obama.jpg", "speech"),
    ("biden.jpg", "sung"),
    ("astronaut.png", "speech"),
    ("obama2.jpg", "sung"),
    ("biden.jpg", "speech"),
    ("obama.jpg", "sung"),
    ("astronaut.png", "sung"),
    ("obama2.jpg", "speech"),
]


@dataclass(frozen=True)
class Output:
    name: str
    sealed: Path
    unmarked: Path
    payload_id: int


def _landmarks(image: np.ndarray) -> np.ndarray:
    from safety.faces import get_face_backend

    backend = get_face_backend("dlib")
    backend.load()
    faces = backend.detect(image)
    if len(faces) != 1:
        raise SystemExit("expected one face per test photo")
    return np.asarray(faces[0].landmarks)


def _sound(kind: str, index: int, seconds: float, workdir: Path) -> Path:
    path = workdir / f"{kind}{index}.wav"
    made = sounds.speech(path, index) if kind == "speech" else sounds.sung(path, index)
    samples = sounds.read(made)
    needed = int(seconds * sounds.RATE)
    samples = np.resize(samples, needed) if len(samples) < needed else samples[:needed]
    return sounds.write(samples, path)


def make_outputs(
    count: int, workdir: Path, sealer: BenchSealer, seconds: float = 10.0
) -> list[Output]:
    outputs = []
    for index, (photo, kind) in enumerate(CLIP_PLAN[:count]):
        name = f"{Path(photo).stem}-{kind}{index}"
        image = load_image_rgb(FACES_DIR / photo)
        wav = _sound(kind, index, seconds, workdir)
        request = RenderRequest(
            portrait_rgb=image,
            landmarks=_landmarks(image),
            audio=decode_audio(wav, sample_rate=16_000),
            seed=index,
        )
        render = render_to_file(
            get_renderer("animator"),
            request,
            workdir / f"{name}.render.mp4",
            output_audio=decode_audio(wav, sample_rate=48_000),
        )
        payload_id = 1_000_000_007 * (index + 1) % 2**32
        report = sealer.seal(render.path, watermark_id=payload_id)
        sealed = report.path.rename(workdir / f"{name}.sealed.mp4")
        unmarked = _unmarked(render.path, workdir / f"{name}.unmarked.mp4", sealer)
        outputs.append(Output(name, sealed, unmarked, payload_id))
    return outputs


def _unmarked(render: Path, dst: Path, sealer: BenchSealer) -> Path:
    """The labelled frames encoded exactly as sealing does, without the watermark."""
    info = probe_video(render)
    audio: DecodedAudio = decode_audio(render, sample_rate=48_000)
    with Mp4Writer(
        dst,
        width=info.width,
        height=info.height,
        fps=round(info.fps),
        audio=audio,
        crf=SEALED_CRF,
    ) as writer:
        for frame in iter_video_frames(render):
            writer.write(sealer.label.apply(frame))
    return dst


# --- attacks ------------------------------------------------------------------------------

Attack = Callable[[Path, Path, Path], Path]  # (source, workdir, background) -> attacked file


def _ffmpeg(*args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-y", "-v", "error", "-nostdin", *args], check=True, capture_output=True
    )


def _x264(vf: str | None = None, crf: int = 23, extra: tuple[str, ...] = ()) -> Attack:
    def attack(src: Path, workdir: Path, background: Path) -> Path:
        dst = workdir / f"{src.stem}.{abs(hash((vf, crf, extra))) % 10**8}.mp4"
        filters = ["-vf", vf] if vf else []
        _ffmpeg(
            *extra[:2],
            "-i",
            str(src),
            *filters,
            *extra[2:],
            "-c:v",
            "libx264",
            "-crf",
            str(crf),
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "96k",
            str(dst),
        )
        return dst

    return attack


def _pip(fraction: float) -> Attack:
    def attack(src: Path, workdir: Path, background: Path) -> Path:
        dst = workdir / f"{src.stem}.pip{int(fraction * 100)}.mp4"
        graph = f"[1:v]scale=iw*{fraction}:-2[small];[0:v][small]overlay=W-w-24:24:shortest=1[v]"
        _ffmpeg(
            "-i",
            str(background),
            "-i",
            str(src),
            "-filter_complex",
            graph,
            "-map",
            "[v]",
            "-map",
            "1:a?",
            "-c:v",
            "libx264",
            "-crf",
            "23",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            str(dst),
        )
        return dst

    return attack


def _vp9(src: Path, workdir: Path, background: Path) -> Path:
    dst = workdir / f"{src.stem}.vp9.webm"
    _ffmpeg(
        "-i",
        str(src),
        "-c:v",
        "libvpx-vp9",
        "-crf",
        "36",
        "-b:v",
        "0",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-c:a",
        "libopus",
        str(dst),
    )
    return dst


def _still(fmt: str, quality: int = 0) -> Attack:
    def attack(src: Path, workdir: Path, background: Path) -> Path:
        png = workdir / f"{src.stem}.frame.png"
        _ffmpeg("-ss", "3", "-i", str(src), "-frames:v", "1", str(png))
        if fmt == "png":
            return png
        dst = workdir / f"{src.stem}.q{quality}.jpg"
        Image.open(png).convert("RGB").save(dst, quality=quality)
        return dst

    return attack


def _as_is(src: Path, workdir: Path, background: Path) -> Path:
    return src


def _rotate(degrees: float) -> Attack:
    return _x264(f"rotate={degrees}*PI/180")


ATTACKS: dict[str, Attack] = {
    "none": _as_is,
    "crf23": _x264(crf=23),
    "crf28": _x264(crf=28),
    "crf33": _x264(crf=33),
    "crf38": _x264(crf=38),
    "crf40": _x264(crf=40),
    "downscale_360p": _x264("scale=-2:360"),
    "downscale_240p": _x264("scale=-2:240"),
    "downscale_288p_crf28": _x264("scale=-2:288", 28),
    "crop_10pct": _x264("crop=trunc(iw*0.9/2)*2:trunc(ih*0.9/2)*2"),
    "crop_20pct": _x264("crop=trunc(iw*0.8/2)*2:trunc(ih*0.8/2)*2"),
    "crop_288p_crf28": _x264("crop=trunc(iw*0.9/2)*2:trunc(ih*0.9/2)*2,scale=-2:288", 28),
    "rotate_1deg": _rotate(1),
    "rotate_2deg": _rotate(2),
    "rotate_3deg": _rotate(-3),
    "rotate_5deg": _rotate(5),
    "hflip": _x264("hflip"),
    "pip_50pct": _pip(0.5),
    "pip_25pct": _pip(0.25),
    "fps_30": _x264("fps=30"),
    "fps_15": _x264("fps=15"),
    "trim_2s": _x264(extra=("-ss", "2")),
    "vp9": _vp9,
    "letterbox_16x9": _x264("pad=trunc(ih*16/9/2)*2:ih:(ow-iw)/2:0"),
    "noise": _x264("noise=alls=10:allf=t"),
    "blur": _x264("gblur=sigma=1.2"),
    "contrast_brightness": _x264("eq=contrast=1.25:brightness=0.06"),
    "png_still": _still("png"),
    "jpeg_q70_still": _still("jpeg", 70),
    # Played full screen on a 1080p display and screen-recorded: upscaled into a 16:9 canvas,
    # gamma shifted, 30 fps, re-encoded.
    "screen_recording": _x264("scale=-2:1080,pad=1920:1080:(ow-iw)/2:0,eq=gamma=1.1,fps=30", 26),
}


def background_video(workdir: Path, seconds: float = 12.0) -> Path:
    """A 1280x720 moving video (ffmpeg's test source) to put pictures into."""
    dst = workdir / "background.mp4"
    if not dst.exists():
        _ffmpeg(
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size=1280x720:rate=25:duration={seconds}",
            "-c:v",
            "libx264",
            "-crf",
            "20",
            "-pix_fmt",
            "yuv420p",
            str(dst),
        )
    return dst


def require_ffmpeg() -> None:
    if shutil.which("ffmpeg") is None:
        raise SystemExit("the ffmpeg command line is needed (apt-get install ffmpeg)")
