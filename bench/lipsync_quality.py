"""Lip-sync quality of the CPU animator, measured on its output frames.

    .venv/bin/python bench/lipsync_quality.py [--stride 2] [--json]

For obama.jpg and astronaut.png speaking an espeak-ng clip with pauses:
  (a) Pearson correlation between the mouth opening re-detected on every output frame (dlib
      68 landmarks via safety.faces: inner-lip gap / brow-to-chin height) and the audio's
      loudness envelope (RMS dB per video frame, computed here independently of the animator);
  (b) the share of silent frames (no voice within +-40 ms) whose mouth is closed;
  (c) identity: the largest face-embedding distance between an output frame (every --stride-th)
      and the portrait, against the acceptance threshold of safety.faces.
Prints a table, saves bench/out/lipsync_contact_sheet.png, and with --json prints one JSON
object on the last line (figures are the worst of the two portraits).
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generation.audio_features import extract_features  # noqa: E402
from generation.media import DecodedAudio, decode_audio, load_image_rgb  # noqa: E402
from generation.renderers import RenderRequest, get_renderer  # noqa: E402
from safety.faces import get_face_backend  # noqa: E402
from safety.faces.identity import DLIB_THRESHOLDS, embedding_distance  # noqa: E402
from tests.generation import media_factory  # noqa: E402

PORTRAITS = ("obama.jpg", "astronaut.png")
SENTENCES = (
    "Hello everyone, thank you for coming.",
    "Papa bought a map, and maybe a boat.",
    "Who knows what tomorrow brings?",
    "See you soon.",
)
PAUSE_SECONDS = 0.8
# Inner-lip gap below this share of the face height counts as a closed mouth.
CLOSED_OPENING = 0.03
OUT_DIR = ROOT / "bench" / "out"


def speech_with_pauses(workdir: Path) -> DecodedAudio:
    pause = np.zeros(int(PAUSE_SECONDS * 16_000), dtype=np.float32)
    parts = [pause]
    for index, sentence in enumerate(SENTENCES):
        wav = media_factory.speech_wav(workdir / f"s{index}.wav", sentence)
        if wav is None:
            raise SystemExit("espeak-ng is needed for this benchmark (apt-get install espeak-ng)")
        parts += [decode_audio(wav).samples, pause]
    return DecodedAudio.from_samples(np.concatenate(parts), 16_000)


def loudness_envelope(audio: DecodedAudio, frames: int, fps: int) -> np.ndarray:
    """RMS level (dB) of each video frame's 40 ms, floored 45 dB under the loudest frame."""
    hop = audio.sample_rate // fps
    samples = np.zeros(frames * hop, dtype=np.float64)
    usable = min(len(samples), len(audio.samples))
    samples[:usable] = audio.samples[:usable]
    level = 10 * np.log10((samples.reshape(frames, hop) ** 2).mean(axis=1) + 1e-12)
    return np.maximum(level, level.max() - 45.0)


def mouth_opening(landmarks: np.ndarray) -> float:
    gap = np.mean([landmarks[66, 1] - landmarks[62, 1], landmarks[67, 1] - landmarks[61, 1],
                   landmarks[65, 1] - landmarks[63, 1]])
    height = landmarks[8, 1] - min(landmarks[19, 1], landmarks[24, 1])
    return float(max(gap, 0.0) / max(height, 1.0))


