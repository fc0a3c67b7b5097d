"""Seconds to seal a 10 s 512x512 clip: label + watermark every frame, encode, sign, read back.

    .venv/bin/python bench/sealing_speed.py [--runs 5] [--seconds 10] [--json]

Runs safety.sealing.seal_video (decode a finished file, then the same seal_frames the worker runs
on the renderer's frames). Target: under the clip's length.
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
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._sealing import BenchSealer  # noqa: E402
from generation.media import DecodedAudio, Mp4Writer  # noqa: E402
from tests.generation import media_factory  # noqa: E402


def rendered_clip(path: Path, seconds: float, size: int = 512) -> Path:
    """A moving, textured 512x512 clip with sound, standing in for a render (CRF 12 like the worker's)."""
    rng = np.random.default_rng(7)
    texture = rng.integers(40, 215, (size + 64, size + 64, 3), dtype=np.uint8)
    audio = DecodedAudio.from_samples(media_factory.tone(seconds), 16_000)
    with Mp4Writer(path, width=size, height=size, audio=audio, crf=12) as writer:
        for index in range(round(seconds * 25)):
            shift = int(16 + 12 * np.sin(index / 8))
            writer.write(np.ascontiguousarray(texture[shift : shift + size, shift : shift + size]))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sealer = BenchSealer()
    with tempfile.TemporaryDirectory() as tmp:
        clip = rendered_clip(Path(tmp) / "render.mp4", args.seconds)
        durations = []
        for _ in range(args.runs):
            started = time.perf_counter()
            report = sealer.seal(clip)
            durations.append(time.perf_counter() - started)
            report.path.unlink()
    figures = {
        "clip_seconds": args.seconds,
        "seal_seconds_median": round(statistics.median(durations), 3),
        "seal_seconds_min": round(min(durations), 3),
        "seal_realtime_factor": round(statistics.median(durations) / args.seconds, 3),
        "runs": args.runs,
    }
    print(f"{'measure':34} {'value':>10}")
    for key in ("clip_seconds", "seal_seconds_median", "seal_seconds_min", "seal_realtime_factor"):
        print(f"{key:34} {figures[key]:>10}")
    print("(label + watermark + H.264/AAC encode + C2PA sign + manifest and watermark read-back)")
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
