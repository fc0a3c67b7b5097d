"""Identity benchmark: genuine and impostor distances on the test photos and their copies.

Every photo in ../shared/data/faces/ is used as is and as five altered copies (mirror image,
JPEG quality 50, half size, 30 % brighter, 30 % darker). Genuine pairs are two different images
of the same person (obama vs obama2 in every combination, and each photo against its own
copies); impostor pairs are every pair of images of different people. Each pair is decided with
the configured thresholds; time per face covers detection, 68 landmarks and the embedding
(analyze_portrait on a decoded image, so decoding the file is not counted).

    .venv/bin/python bench/identity_eval.py [--repeats N] [--json]
        [--backend insightface --model-dir DIR]   # calibrate another backend's thresholds

Targets: every genuine pair accepted, every impostor pair refused, under 150 ms per face.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageEnhance  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from safety.faces.analysis import analyze_portrait  # noqa: E402
from safety.faces.backends import KNOWN_BACKENDS, FaceBackend, get_face_backend  # noqa: E402
from safety.faces.identity import match_identity  # noqa: E402
from safety.faces.images import decode_rgb  # noqa: E402

FACES_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "faces"
# File -> person. Photos of one person share a label.
PEOPLE = {
    "obama.jpg": "obama",
    "obama2.jpg": "obama",
    "biden.jpg": "biden",
    "astronaut.png": "collins",
}


def _jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return decode_rgb(buffer.getvalue())


def _brightness(rgb: np.ndarray, factor: float) -> np.ndarray:
    return np.asarray(ImageEnhance.Brightness(Image.fromarray(rgb)).enhance(factor))


AUGMENTATIONS = {
    "original": lambda rgb: rgb,
    "flip": lambda rgb: np.ascontiguousarray(rgb[:, ::-1]),
    "jpeg50": lambda rgb: _jpeg(rgb, 50),
    "half": lambda rgb: cv2.resize(
        rgb, (rgb.shape[1] // 2, rgb.shape[0] // 2), interpolation=cv2.INTER_AREA
    ),
    "bright+30%": lambda rgb: _brightness(rgb, 1.3),
    "bright-30%": lambda rgb: _brightness(rgb, 0.7),
}


@dataclass(frozen=True)
class Sample:
    photo: str
    augmentation: str
    person: str
    embedding: np.ndarray
    problems: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.photo}/{self.augmentation}"


def embed_all(backend: FaceBackend, repeats: int) -> tuple[list[Sample], list[float], list[str]]:
    # Keep the one-off model load out of the timings.
    analyze_portrait(decode_rgb(FACES_DIR / next(iter(PEOPLE))), backend=backend)
    samples, timings, failures = [], [], []
    for photo, person in PEOPLE.items():
        original = decode_rgb(FACES_DIR / photo)
        for name, augment in AUGMENTATIONS.items():
            rgb = augment(original)
            runs = []
            for _ in range(repeats):
                started = time.perf_counter()
                analysis = analyze_portrait(rgb, backend=backend)
                runs.append((time.perf_counter() - started) * 1000)
            timings.append(statistics.median(runs))
            face = analysis.face
            if face is None or face.embedding is None:
                failures.append(f"{photo}/{name}: {len(analysis.faces)} faces")
                continue
            samples.append(Sample(photo, name, person, face.embedding, analysis.problem_codes))
    return samples, timings, failures


def pairs(samples: list[Sample]) -> tuple[list[tuple[Sample, Sample]], list[tuple[Sample, Sample]]]:
    genuine, impostor = [], []
    for first, second in itertools.combinations(samples, 2):
        if first.person != second.person:
            impostor.append((first, second))
        elif first.photo != second.photo or "original" in (first.augmentation, second.augmentation):
            # Two photos of one person in any combination, or a photo against its own copy.
            genuine.append((first, second))
    return genuine, impostor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per image (median)")
    parser.add_argument("--json", action="store_true", help="print figures as JSON, last line")
    parser.add_argument("--backend", choices=KNOWN_BACKENDS, default="dlib")
    parser.add_argument("--model-dir", type=Path, help="model folder (required for insightface)")
    args = parser.parse_args()

    backend = get_face_backend(args.backend, args.model_dir)
    thresholds = backend.default_thresholds
    samples, timings, failures = embed_all(backend, args.repeats)
    genuine, impostor = pairs(samples)

    def decide(group: list[tuple[Sample, Sample]]) -> list[tuple[float, str, Sample, Sample]]:
        decided = []
        for first, second in group:
            match = match_identity(first.embedding, second.embedding, thresholds)
            decided.append((match.distance, match.decision, first, second))
        return sorted(decided, key=lambda row: row[0])

    genuine_rows, impostor_rows = decide(genuine), decide(impostor)
    genuine_accepted = sum(row[1] == "accepted" for row in genuine_rows) / max(len(genuine_rows), 1)
    impostor_refused = sum(row[1] == "refused" for row in impostor_rows) / max(
        len(impostor_rows), 1
    )
    genuine_d = [row[0] for row in genuine_rows]
    impostor_d = [row[0] for row in impostor_rows]

    print(f"backend {backend.name}: {len(samples)} images embedded, {len(failures)} failed")
    for failure in failures:
        print(f"  no single face: {failure}")
    for sample in samples:
        if sample.problems:
            flags = ", ".join(sample.problems)
            print(f"  quality flags (embedding still used): {sample.label}: {flags}")
    print()
    print(
        f"{'pairs':<10}{'n':>5}{'min':>8}{'median':>8}{'max':>8}{'accepted':>10}{'review':>8}{'refused':>9}"
    )
    for name, rows in (("genuine", genuine_rows), ("impostor", impostor_rows)):
        distances = [row[0] for row in rows]
        counts = {d: sum(row[1] == d for row in rows) for d in ("accepted", "review", "refused")}
        print(
            f"{name:<10}{len(rows):>5}{min(distances):>8.3f}{statistics.median(distances):>8.3f}"
            f"{max(distances):>8.3f}{counts['accepted']:>10}{counts['review']:>8}{counts['refused']:>9}"
        )
    print()
    print("genuine pairs, farthest apart:")
    for distance, decision, first, second in genuine_rows[-3:][::-1]:
        print(f"  {distance:.3f} {decision:<9} {first.label} ~ {second.label}")
    print("impostor pairs, closest:")
    for distance, decision, first, second in impostor_rows[:3]:
        print(f"  {distance:.3f} {decision:<9} {first.label} ~ {second.label}")
    print()
    print(
        f"thresholds: accept <= {thresholds.accept:.2f}, refuse >= {thresholds.reject:.2f}. "
        f"Worst genuine {max(genuine_d):.3f} leaves {thresholds.accept - max(genuine_d):.2f} "
        f"below accept; closest impostor {min(impostor_d):.3f} leaves "
        f"{min(impostor_d) - thresholds.reject:.2f} above refuse. The gap between the two "
        "thresholds goes to a moderator."
        + (" 0.60 is dlib's published LFW boundary." if backend.name == "dlib" else "")
    )
    ms_median = statistics.median(timings)
    print(
        f"time per face (detection + 68 landmarks + embedding, median of {args.repeats} runs "
        f"per image): median {ms_median:.0f} ms, max {max(timings):.0f} ms"
    )
    if args.json:
        print(
            json.dumps(
                {
                    "backend": backend.name,
                    "images": len(samples),
                    "images_without_single_face": len(failures),
                    "genuine_pairs": len(genuine_rows),
                    "impostor_pairs": len(impostor_rows),
                    "genuine_accepted": round(genuine_accepted, 4),
                    "impostor_refused": round(impostor_refused, 4),
                    "genuine_distance_max": round(max(genuine_d), 4),
                    "impostor_distance_min": round(min(impostor_d), 4),
                    "accept_threshold": thresholds.accept,
                    "reject_threshold": thresholds.reject,
                    "ms_per_face_median": round(ms_median, 1),
                    "ms_per_face_max": round(max(timings), 1),
                }
            )
        )


if __name__ == "__main__":
    main()
