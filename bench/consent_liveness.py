"""Consent liveness benchmark: genuine-like and forged consent recordings through the same
assessment the studio runs (safety.liveness.assess.assess_recording), counted as granted
automatically, held for a moderator, or refused, per kind.

The genuine-like recordings are SYNTHETIC (tests/safety/liveness_media.py): a real face photo
from ../shared/data/faces animated by Signet's classical animator (mouth from the speech's
loudness, eyelids) and warped over an ellipsoid head for turns and look-ups, performing each
random challenge 0.5 s after its prompt, with the sentence and code spoken by espeak-ng, under a
random placement, zoom and light per recording. No video of a real person doing a challenge is
measured here; see the README for what that leaves open.

Forged kinds: a still photo (code spoken by TTS), a still nudged by a pixel with a tone (the
filed attack), a Ken Burns pan/zoom, a real-motion clip of the right face that ignores the
prompts, the right face saying a wrong code, a different person's face, a replay of an accepted
recording (same bytes, and re-encoded 400 px VP8), no audio, an expired challenge, a Signet
(watermarked) output, a looped 3 s clip.

    .venv/bin/python bench/consent_liveness.py [--genuine N] [--forged N] [--json]

Targets: 0 forged recordings granted automatically; >= 95 % of genuine-like ones granted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from safety.consent import code_is_fresh, new_one_time_code, spoken_lead_in, spoken_sentence  # noqa: E402
from safety.faces import analyze_portrait  # noqa: E402
from safety.faces.backends.dlib_backend import DlibFaceBackend  # noqa: E402
from safety.liveness import new_challenge  # noqa: E402
from safety.liveness.assess import NotLive, assess_recording  # noqa: E402
from safety.liveness.challenge import CHALLENGE_LIFETIME  # noqa: E402
from safety.liveness.fingerprint import from_hex  # noqa: E402
from safety.watermark import default_codec  # noqa: E402
from tests.generation.media_factory import face_path, tone  # noqa: E402
from tests.safety import liveness_media as media  # noqa: E402

PEOPLE = ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png")
OTHER = {
    "obama.jpg": "biden.jpg",
    "obama2.jpg": "astronaut.png",
    "biden.jpg": "obama.jpg",
    "astronaut.png": "obama2.jpg",
}
FORGED = (
    "still",
    "shifted_still_tone",
    "ken_burns",
    "skips_steps",
    "wrong_code",
    "other_person",
    "replay_same_bytes",
    "replay_re_encoded",
    "no_audio",
    "expired_challenge",
    "signet_output",
    "looped",
)


class Bench:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.backend = DlibFaceBackend()
        self.codec = default_codec(hashlib.sha256(b"bench-watermark-key").digest())
        self.references: dict[str, np.ndarray] = {}
        self.accepted: list[tuple[str, str, np.ndarray]] = []
        self.accepted_paths: list[Path] = []
        self.seconds: list[float] = []
        self.last_reasons: tuple[str, ...] = ()

    def reference(self, photo: str) -> np.ndarray:
        if photo not in self.references:
            rgb = np.asarray(Image.open(face_path(photo)).convert("RGB"))
            self.references[photo] = analyze_portrait(rgb, backend=self.backend).face.embedding
        return self.references[photo]

    def assess(self, path, photo, challenge, code, *, issued_minutes_ago=1.0) -> str:
        now = datetime.now(UTC)
        if not code_is_fresh(now - timedelta(minutes=issued_minutes_ago), now, CHALLENGE_LIFETIME):
            return "refused"  # the studio refuses an expired challenge before reading the file
        started = time.perf_counter()
        try:
            result = assess_recording(
                path,
                challenge=challenge,
                code=code,
                language="en",
                lead_in=spoken_lead_in(),
                sentence=spoken_sentence(code),
                reference_embedding=self.reference(photo),
                backend=self.backend,
                thresholds=self.backend.default_thresholds,
                codec=self.codec,
                earlier=self.accepted,
                elapsed_seconds=challenge.seconds + 1.0,
            )
        except NotLive:
            return "refused"
        self.seconds.append(time.perf_counter() - started)
        self.last_reasons = result.verdict.reasons
        if result.outcome == "granted":
            self.accepted.append((str(path), result.sha256, from_hex(result.frame_hashes)))
            self.accepted_paths.append(path)
        return result.outcome

    def genuine(self, index: int) -> str:
        photo = PEOPLE[index % len(PEOPLE)]
        challenge = new_challenge(random.Random(1000 + index))
        code = new_one_time_code()
        path = self.folder / f"genuine-{index}.webm"
        media.genuine_like_recording(path, photo, challenge, code, seed=1000 + index)
        return self.assess(path, photo, challenge, code)

    def forged(self, kind: str, index: int) -> str:
        photo = PEOPLE[index % len(PEOPLE)]
        challenge = new_challenge(random.Random(5000 + index))
        code = new_one_time_code()
        path = self.folder / f"{kind}-{index}.webm"
        seconds = challenge.seconds
        seed = 5000 + index
        if kind == "still":
            media.still_recording(path, photo, code, seconds)
        elif kind == "shifted_still_tone":
            media.write_webm(
                path, media.still_frames(photo, seconds, shift=1), tone(seconds, frequency=180.0)
            )
        elif kind == "ken_burns":
            media.still_recording(path, photo, code, seconds, ken_burns=True)
        elif kind in ("skips_steps", "no_audio", "signet_output", "looped"):
            audio = media.sentence_audio(code, seconds, seed=seed)
            frames = media.genuine_like_frames(
                photo, challenge, audio, perform=kind != "skips_steps", seed=seed
            )
            if kind == "looped":
                frames = media.loop_frames(frames, 3.0, seconds)
            if kind == "signet_output":
                frames = [self.codec.embed_frame(f, 4242 + index, i) for i, f in enumerate(frames)]
            media.write_webm(path, frames, None if kind == "no_audio" else audio)
        elif kind == "wrong_code":
            media.genuine_like_recording(path, photo, challenge, new_one_time_code(), seed=seed)
        elif kind == "other_person":
            media.genuine_like_recording(path, OTHER[photo], challenge, code, seed=seed)
        elif kind in ("replay_same_bytes", "replay_re_encoded"):
            if not self.accepted_paths:
                return "skipped"
            source = self.accepted_paths[index % len(self.accepted_paths)]
            if kind == "replay_same_bytes":
                path.write_bytes(source.read_bytes())
            else:
                subprocess.run(
                    [
                        "ffmpeg",
                        "-y",
                        "-loglevel",
                        "error",
                        "-i",
                        str(source),
                        "-vf",
                        "scale=400:400",
                        "-c:v",
                        "libvpx",
                        "-b:v",
                        "500k",
                        "-c:a",
                        "libopus",
                        str(path),
                    ],
                    check=True,
                )
            # The attacker replays it inside their own, new challenge.
            return self.assess(path, photo, challenge, code)
        elif kind == "expired_challenge":
            media.genuine_like_recording(path, photo, challenge, code, seed=seed)
            return self.assess(path, photo, challenge, code, issued_minutes_ago=11)
        else:
            raise ValueError(kind)
        return self.assess(path, photo, challenge, code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--genuine", type=int, default=8, help="genuine-like recordings")
    parser.add_argument("--forged", type=int, default=2, help="recordings per forged kind")
    parser.add_argument("--json", action="store_true", help="last line: one JSON object")
    args = parser.parse_args()
    out = sys.stderr if args.json else sys.stdout
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    with tempfile.TemporaryDirectory(prefix="signet-liveness-bench-") as folder:
        bench = Bench(Path(folder))
        for index in range(args.genuine):
            bench.last_reasons = ()
            outcome = bench.genuine(index)
            counts["genuine_like"][outcome] += 1
            why = f" {list(bench.last_reasons)}" if bench.last_reasons else ""
            print(f"genuine_like #{index}: {outcome}{why}", file=out, flush=True)
        for kind in FORGED:
            for index in range(args.forged):
                bench.last_reasons = ()
                outcome = bench.forged(kind, index)
                counts[kind][outcome] += 1
                why = f" {list(bench.last_reasons)}" if bench.last_reasons else ""
                print(f"{kind} #{index}: {outcome}{why}", file=out, flush=True)
    table = {}
    for kind, by_outcome in counts.items():
        total = sum(v for k, v in by_outcome.items() if k != "skipped")
        table[kind] = {
            "n": total,
            **{
                o: round(by_outcome[o] / total, 3) if total else None
                for o in ("granted", "held", "refused")
            },
        }
    forged_total = sum(table[k]["n"] for k in FORGED if k in table)
    forged_granted = sum(counts[k]["granted"] for k in FORGED)
    summary = {
        "forged_auto_granted": round(forged_granted / forged_total, 4) if forged_total else None,
        "genuine_auto_granted": table.get("genuine_like", {}).get("granted"),
        "assess_seconds_median": round(statistics.median(bench.seconds), 2)
        if bench.seconds
        else None,
        "kinds": table,
    }
    print(f"{'kind':<22}{'n':>4}{'granted':>10}{'held':>8}{'refused':>10}", file=out)
    for kind, row in table.items():
        print(
            f"{kind:<22}{row['n']:>4}{row['granted']:>10}{row['held']:>8}{row['refused']:>10}",
            file=out,
        )
    print(
        f"forged granted automatically: {summary['forged_auto_granted']}; genuine-like "
        f"granted: {summary['genuine_auto_granted']}; assessment median "
        f"{summary['assess_seconds_median']} s per recording",
        file=out,
    )
    if args.json:
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
