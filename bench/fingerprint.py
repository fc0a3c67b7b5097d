"""Content fingerprint benchmark: does POST matches/byContent find a copy whose manifest and
mark are gone, and how often does it name the wrong output?

Real outputs (bench/_real_outputs.py) are fingerprinted as stored; queries are their copies made
with the ffmpeg CLI (CRF 45 + 15 % crop + 240p, sound only as MP3, muted CRF 40, 2 s trim) and an
unmarked set: every other output's copies, and synthetic ffmpeg clips (test pattern + tone).
A false match is a query matched to an output it was not made from.

    .venv/bin/python bench/fingerprint.py [--clips 3] [--seconds 6] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._real_outputs import _ffmpeg, make_outputs  # noqa: E402
from bench._sealing import BenchSealer  # noqa: E402
from safety.fingerprint import fingerprint_distance, fingerprint_file  # noqa: E402

COPIES = {
    "crf45_crop15_240p": (
        "-vf", "crop=trunc(iw*0.85/2)*2:trunc(ih*0.85/2)*2,scale=-2:240",
        "-c:v", "libx264", "-crf", "45", "-c:a", "aac", "-b:a", "48k",
    ),
    "sound_only_mp3": ("-vn", "-c:a", "libmp3lame", "-b:a", "96k"),
    "muted_crf40": ("-an", "-c:v", "libx264", "-crf", "40"),
    "trim_2s_crf30": ("-ss", "2", "-c:v", "libx264", "-crf", "30", "-c:a", "aac"),
}  # fmt: skip
SUFFIX = {"sound_only_mp3": ".mp3"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--synthetic", type=int, default=6)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="signet-fp-") as tmp:
        workdir = Path(tmp)
        outputs = make_outputs(args.clips, workdir, BenchSealer(), seconds=args.seconds)
        stored = {o.name: fingerprint_file(o.sealed) for o in outputs}
        queries: list[tuple[str | None, str, Path]] = []
        for output in outputs:
            for copy, ffmpeg_args in COPIES.items():
                dst = workdir / f"{output.name}.{copy}{SUFFIX.get(copy, '.mp4')}"
                _ffmpeg("-i", str(output.sealed), *ffmpeg_args, str(dst))
                queries.append((output.name, copy, dst))
        for index in range(args.synthetic):
            dst = workdir / f"synthetic{index}.mp4"
            _ffmpeg(
                "-f", "lavfi", "-t", "6", "-i",
                f"{'testsrc2' if index % 2 else 'mandelbrot'}=size=512x512:rate=25",
                "-f", "lavfi", "-t", "6", "-i", f"sine=frequency={180 + 40 * index}",
                "-c:v", "libx264", "-crf", "28", "-c:a", "aac", "-shortest", str(dst),
            )  # fmt: skip
            queries.append((None, "synthetic", dst))
        found, true_distances, false_trials, false_matches = {}, [], 0, 0
        nearest_wrong = []
        for source, copy, path in queries:
            query = fingerprint_file(path)
            for name, print_ in stored.items():
                distance = fingerprint_distance(query, print_)
                if name == source:
                    found.setdefault(copy, []).append(distance.matches)
                    true_distances.append((copy, distance.video, distance.audio))
                else:
                    false_trials += 1
                    false_matches += distance.matches
                    nearest_wrong.append(min(v for v in (distance.video, distance.audio, 1.0)
                                             if v is not None))  # fmt: skip
    print(f"Fingerprint ({len(outputs)} real outputs of {args.seconds:.0f} s)")
    for copy, hits in found.items():
        print(f"  {copy:20s} found {sum(hits)}/{len(hits)}")
    for copy, video, audio in true_distances:
        print(f"    {copy:20s} video BER {video}, audio BER {audio}")
    print(f"  false matches: {false_matches} of {false_trials} query/record pairs; nearest wrong "
          f"BER {min(nearest_wrong):.3f} (median {statistics.median(nearest_wrong):.3f})")
    if args.json:
        print(json.dumps({
            "found": {copy: sum(h) / len(h) for copy, h in found.items()},
            "false_match_trials": false_trials,
            "false_match_rate": false_matches / max(1, false_trials),
            "nearest_wrong_ber": round(min(nearest_wrong), 3),
        }))  # fmt: skip


if __name__ == "__main__":
    main()
