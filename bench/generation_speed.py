"""Render + seal seconds of a whole job, old two-pass path beside the new one-pass path.

    .venv/bin/python bench/generation_speed.py [--runs 3] [--lengths 10 60] [--json]
    .venv/bin/python bench/generation_speed.py --encoders [--json]   # preset x CRF grid, 10 s

A job is what the worker does from the uploaded audio file and portrait to a sealed, signed,
read-back MP4 plus its sealed poster: the CPU animator on obama.jpg, speech (espeak-ng, looped,
stereo 44.1 kHz WAV like a typical upload). Each (path, clip length) runs in its own process, so
its peak RSS is its own. PSNR is the sealed file's frames against the renderer's frames with the
visible label drawn on (so it measures watermark + encoder loss), from the mean squared error over
the whole clip.

"two-pass" is the path before issue 15 (render to a CRF 12 file, decode, label + mark, encode at
CRF 18, sign, read 50 frames back, decode the render again for the poster; audio decoded twice;
one render thread; no audio mark yet), kept in bench/_sealing.py only for this comparison.
"one-pass" is the worker's path today: the sound track audio-marked, --render-threads frames
rendered at once (the worker's default, 2) while the main thread labels, marks and encodes.
Medians of --runs; with --json the last line is one JSON object.

Single-threaded BLAS/OpenCV inside each thread on purpose; x264 uses its own threads. The
machine may be shared: say so with the figures. "cpu s" (user + system time of the job's
process, all threads) moves far less with other load than the wall-clock "job s".
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._sealing import RENDER_THREADS  # noqa: E402

SPEECH = (
    "Hello, and welcome. This short message was recorded for you. "
    "Please listen carefully, because the next part matters. Thank you for watching."
)
PATHS = ("two-pass", "one-pass")
PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "medium")
CRFS = (16, 18, 20, 23)


def upload_audio(seconds: float, workdir: Path) -> Path:
    """espeak-ng speech looped to ``seconds``, as a stereo 44.1 kHz WAV (sox)."""
    from tests.generation import media_factory

    speech = media_factory.speech_wav(workdir / "speech.wav", SPEECH)
    if speech is None:
        raise SystemExit("espeak-ng is needed for the benchmark's speech")
    out = workdir / f"upload-{seconds:g}.wav"
    subprocess.run(
        ["sox", str(speech), "-r", "44100", "-c", "2", str(out), "repeat", "20",
         "trim", "0", str(seconds)], check=True,
    )  # fmt: skip
    return out


def portrait_request(audio_path: Path, size: int):
    from generation.media import decode_audio, load_image_rgb
    from generation.renderers import RenderRequest
    from safety.faces import get_face_backend
    from tests.generation import media_factory

    image = load_image_rgb(media_factory.face_path("obama.jpg"))
    faces = get_face_backend().detect(image)
    if len(faces) != 1:
        raise SystemExit("expected exactly one face in obama.jpg")
    return RenderRequest(portrait_rgb=image, landmarks=np.array(faces[0].landmarks),
                         audio=decode_audio(audio_path), size=size)


def sealed_psnr(request, sealed: Path, label) -> tuple[float, int]:
    """PSNR (dB) over the whole clip of the sealed file's frames against the renderer's frames
    with the visible label drawn on (the label is meant to be there; the watermark and the
    encoder's losses are what is measured)."""
    from generation.media.video import iter_video_frames
    from generation.renderers import get_renderer

    squared, count = 0.0, 0
    rendered = get_renderer("animator").frames(request)
    for original, delivered in zip(rendered, iter_video_frames(sealed), strict=False):
        labelled = label.apply(original).astype(np.float32)
        squared += float(np.mean((labelled - delivered) ** 2))
        count += 1
    mse = squared / max(count, 1)
    return (round(10 * np.log10(255.0**2 / mse), 2) if mse else 99.0), count


def child(path: str, seconds: float, runs: int, size: int, crf: int | None,
          preset: str | None, render_threads: int) -> dict:
    import cv2

    from bench._sealing import BenchSealer

    cv2.setNumThreads(1)
    sealer = BenchSealer()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        audio_path = upload_audio(seconds, workdir)
        request = portrait_request(audio_path, size)
        durations, cpu = [], []
        for run in range(runs):
            out = workdir / f"run{run}"
            out.mkdir()
            started = time.perf_counter()
            cpu_started = _cpu_seconds()
            if path == "two-pass":
                sealed = sealer.seal_render_two_pass(request, audio_path, out)
            else:
                options = {k: v for k, v in (("crf", crf), ("preset", preset)) if v is not None}
                sealed = sealer.seal_render(request, audio_path, out,
                                            render_threads=render_threads, **options)
            durations.append(time.perf_counter() - started)
            cpu.append(_cpu_seconds() - cpu_started)
            if run < runs - 1:
                shutil.rmtree(out)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        psnr, frames = sealed_psnr(request, sealed, sealer.label)
        kbps = sealed.stat().st_size * 8 / 1000 / seconds
    return {
        "path": path, "clip_seconds": seconds, "seconds": durations,
        "seconds_median": round(statistics.median(durations), 3),
        "realtime_ratio": round(statistics.median(durations) / seconds, 3),
        "cpu_seconds_median": round(statistics.median(cpu), 3),
        "peak_rss_mb": round(peak_mb, 1), "psnr_db": psnr, "frames": frames,
        "kbps": round(kbps, 1), "crf": crf, "preset": preset,
    }  # fmt: skip


def _cpu_seconds() -> float:
    """User + system CPU time of this process, all threads (x264's included): unlike wall time,
    it hardly moves when other work shares the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def encoder_grid(runs: int, size: int, presets, crfs) -> list[dict]:
    """Seconds to label, mark and encode a 10 s render held in memory, and the PSNR and size of
    the result, for each preset and CRF (the animator is left out: it does not depend on them,
    and on a shared machine its time would drown the differences)."""
    import cv2

    from bench._sealing import WATERMARK_ID, BenchSealer
    from generation.media.video import Mp4Writer, iter_video_frames
    from generation.renderers import get_renderer

    cv2.setNumThreads(1)
    sealer = BenchSealer()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        request = portrait_request(upload_audio(10.0, workdir), size)
        frames = list(get_renderer("animator").frames(request))
        labelled = [sealer.label.apply(frame) for frame in frames]
        for preset in presets:
            for crf in crfs:
                out = workdir / f"{preset}-{crf}.mp4"
                durations, cpu = [], []
                for _ in range(runs):
                    started = time.perf_counter()
                    cpu_started = _cpu_seconds()
                    with Mp4Writer(out, width=size, height=size, crf=crf, preset=preset) as writer:
                        for index, frame in enumerate(frames):
                            marked = sealer.codec.embed_frame(
                                sealer.label.apply(frame), WATERMARK_ID, index
                            )
                            writer.write(marked)
                    durations.append(time.perf_counter() - started)
                    cpu.append(_cpu_seconds() - cpu_started)
                squared = [
                    float(np.mean((original.astype(np.float32) - delivered) ** 2))
                    for original, delivered in zip(labelled, iter_video_frames(out), strict=True)
                ]
                rows.append({
                    "preset": preset, "crf": crf,
                    "encode_seconds": round(statistics.median(durations), 3),
                    "encode_cpu_seconds": round(statistics.median(cpu), 3),
                    "psnr_db": round(10 * np.log10(255.0**2 / np.mean(squared)), 2),
                    "kbps": round(out.stat().st_size * 8 / 1000 / 10.0, 1),
                })  # fmt: skip
    return rows


def run_child(path: str, seconds: float, runs: int, size: int, crf=None, preset=None,
              render_threads: int = RENDER_THREADS) -> dict:
    command = [sys.executable, __file__, "--child", path, "--seconds", str(seconds),
               "--runs", str(runs), "--size", str(size),
               "--render-threads", str(render_threads)]  # fmt: skip
    if crf is not None:
        command += ["--crf", str(crf)]
    if preset is not None:
        command += ["--preset", preset]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lengths", type=float, nargs="+", default=[10.0, 60.0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--encoders", action="store_true", help="preset x CRF grid (10 s clip)")
    parser.add_argument("--presets", nargs="+", default=list(PRESETS))
    parser.add_argument("--crfs", type=int, nargs="+", default=list(CRFS))
    parser.add_argument("--render-threads", type=int, default=RENDER_THREADS,
                        help="one-pass: frames rendered at once (the worker's default: 2)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=PATHS, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=10.0, help=argparse.SUPPRESS)
    parser.add_argument("--crf", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--preset", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.seconds, args.runs, args.size, args.crf,
                               args.preset, args.render_threads)))
        return
    load = os.getloadavg()[0]
    if args.encoders:
        rows = encoder_grid(args.runs, args.size, args.presets, args.crfs)
        print(f"{'preset':10} {'crf':>4} {'wall s':>7} {'cpu s':>7} {'psnr dB':>8} {'kbit/s':>8}")
        for row in rows:
            print(f"{row['preset']:10} {row['crf']:>4} {row['encode_seconds']:>7} "
                  f"{row['encode_cpu_seconds']:>7} {row['psnr_db']:>8} {row['kbps']:>8}")
        print(f"(10 s clip rendered once; label + mark + encode timed, median of {args.runs}; "
              f"load average at start {load:.1f} on {os.cpu_count()} CPUs)")
        if args.json:
            print(json.dumps({"encoders": rows, "load_average": load}))
        return
    rows = [run_child(path, seconds, args.runs, args.size, render_threads=args.render_threads)
            for seconds in args.lengths for path in PATHS]  # fmt: skip
    print(f"{'path':10} {'clip s':>7} {'job s':>7} {'job/clip':>9} {'cpu s':>7} "
          f"{'peak RSS MB':>12} {'PSNR dB':>8} {'kbit/s':>8}")
    for row in rows:
        print(f"{row['path']:10} {row['clip_seconds']:>7g} {row['seconds_median']:>7} "
              f"{row['realtime_ratio']:>9} {row['cpu_seconds_median']:>7} "
              f"{row['peak_rss_mb']:>12} {row['psnr_db']:>8} {row['kbps']:>8}")
    print(f"(animator, {args.size}x{args.size}, median of {args.runs} runs; one-pass renders "
          f"{args.render_threads} frames at once; load average at start {load:.1f} on "
          f"{os.cpu_count()} CPUs)")
    if args.json:
        figures = {
            f"{row['path']}_{row['clip_seconds']:g}s": {
                k: row[k] for k in ("seconds_median", "realtime_ratio", "cpu_seconds_median",
                                    "peak_rss_mb", "psnr_db", "kbps")
            }
            for row in rows
        }
        figures["load_average"] = load
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
