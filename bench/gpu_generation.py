"""Seconds of compute per second of video for the hallo renderer, and its peak memory.

    .venv/bin/python bench/gpu_generation.py --model-dir /models/pretrained_models [--fp16]
        [--steps 40] [--image-size 512] [--window 16] [--seconds 4] [--runs 3] [--json]
    .venv/bin/python bench/gpu_generation.py --tiny [--steps 2] ...
    .venv/bin/python bench/gpu_generation.py --random-full-size [--fp16] ...
    .venv/bin/python bench/gpu_generation.py --save-inputs .device/inputs.npz [--seconds 4]
    python3 bench/gpu_generation.py --random-full-size --inputs .device/inputs.npz ...

With ``--model-dir``: Hallo's published weights as its users have them, on CUDA when there is
one. With ``--tiny``: the parity fixture's random weights at reduced width (128 px, four-frame
windows) on whatever device; that figure measures Signet's loop, not a GPU and not quality.
With ``--random-full-size``: Hallo's whole architecture at its published sizes (SD 1.5 UNets
with audio and motion modules, SD 1.5 VAE, wav2vec2-base) with random weights built from no
file, and a fixed random face embedding: the time and memory are the real architecture's, the
frames are noise. For a GPU machine that cannot hold Hallo's weights (tools/device_gpu_bench.sh).

``--save-inputs`` writes the portrait crop, its landmarks and the speech (the parts that need
dlib and espeak-ng) to a small .npz and exits; ``--inputs`` reads them back instead, so a
machine without dlib, espeak-ng or sox can run the bench.

Wall seconds are what a job waits; on CPU the process's CPU seconds are reported too (they are
not inflated by other work on a shared machine). Renders a clip of espeak-ng speech from a real face photo (obama.jpg, dlib landmarks) through the
renderer's frames (the job path minus encoding and sealing), --runs times; prints medians and,
with --json, one JSON object on the last line. Peak memory: CUDA's max allocated while
rendering (the weights included, loading not) on a GPU, the process's peak resident size on
CPU (loading included). Hallo's users report about 20 s of GPU per video second
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

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# At the top only what a lent GPU machine has (given diffusers' and PyAV's wheels): the dlib and
# espeak-ng inputs, the tiny fixture and the random modules are imported where they are used.
from generation.renderers.hallo import HalloRenderer  # noqa: E402

RANDOM_FULL_SIZE_NOTE = (
    "random full-size weights: time and memory are the real architecture's; the frames are noise"
)
INPUT_SIZE = 512  # the portrait crop saved by --save-inputs: Hallo's working size


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def memory_gib(device: torch.device) -> float:
    """Held now: CUDA's allocated memory on a GPU, the process's resident size on CPU."""
    if device.type == "cuda":
        return torch.cuda.memory_allocated(device) / 2**30
    resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**30


def peak_memory_gib(device: torch.device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**30
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # kB on Linux


def save_inputs(path: Path, seconds: float) -> None:
    """The portrait crop around obama.jpg's face with its dlib landmarks, and espeak-ng speech
    at 16 kHz. The renderer crops this crop again, framing it a little differently from a job
    on the whole photo: the same work, so the same time."""
    from bench.generation_speed import portrait_request, upload_audio
    from generation.renderers.base import crop_portrait

    with tempfile.TemporaryDirectory() as tmp:
        request = portrait_request(upload_audio(seconds, Path(tmp)), INPUT_SIZE)
    crop = crop_portrait(request.portrait_rgb, request.landmarks, INPUT_SIZE)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, portrait=crop.image, landmarks=crop.landmarks,
                        samples=request.audio.samples,
                        sample_rate=np.int64(request.audio.sample_rate))


def saved_request(path: Path, seconds: float, size: int):
    from generation.media.audio import DecodedAudio
    from generation.renderers.base import RenderRequest

    saved = np.load(path)
    rate = int(saved["sample_rate"])
    samples = saved["samples"]
    if len(samples) < round(seconds * rate):
        raise SystemExit(f"{path} holds {len(samples) / rate:.2f} s of speech, "
                         f"less than --seconds {seconds:g}")
    return RenderRequest(portrait_rgb=saved["portrait"], landmarks=saved["landmarks"],
                         audio=DecodedAudio.from_samples(samples[: round(seconds * rate)], rate),
                         size=size)


def tiny_image_size() -> int:
    from tests.generation.hallo_models import TINY_IMAGE_SIZE

    return TINY_IMAGE_SIZE


def build_renderer(args, workdir: Path, device: torch.device, dtype: torch.dtype,
                   size: int, window: int) -> tuple[HalloRenderer, str]:
    settings = {"image_size": size, "steps": args.steps, "window": window}
    if args.random_full_size:
        from generation.diffusion.full_size import random_full_size_modules

        # Hallo's face embedding needs insightface's model file, which is not there: a fixed
        # random vector stands in (the real one is computed once per job, a negligible cost).
        embedding = np.random.default_rng(0).standard_normal(512).astype(np.float32)
        renderer = HalloRenderer(random_full_size_modules(device, dtype),
                                 lambda _image, _landmarks: embedding, **settings)
        return renderer, "random-full-size"
    if args.tiny:
        from tests.generation.hallo_models import tiny_model_dir

        model_dir, weights = tiny_model_dir(workdir), "tiny random fixture"
    else:
        model_dir = args.model_dir
        weights = str(model_dir)
    renderer = HalloRenderer.from_model_dir(model_dir, device=device, dtype=dtype, **settings)
    return renderer, weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--model-dir", type=Path, help="Hallo's pretrained_models folder")
    source.add_argument("--tiny", action="store_true", help="the parity fixture's weights")
    source.add_argument("--random-full-size", action="store_true",
                        help="Hallo's full-size architecture with random weights (time and "
                             "memory only; the frames are noise)")
    source.add_argument("--save-inputs", type=Path, metavar="NPZ",
                        help="write the portrait crop, landmarks and speech (dlib, espeak-ng) "
                             "for --inputs, then exit")
    parser.add_argument("--inputs", type=Path, metavar="NPZ",
                        help="read the portrait and speech from --save-inputs' file")
    parser.add_argument("--device", default=None, help="cuda or cpu (default: cuda if present)")
    parser.add_argument("--fp16", action="store_true", help="half precision (CUDA only)")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--image-size", type=int, default=None)
    parser.add_argument("--window", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.save_inputs:
        save_inputs(args.save_inputs, args.seconds)
        print(f"wrote {args.save_inputs} ({args.save_inputs.stat().st_size // 1024} KiB)")
        return
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    dtype = torch.float16 if args.fp16 else torch.float32
    if args.fp16 and device.type != "cuda":
        raise SystemExit("--fp16 needs CUDA")
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "1")))

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        size = args.image_size or (tiny_image_size() if args.tiny else 512)
        window = args.window or (4 if args.tiny else 16)
        started = time.perf_counter()
        renderer, weights = build_renderer(args, workdir, device, dtype, size, window)
        synchronize(device)
        load_seconds = time.perf_counter() - started
        weights_memory = memory_gib(device)
        if device.type == "cuda":  # loading's own peak (a float32 build, say) is not a job's
            torch.cuda.reset_peak_memory_stats(device)
        if args.inputs:
            request = saved_request(args.inputs, args.seconds, size)
        else:
            from bench.generation_speed import portrait_request, upload_audio

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
        "weights_memory_gib": round(weights_memory, 3),
        "load_seconds": round(load_seconds, 2),
        "device": device.type if device.type != "cuda" else torch.cuda.get_device_name(device),
        "dtype": str(dtype).removeprefix("torch."),
        "steps": args.steps,
        "image_size": size,
        "window": window,
        "weights": weights,
        "inputs": str(args.inputs) if args.inputs else "obama.jpg (dlib), espeak-ng speech",
        "threads": torch.get_num_threads(),
        "runs": args.runs,
        "gpu_figure": device.type == "cuda",
    }
    print(f"{'measure':36} {'value':>12}")
    for key in ("seconds_per_video_second", "seconds_per_video_second_min",
                "cpu_seconds_per_video_second",
                "render_seconds_median", "clip_seconds", "frames", "peak_memory_gib",
                "weights_memory_gib", "load_seconds"):
        print(f"{key:36} {figures[key]:>12}")
    print(f"({figures['device']}, {figures['dtype']}, {args.steps} steps, {size}x{size}, "
          f"windows of {window}, {figures['threads']} thread(s), {args.runs} runs, "
          f"weights: {figures['weights']})")
    if device.type != "cuda":
        print("Not a GPU figure: measured on CPU. Peak memory is the process's peak RSS.")
    if args.tiny:
        print("Tiny random weights: this times Signet's loop, not Hallo's quality or speed.")
    if args.random_full_size:
        print(RANDOM_FULL_SIZE_NOTE)
        figures["note"] = RANDOM_FULL_SIZE_NOTE
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