def measure(name: str, audio: DecodedAudio, stride: int, backend) -> dict:
    image = load_image_rgb(media_factory.face_path(name))
    faces = backend.detect(image)
    if len(faces) != 1:
        raise SystemExit(f"expected one face in {name}")
    reference = backend.embed(image, faces[0])
    request = RenderRequest(portrait_rgb=image, landmarks=np.array(faces[0].landmarks),
                            audio=audio)
    openings, distances, sheet = [], [], []
    undetected = 0
    for index, frame in enumerate(get_renderer("animator").frames(request)):
        found = backend.detect(frame)
        if len(found) != 1:
            undetected += 1
            openings.append(np.nan)
            continue
        openings.append(mouth_opening(found[0].landmarks))
        if index % stride == 0:
            distances.append(embedding_distance(backend.embed(frame, found[0]), reference))
        if index % 12 == 0 and len(sheet) < 24:
            tile = cv2.resize(frame, (160, 160), interpolation=cv2.INTER_AREA)
            cv2.putText(tile, f"{index} {openings[-1]:.2f}", (4, 14), cv2.FONT_HERSHEY_SIMPLEX,
                        0.4, (255, 255, 0), 1)
            sheet.append(tile)
    openings = np.array(openings)
    frames = len(openings)
    envelope = loudness_envelope(audio, frames, request.fps)
    valid = ~np.isnan(openings)
    correlation = float(np.corrcoef(openings[valid], envelope[valid])[0, 1])
    voice = extract_features(audio, fps=request.fps, frame_count=frames).voice
    # Silent: no voice in this frame or its neighbours (the mouth may still be closing).
    silent = np.convolve(voice > 0.1, np.ones(3), mode="same") == 0
    closed = openings[silent & valid] < CLOSED_OPENING
    return {
        "portrait": name,
        "frames": frames,
        "undetected_frames": undetected,
        "mouth_loudness_correlation": correlation,
        "silent_frames": int((silent & valid).sum()),
        "silence_mouth_closed_fraction": float(closed.mean()) if len(closed) else float("nan"),
        "identity_max_distance": float(max(distances)),
        "identity_frames_checked": len(distances),
        "sheet": np.hstack(sheet[:12]) if sheet else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stride", type=int, default=2, help="embed every n-th frame")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    backend = get_face_backend()

    with tempfile.TemporaryDirectory() as tmp:
        audio = speech_with_pauses(Path(tmp))
    results = [measure(name, audio, args.stride, backend) for name in PORTRAITS]

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    rows = [r["sheet"] for r in results if r["sheet"] is not None]
    width = max(row.shape[1] for row in rows)
    rows = [np.pad(row, ((0, 0), (0, width - row.shape[1]), (0, 0))) for row in rows]
    sheet_path = OUT_DIR / "lipsync_contact_sheet.png"
    cv2.imwrite(str(sheet_path), cv2.cvtColor(np.vstack(rows), cv2.COLOR_RGB2BGR))

    threshold = DLIB_THRESHOLDS.accept
    print(f"{'portrait':16} {'frames':>6} {'corr':>6} {'silent':>6} {'closed':>7} "
          f"{'id max':>7} {'thresh':>6}")
    for r in results:
        print(f"{r['portrait']:16} {r['frames']:>6} {r['mouth_loudness_correlation']:>6.3f} "
              f"{r['silent_frames']:>6} {r['silence_mouth_closed_fraction']:>7.3f} "
              f"{r['identity_max_distance']:>7.3f} {threshold:>6.2f}")
    print(f"(audio {audio.duration_seconds:.1f} s, espeak-ng speech with "
          f"{PAUSE_SECONDS} s pauses; contact sheet: {sheet_path.relative_to(ROOT)})")
    if args.json:
        print(json.dumps({
            "mouth_loudness_correlation": round(min(r["mouth_loudness_correlation"]
                                                    for r in results), 3),
            "silence_mouth_closed_fraction": round(min(r["silence_mouth_closed_fraction"]
                                                       for r in results), 3),
            "identity_max_distance": round(max(r["identity_max_distance"] for r in results), 3),
            "accept_threshold": threshold,
            "undetected_frames": sum(r["undetected_frames"] for r in results),
            "per_portrait": {r["portrait"]: {k: (round(v, 3) if isinstance(v, float) else v)
                                             for k, v in r.items() if k not in ("sheet",
                                                                                "portrait")}
                             for r in results},
        }))


if __name__ == "__main__":
    main()
