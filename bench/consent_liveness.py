"""Consent liveness benchmark: genuine-like and forged consent recordings through the same
assessment the studio runs (safety.liveness.assess.assess_recording), counted as granted
automatically, held for a moderator, or refused, per kind.

The genuine-like recordings are SYNTHETIC (tests/safety/liveness_media.py): no webcam recording
of a real person exists here. A real face photo from ../shared/data/faces is animated by
Signet's classical animator (mouth from the speech's loudness, eyelids), warped over an
ellipsoid head to simulate real head motion (turns, look-ups), performing each random challenge
0.3-1.2 s after its prompt (a person's reaction time), with the sentence and code spoken by
espeak-ng, under a random placement, zoom and light per recording. No video of a real person
doing a challenge is measured here; see the README for what that leaves open.

Forged kinds: a still photo (code spoken by TTS), a still nudged by a pixel with a tone (the
filed attack), a Ken Burns pan/zoom, a real-motion clip of the right face that ignores the
prompts, the right face saying a wrong code, a different person's face, a replay of an accepted
recording (same bytes, and re-encoded 400 px VP8), no audio, an expired challenge, a Signet
(watermarked) output, a looped 3 s clip, and two mistimed kinds: a clip that performs the steps
of another challenge (pre-recorded for another session), and one that performs this challenge's
steps too late (after each window).

    .venv/bin/python bench/consent_liveness.py [--genuine 20] [--forged 3] [--json]

Rates come with a 95 % Wilson interval: 0 of 42 forged granted still allows up to ~8 % at that
confidence, and 20 of 20 genuine-like granted allows as few as ~84 %. Targets: 0 forged
recordings granted automatically; >= 95 % of genuine-like ones granted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
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

from bench._stats import wilson
from safety.consent import code_is_fresh, spoken_lead_in, spoken_sentence  # noqa: E402
from safety.faces import analyze_portrait  # noqa: E402
from safety.faces.backends.dlib_backend import DlibFaceBackend  # noqa: E402
from safety.liveness import new_challenge  # noqa: E402
from safety.liveness.assess import NotLive, assess_recording  # noqa: E402
from safety.liveness.challenge import CHALLENGE_LIFETIME, STEP_WINDOW  # noqa: E402
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
    "other_challenge_steps",
    "late_steps",
)


def _code(rng: random.Random) -> str:
    """A six-digit code from the bench's seeded generator, so a run can be repeated."""
    return "".join(str(rng.randrange(10)) for _ in range(6))


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
        rng = random.Random(1000 + index)
        challenge = new_challenge(rng)
        code = _code(rng)
        delay = round(rng.uniform(0.3, 1.2), 2)  # the person's reaction time to each prompt
        path = self.folder / f"genuine-{index}.webm"
        media.genuine_like_recording(path, photo, challenge, code, seed=1000 + index, delay=delay)
        return self.assess(path, photo, challenge, code)

    def forged(self, kind: str, index: int) -> str:
        photo = PEOPLE[index % len(PEOPLE)]
        rng = random.Random(f"{kind}-{index}")
        challenge = new_challenge(rng)
        code = _code(rng)
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
            media.genuine_like_recording(path, photo, challenge, _code(rng), seed=seed)
        elif kind == "other_challenge_steps":
            # Made for another session's challenge: the steps it performs are not these.
            other = new_challenge(random.Random(f"other-{kind}-{index}"))
            audio = media.sentence_audio(code, seconds, seed=seed)
            media.write_webm(path, media.genuine_like_frames(photo, other, audio, seed=seed), audio)
        elif kind == "late_steps":
            # This challenge's steps, each begun as its window closes.
            media.genuine_like_recording(
                path, photo, challenge, code, seed=seed, delay=STEP_WINDOW - 0.1
            )
        elif kind == "other_person":
            media.genuine_like_recording(path, OTHER[photo], challenge, code, seed=seed)
        elif kind in ("replay_same_bytes", "replay_re_encoded"):
            # A genuine-like recording of its own is accepted first (so a worker needs no
            # other's), then replayed.
            # Each replay kind its own source (a worker that accepted one kind's source would
            # refuse the other's, the same recording, as a replay).
            if self.genuine((900 if kind == "replay_same_bytes" else 950) + index) != "granted":
                return "skipped"
            source = self.accepted_paths[-1]
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


