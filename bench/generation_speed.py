"""How fast the CPU animator renders, and how long a whole render job takes for a 10 s clip.

    .venv/bin/python bench/generation_speed.py [--runs 5] [--seconds 10] [--size 512] [--json]

Prints a table of medians over --runs runs; with --json, also one JSON object on the last
line: animator_fps_median, clip_seconds, job_seconds_median, job_realtime_factor, ...

Single-threaded on purpose (BLAS and OpenCV pinned to one thread): the worker renders one job
per core. A job is "render to file" for now; further steps (sealing) plug into JOB_STEPS.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generation.media import DecodedAudio, decode_audio, load_image_rgb  # noqa: E402
from generation.render_job import render_to_file  # noqa: E402
from generation.renderers import RenderRequest, get_renderer  # noqa: E402
from safety.faces import get_face_backend  # noqa: E402
from tests.generation import media_factory  # noqa: E402

SPEECH = (
    "Hello, and welcome. This short message was recorded for you. "
    "Please listen carefully, because the next part matters. Thank you for watching."
)

# Steps run on the finished MP4 after rendering, each timed as part of the job, in order:
# sealing is the studio's (safety.sealing.seal_video: label, watermark, encode, sign, read back).
JOB_STEPS: list[tuple[str, Callable[[Path], None]]] = []


def _register_sealing() -> None:
    from bench._sealing import BenchSealer

    sealer = BenchSealer()
    JOB_STEPS.append(("seal", lambda path: sealer.seal(path).path.unlink()))


def clip_audio(seconds: float, workdir: Path) -> DecodedAudio:
    """espeak-ng speech looped to ``seconds`` when installed, else tone bursts."""
    wav = media_factory.speech_wav(workdir / "speech.wav", SPEECH)
    if wav is not None:
        speech = decode_audio(wav).samples
        repeats = int(np.ceil(seconds * 16_000 / len(speech)))
        samples = np.tile(speech, repeats)[: int(seconds * 16_000)]
    else:
        pattern = [(0.6, True), (0.3, False)] * int(np.ceil(seconds / 0.9))
        samples = media_factory.tone_bursts(pattern)[: int(seconds * 16_000)]
    return DecodedAudio.from_samples(samples, 16_000)


def portrait_request(audio: DecodedAudio, size: int) -> RenderRequest:
    image = load_image_rgb(media_factory.face_path("obama.jpg"))
    faces = get_face_backend().detect(image)
    if len(faces) != 1:
        raise SystemExit("expected exactly one face in obama.jpg")
    return RenderRequest(portrait_rgb=image, landmarks=np.array(faces[0].landmarks),
                         audio=audio, size=size)


def time_animator(request: RenderRequest) -> float:
    """Frames per second of the animator alone (setup included), frames discarded."""
    renderer = get_renderer("animator")
    started = time.perf_counter()
    count = sum(1 for _ in renderer.frames(request))
    return count / (time.perf_counter() - started)


def time_job(request: RenderRequest, workdir: Path) -> float:
    started = time.perf_counter()
    result = render_to_file(get_renderer("animator"), request, workdir / "job.mp4", crf=12)
    for _name, step in JOB_STEPS:
        step(result.path)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    _register_sealing()

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        audio = clip_audio(args.seconds, workdir)
        request = portrait_request(audio, args.size)
        fps = [time_animator(request) for _ in range(args.runs)]
        jobs = [time_job(request, workdir) for _ in range(args.runs)]

    figures = {
        "animator_fps_median": round(statistics.median(fps), 1),
        "animator_fps_min": round(min(fps), 1),
        "clip_seconds": round(audio.duration_seconds, 2),
        "job_seconds_median": round(statistics.median(jobs), 2),
        "job_realtime_factor": round(statistics.median(jobs) / audio.duration_seconds, 3),
        "frame_size": args.size,
        "runs": args.runs,
        "job_steps": ["render"] + [name for name, _ in JOB_STEPS],
    }
    print(f"{'measure':32} {'value':>10}")
    print(f"{'animator fps (median)':32} {figures['animator_fps_median']:>10}")
    print(f"{'animator fps (slowest run)':32} {figures['animator_fps_min']:>10}")
    print(f"{'clip seconds':32} {figures['clip_seconds']:>10}")
    print(f"{'job seconds (median)':32} {figures['job_seconds_median']:>10}")
    print(f"{'job time / clip time':32} {figures['job_realtime_factor']:>10}")
    print(f"(frames {args.size}x{args.size}, {args.runs} runs, steps: "
          f"{', '.join(figures['job_steps'])})")
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
