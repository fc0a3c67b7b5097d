"""Audio watermark benchmark: Signet's keyed spectral-ripple mark on speech and sung clips.

Clips: espeak-ng speech (6 voices) and synthetic singing (harmonics with vibrato under vowel
formants), 48 kHz mono, marked, written as 16-bit WAV, then attacked with Debian's ffmpeg CLI
(bench/_audio_attacks.py) and read back from the attacked file. False matches: unmarked clips
and random windows of them (3-12 s, random gain, some mixed with music or re-encoded), plus
marked clips read under other keys. SNR: original energy over the energy of the change.

    .venv/bin/python bench/audio_watermark.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _audio_attacks as attacks  # noqa: E402

from safety.audio_watermark import (  # noqa: E402
    AudioWatermark,
    read_audio_watermark_from_file,
    snr_db,
)

KEY = b"benchmark-audio-watermark-key"
OUT_DIR = Path(__file__).resolve().parent / "out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 clips of each kind, 200 trials")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--false-trials", type=int, default=1000)
    args = parser.parse_args()
    per_kind = 2 if args.quick else None
    trials = 200 if args.quick else args.false_trials
    mark = AudioWatermark(KEY)
    names = attacks.REQUIRED_ATTACKS + attacks.EXTRA_ATTACKS
    with tempfile.TemporaryDirectory(prefix="signet-audio-bench-") as tmp:
        workdir = Path(tmp)
        music = attacks.music(workdir / "music.wav", 30.0)
        clips = [("speech", i) for i in range(per_kind or 6)]
        clips += [("sung", i) for i in range(per_kind or 3)]
        recovered: dict[str, list[bool]] = {name: [] for name in ["none", *names]}
        snrs, read_seconds, originals = [], [], []
        for kind, index in clips:
            source = getattr(attacks, kind)(workdir / f"{kind}{index}.wav", index)
            clean = attacks.read(source)
            originals.append(clean)
            payload = 1_000_003 * (index + 1) + (7 if kind == "sung" else 0)
            marked = mark.embed(clean, attacks.RATE, payload)
            snrs.append(snr_db(clean, marked))
            marked_path = attacks.write(marked, workdir / f"{kind}{index}.marked.wav")
            if (kind, index) == ("speech", 0):
                _save_spectrograms(clean, marked, OUT_DIR / "audio_mark_spectrogram.png")
            for name in ["none", *names]:
                path = (
                    marked_path
                    if name == "none"
                    else attacks.attack(name, marked_path, workdir, music)
                )
                started = time.perf_counter()
                reading = read_audio_watermark_from_file(path, mark)
                read_seconds.append(time.perf_counter() - started)
                recovered[name].append(reading.found and reading.payload_id == payload)
                print(
                    f"{kind}{index} {name:28s} {'ok' if recovered[name][-1] else 'LOST':4s} "
                    f"{reading.detail}",
                    file=sys.stderr,
                    flush=True,
                )
            # wrong keys on the marked clip
        false_hits, trial_count = _false_matches(mark, originals, music, workdir, trials)
        wrong_key_hits = 0
        for k, clean in enumerate(originals):
            marked = mark.embed(clean, attacks.RATE, 55_555 + k)
            for other in range(5):
                wrong = AudioWatermark(KEY + bytes([other, 1]))
                wrong_key_hits += wrong.detect(marked, attacks.RATE).found
        wrong_trials = 5 * len(originals)

    table = {name: sum(v) / len(v) for name, v in recovered.items()}
    print(
        f"\nAudio mark ({mark.name}), {len(clips)} clips "
        f"({sum(k == 'speech' for k, _ in clips)} speech, {sum(k == 'sung' for k, _ in clips)} sung)"
    )
    print(f"{'attack':30s} recovered")
    for name, fraction in table.items():
        required = "  (required)" if name in attacks.REQUIRED_ATTACKS else ""
        print(f"{name:30s} {fraction:6.0%}{required}")
    print(f"SNR min/median: {min(snrs):.1f} / {statistics.median(snrs):.1f} dB")
    print(f"false matches, unmarked windows: {false_hits} of {trial_count}")
    print(f"false matches, wrong key: {wrong_key_hits} of {wrong_trials}")
    print(f"read time per file, median: {statistics.median(read_seconds):.2f} s")
    print(f"(spectrograms: {OUT_DIR / 'audio_mark_spectrogram.png'})")
    total_trials = trial_count + wrong_trials
    if args.json:
        print(
            json.dumps(
                {
                    "codec": mark.name,
                    "clips": len(clips),
                    "recovered": {k: round(v, 3) for k, v in table.items()},
                    "false_match_trials": total_trials,
                    "false_match_rate": (false_hits + wrong_key_hits) / total_trials,
                    "snr_db_min": round(min(snrs), 2),
                    "snr_db_median": round(statistics.median(snrs), 2),
                    "read_seconds_median": round(statistics.median(read_seconds), 3),
                }
            )
        )


def _save_spectrograms(clean: np.ndarray, marked: np.ndarray, path: Path) -> None:
    """Original, marked, and the change alone, on one dB scale (0 to -90 dB of the loudest
    cell), 0-8 kHz, to look at: the mark should show only as a faint haze under the voice,
    and no vertical lines where its sign flips."""
    import cv2

    window, hop = 1024, 256
    panels = []
    for signal in (clean, marked, marked - clean):
        frames = np.lib.stride_tricks.sliding_window_view(signal[: 6 * attacks.RATE], window)
        spectrum = np.abs(np.fft.rfft(frames[::hop] * np.hanning(window), axis=1)).T
        panels.append(20 * np.log10(spectrum[: window * 8000 // attacks.RATE] + 1e-9))
    top = max(p.max() for p in panels)
    rows = []
    for label, panel in zip(("original", "marked", "change (mark alone)"), panels, strict=True):
        scaled = np.clip((panel - top + 90.0) / 90.0, 0.0, 1.0)[::-1]
        image = cv2.applyColorMap((255 * scaled).astype(np.uint8), cv2.COLORMAP_MAGMA)
        image = cv2.resize(image, (image.shape[1], 180), interpolation=cv2.INTER_AREA)
        cv2.putText(image, label, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1)
        rows.append(image)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.vstack(rows))


def _false_matches(
    mark: AudioWatermark, originals: list[np.ndarray], music: Path, workdir: Path, trials: int
) -> tuple[int, int]:
    """Unmarked trials: each whole clip, then random windows with random gain, some with music."""
    rng = np.random.default_rng(2026)
    back = attacks.read(music)
    hits = 0
    for trial in range(trials):
        clean = originals[trial % len(originals)]
        if trial >= len(originals):
            length = int(rng.uniform(3.0, 12.0) * attacks.RATE)
            start = int(rng.integers(0, max(1, len(clean) - length)))
            clip = clean[start : start + length] * rng.uniform(0.3, 1.5)
            if trial % 3 == 0:
                offset = int(rng.integers(0, len(back) - len(clip))) if len(back) > len(clip) else 0
                music_part = np.resize(back[offset:], len(clip))
                clip = clip + music_part * rng.uniform(0.1, 1.0)
            if trial % 5 == 0:  # 20 % of trials through a real codec round trip
                path = attacks.write(np.clip(clip, -1, 1), workdir / "unmarked.wav")
                hits += read_audio_watermark_from_file(
                    attacks.attack("mp3_96k", path, workdir), mark
                ).found
                continue
        else:
            clip = clean
        hits += mark.detect(clip, attacks.RATE).found
    return hits, trials


if __name__ == "__main__":
    main()
