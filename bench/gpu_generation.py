"""Seconds of compute per second of video for the hallo renderer, and its peak memory.

    .venv/bin/python bench/gpu_generation.py --model-dir /models/pretrained_models [--fp16]
        [--steps 40] [--image-size 512] [--window 16] [--seconds 4] [--runs 3] [--json]
    .venv/bin/python bench/gpu_generation.py --tiny [--steps 2] ...

With ``--model-dir``: Hallo's published weights as its users have them, on CUDA when there is
one. With ``--tiny``: the parity fixture's random weights at reduced width (128 px, four-frame
windows) on whatever device; that figure measures Signet's loop, not a GPU and not quality.

Wall seconds are what a job waits; on CPU the process's CPU seconds are reported too (they are
not inflated by other work on a shared machine). Renders a clip of espeak-ng speech from a real face photo (obama.jpg, dlib landmarks) through the
renderer's frames (the job path minus encoding and sealing), --runs times; prints medians and,
with --json, one JSON object on the last line. Peak memory: CUDA's max allocated on a GPU, the
process's peak resident size on CPU. Hallo's users report about 20 s of GPU per video second
at 512 x 512 and 40 steps; Signet's target is under 10.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generation_speed import portrait_request, upload_audio  # noqa: E402
from generation.renderers.hallo import HalloRenderer  # noqa: E402
from tests.generation.hallo_models import TINY_IMAGE_SIZE, tiny_model_dir  # noqa: E402


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def peak_memory_gib(device: torch.device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**30
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # kB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--model-dir", type=Path, help="Hallo's pretrained_models folder")
    source.add_argument("--tiny", action="store_true", help="the parity fixture's weights")
    parser.add_argument("--device", default=None, help="cuda or cpu (default: cuda if present)")
    parser.add_argument("--fp16", action="store_true", help="half precision (CUDA only)")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--image-size", type=int, default=None)
    parser.add_argument("--window", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    dtype = torch.float16 if args.fp16 else torch.float32
    if args.fp16 and device.type != "cuda":
        raise SystemExit("--fp16 needs CUDA")
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "1")))

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        model_dir = tiny_model_dir(workdir) if args.tiny else args.model_dir
        size = args.image_size or (TINY_IMAGE_SIZE if args.tiny else 512)
        window = args.window or (4 if args.tiny else 16)
        started = time.perf_counter()
        renderer = HalloRenderer(model_dir=model_dir, device=device, dtype=dtype,
                                 image_size=size, steps=args.steps, window=window)
        synchronize(device)
        load_seconds = time.perf_counter() - started
        request = portrait_request(upload_audio(args.seconds, workdir), size)
        audio = request.audio
        times, cpu_times = [], []
        for _ in range(args.runs):
            started, cpu_started = time.perf_counter(), time.process_time()
            frames = sum(1 for _ in renderer.frames(request))
            synchronize(device)
            times.append(time.perf_counter() - started)
            cpu_times.append(time.process_time() - cpu_started)

    median = statistics.median(times)
    figures = {
        "seconds_per_video_second": round(median / audio.duration_seconds, 3),
        # this process's CPU time: unlike wall time, not inflated by other work on the machine
        "cpu_seconds_per_video_second": round(
            statistics.median(cpu_times) / audio.duration_seconds, 3),
        "seconds_per_video_second_min": round(min(times) / audio.duration_seconds, 3),
        "render_seconds_median": round(median, 2),
        "clip_seconds": round(audio.duration_seconds, 2),
        "frames": frames,
        "peak_memory_gib": round(peak_memory_gib(device), 3),
        "load_seconds": round(load_seconds, 2),
        "device": device.type if device.type != "cuda" else torch.cuda.get_device_name(device),
        "dtype": str(dtype).removeprefix("torch."),
        "steps": args.steps,
        "image_size": size,
        "window": window,
        "weights": "tiny random fixture" if args.tiny else str(model_dir),
        "threads": torch.get_num_threads(),
        "runs": args.runs,
        "gpu_figure": device.type == "cuda",
    }
    print(f"{'measure':36} {'value':>12}")
    for key in ("seconds_per_video_second", "seconds_per_video_second_min",
                "cpu_seconds_per_video_second",
                "render_seconds_median", "clip_seconds", "frames", "peak_memory_gib",
                "load_seconds"):
        print(f"{key:36} {figures[key]:>12}")
    print(f"({figures['device']}, {figures['dtype']}, {args.steps} steps, {size}x{size}, "
          f"windows of {window}, {figures['threads']} thread(s), {args.runs} runs, "
          f"weights: {figures['weights']})")
    if device.type != "cuda":
        print("Not a GPU figure: measured on CPU. Peak memory is the process's peak RSS.")
    if args.tiny:
        print("Tiny random weights: this times Signet's loop, not Hallo's quality or speed.")
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