_worker: Bench | None = None


def _start_worker(folder: str) -> None:
    global _worker
    _worker = Bench(Path(tempfile.mkdtemp(prefix="worker-", dir=folder)))


def _run(task: tuple[str, int]) -> tuple[str, int, str, tuple[str, ...], list[float]]:
    """One recording made and assessed in a worker process: (kind, index, outcome, reasons,
    assessment seconds)."""
    assert _worker is not None
    kind, index = task
    _worker.last_reasons = ()
    timed = len(_worker.seconds)
    outcome = _worker.genuine(index) if kind == "genuine_like" else _worker.forged(kind, index)
    return kind, index, outcome, _worker.last_reasons, _worker.seconds[timed:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--genuine", type=int, default=20, help="genuine-like recordings")
    parser.add_argument("--forged", type=int, default=3, help="recordings per forged kind")
    parser.add_argument("--workers", type=int, default=1, help="processes (each loads dlib)")
    parser.add_argument("--json", action="store_true", help="last line: one JSON object")
    args = parser.parse_args()
    out = sys.stderr if args.json else sys.stdout
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    # In rounds (a share of the genuine-like recordings, then one of each forged kind), so the
    # lines printed so far cover every kind.
    rounds = max(args.forged, 1)
    tasks: list[tuple[str, int]] = []
    for round_ in range(rounds):
        share = range(round_ * args.genuine // rounds, (round_ + 1) * args.genuine // rounds)
        tasks += [("genuine_like", index) for index in share]
        tasks += [(kind, round_) for kind in FORGED] if round_ < args.forged else []
    seconds: list[float] = []
    with tempfile.TemporaryDirectory(prefix="signet-liveness-bench-") as folder:
        # Every recording is seeded by its kind and index, so the outcome does not depend on
        # which worker makes it.
        context = multiprocessing.get_context("spawn")
        with context.Pool(args.workers, initializer=_start_worker, initargs=(folder,)) as pool:
            for kind, index, outcome, reasons, timed in pool.imap(_run, tasks):
                counts[kind][outcome] += 1
                seconds += timed
                why = f" {list(reasons)}" if reasons else ""
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
    genuine_total = table.get("genuine_like", {}).get("n", 0)
    genuine_granted = counts["genuine_like"]["granted"]
    summary = {
        "forged_auto_granted": round(forged_granted / forged_total, 4) if forged_total else None,
        "forged_auto_granted_ci95": wilson(forged_granted, forged_total),
        "forged_n": forged_total,
        "genuine_auto_granted": table.get("genuine_like", {}).get("granted"),
        "genuine_auto_granted_ci95": wilson(genuine_granted, genuine_total),
        "genuine_n": genuine_total,
        "genuine_is_synthetic": True,
        "assess_seconds_median": round(statistics.median(seconds), 2) if seconds else None,
        "kinds": table,
    }
    print(f"{'kind':<24}{'n':>4}{'granted':>10}{'held':>8}{'refused':>10}", file=out)
    for kind, row in table.items():
        shares = [("-" if row[o] is None else row[o]) for o in ("granted", "held", "refused")]
        print(f"{kind:<24}{row['n']:>4}{shares[0]:>10}{shares[1]:>8}{shares[2]:>10}", file=out)
    low, high = summary["forged_auto_granted_ci95"]
    g_low, g_high = summary["genuine_auto_granted_ci95"]
    print(
        f"forged granted automatically: {forged_granted}/{forged_total} "
        f"(95 % CI {low:.3f}-{high:.3f}); genuine-like (SYNTHETIC: animated real photos with "
        f"simulated head motion and TTS speech, no webcam recordings) granted: "
        f"{genuine_granted}/{genuine_total} (95 % CI {g_low:.3f}-{g_high:.3f}); assessment "
        f"median {summary['assess_seconds_median']} s per recording",
        file=out,
    )
    if args.json:
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
