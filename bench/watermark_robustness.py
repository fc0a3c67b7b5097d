"""Watermark robustness on REAL Signet outputs attacked with the ffmpeg CLI (plus the old
synthetic-clip table with --synthetic).

Real outputs: talking clips rendered by the production animator from the face photos in
../shared/data/faces (speech from espeak-ng and a synthetic sung melody), sealed by
safety.sealing.seal_video (label, mark, H.264 CRF 18, C2PA), and the same labelled frames encoded
without the mark at the same settings. Every attack in bench/_real_outputs.ATTACKS (ffmpeg CLI:
libx264 CRF, scale, crop, rotate, hflip, overlay picture-in-picture, fps, -ss, VP9, pad, noise,
blur, eq, single PNG/JPEG frames, a screen-recording path) is applied to both. Figures:
recovered fraction per attack; false matches over the unmarked copies under every attack and the
marked copies read under other keys; PSNR of the sealed MP4 against the unmarked encode; time to
read a delivered clip (decode + detect).

    .venv/bin/python bench/watermark_robustness.py [--clips 6] [--wrong-keys 2] [--json]
    .venv/bin/python bench/watermark_robustness.py --synthetic   # the synthetic-clip table too
    .venv/bin/python bench/watermark_robustness.py --reader verifier   # the verifier's read

``--reader file`` (default) reads the first 50 frames at full size; ``--reader verifier`` reads as
the public verifier does (safety.watermark.bounded: a bounded, evenly spread sample of frames
at the render size, the full read only when the quick one found nothing; stills as one frame).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _media import decode_frames, encode_h264, synthetic_talking_clip  # noqa: E402

from bench._real_outputs import ATTACKS as REAL_ATTACKS  # noqa: E402
from bench._real_outputs import background_video, make_outputs, require_ffmpeg  # noqa: E402
from bench._sealing import BenchSealer  # noqa: E402
from safety.watermark import (  # noqa: E402
    DwtDctSvdCodec,
    SpreadSpectrumCodec,
    WatermarkCodec,
    WatermarkReading,
    read_watermark_from_file,
)
from safety.watermark.bounded import (  # noqa: E402
    read_still_watermark_bounded,
    read_video_watermark_bounded,
)

cv2.setNumThreads(1)

KEY = b"benchmark-watermark-key"
WRONG_KEY = b"some-other-server-key"
READ_FRAMES = 50
RENDER_SIDE = 512  # the size the real outputs are rendered and marked at
STILL_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
BASELINE_READ_FRAMES = 10
REENCODE_CRF = 23
STILLS_PER_CLIP = 5
TIMED_FRAMES = 25

Frames = np.ndarray


def _reencode(transform: Callable[[Frames], Frames], crf: int = REENCODE_CRF):
    def attack(frames: Frames, workdir: Path, name: str) -> Path:
        return encode_h264(transform(frames), workdir / f"{name}.mp4", crf)

    return attack


def _resize(width: int, height: int) -> Callable[[Frames], Frames]:
    return lambda frames: np.stack(
        [cv2.resize(f, (width, height), interpolation=cv2.INTER_AREA) for f in frames]
    )


def _centre_crop(frames: Frames, keep: float = 0.9) -> Frames:
    height, width = frames.shape[1:3]
    new_h, new_w = int(height * keep) // 2 * 2, int(width * keep) // 2 * 2
    top, left = (height - new_h) // 2, (width - new_w) // 2
    return frames[:, top : top + new_h, left : left + new_w]


def _brighten(frames: Frames) -> Frames:
    return np.clip(frames.astype(np.float32) * 1.2, 0, 255).astype(np.uint8)


def _rotate(frames: Frames, degrees: float = 2.0) -> Frames:
    height, width = frames.shape[1:3]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return np.stack(
        [cv2.warpAffine(f, matrix, (width, height), borderMode=cv2.BORDER_REFLECT) for f in frames]
    )


def _jpeg_still(frames: Frames, workdir: Path, name: str) -> Path:
    path = workdir / f"{name}.jpg"
    Image.fromarray(frames[len(frames) // 2]).save(path, quality=50)
    return path


def _as_is(frames: Frames, workdir: Path, name: str) -> Path:
    return workdir / "delivered.mp4"


ATTACKS: dict[str, Callable[[Frames, Path, str], Path]] = {
    "none": _as_is,
    "crf23": _reencode(lambda f: f, 23),
    "crf28": _reencode(lambda f: f, 28),
    "crf33": _reencode(lambda f: f, 33),
    "downscale_360p": _reencode(_resize(360, 360)),
    "downscale_288p_crf28": _reencode(_resize(288, 288), 28),
    "crop_10pct": _reencode(_centre_crop),
    "crop_288p_crf28": _reencode(lambda f: _resize(288, 288)(_centre_crop(f)), 28),
    "jpeg_q50": _jpeg_still,
    "brightness_20pct": _reencode(_brighten),
    "aspect_360x288": _reencode(_resize(360, 288)),
    "rotate_2deg": _reencode(_rotate),
    "trim_2s": _reencode(lambda f: f[50:]),
}


def psnr(reference: np.ndarray, test: np.ndarray) -> float:
    mse = float(np.mean((reference.astype(np.float64) - test) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def ssim(reference: np.ndarray, test: np.ndarray) -> float:
    """SSIM (Wang et al. 2004, 11x11 Gaussian window, sigma 1.5), mean over R, G and B.

    Per colour channel so that a chroma-only mark (dwtDctSvd) is not scored as untouched.
    Written here rather than pulling scikit-image into the project for one benchmark figure.
    """
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(a: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(a, (11, 11), 1.5)

    values = []
    for channel in range(3):
        x = reference[..., channel].astype(np.float64)
        y = test[..., channel].astype(np.float64)
        mx, my = blur(x), blur(y)
        vx, vy, cov = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
        ssim_map = ((2 * mx * my + c1) * (2 * cov + c2)) / (
            (mx * mx + my * my + c1) * (vx + vy + c2)
        )
        values.append(ssim_map.mean())
    return float(np.mean(values))


@dataclass
class CodecResults:
    name: str
    clips: int = 0
    read_frames: int = READ_FRAMES
    recovered: dict[str, list[bool]] = field(default_factory=lambda: {a: [] for a in ATTACKS})
    wrong_id: int = 0  # found, but with another ID: a false match on a marked clip
    false_trials: int = 0
    false_matches: int = 0
    wrong_key_trials: int = 0
    unmarked_trials: int = 0
    psnr: list[float] = field(default_factory=list)
    ssim: list[float] = field(default_factory=list)
    embed_ms: list[float] = field(default_factory=list)
    decode_s: list[float] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "codec": self.name,
            "clips": self.clips,
            "frames_read": self.read_frames,
            "recovered": {
                a: round(float(np.mean(v)), 3) if v else None for a, v in self.recovered.items()
            },
            "false_match_rate": self.false_matches / max(1, self.false_trials),
            "false_match_trials": self.false_trials,
            "false_match_unmarked_trials": self.unmarked_trials,
            "false_match_wrong_key_trials": self.wrong_key_trials,
            "wrong_id_on_marked": self.wrong_id,
            "psnr_db_min": round(min(self.psnr), 2),
            "psnr_db_median": round(statistics.median(self.psnr), 2),
            "ssim_min": round(min(self.ssim), 4),
            "ssim_median": round(statistics.median(self.ssim), 4),
            "embed_ms_per_frame": round(statistics.median(self.embed_ms), 3),
            "decode_seconds_per_10s_clip": round(statistics.median(self.decode_s), 3),
        }


def _mark(codec: WatermarkCodec, frames: Frames, payload_id: int, results: CodecResults) -> Frames:
    marked = np.stack([codec.embed_frame(f, payload_id, i) for i, f in enumerate(frames)])
    # Timed apart from the first pass (which builds the cached pattern): median of 3 runs.
    sample = frames[:TIMED_FRAMES]
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        for i, frame in enumerate(sample):
            codec.embed_frame(frame, payload_id, i)
        runs.append((time.perf_counter() - started) * 1000 / len(sample))
    results.embed_ms.append(statistics.median(runs))
    for i in range(0, len(frames), 10):
        results.psnr.append(psnr(frames[i], marked[i]))
        results.ssim.append(ssim(frames[i], marked[i]))
    return marked


def _attack_all(delivered_frames: Frames, workdir: Path) -> dict[str, Path]:
    return {name: attack(delivered_frames, workdir, name) for name, attack in ATTACKS.items()}


def run_codec(
    codec: WatermarkCodec,
    wrong_key_codec: WatermarkCodec,
    clips: list[Frames],
    read_frames: int,
    log: Callable[[str], None],
) -> CodecResults:
    results = CodecResults(codec.name, clips=len(clips), read_frames=read_frames)
    rng = np.random.default_rng(7)
    for index, frames in enumerate(clips):
        payload_id = int(rng.integers(0, 2**32))
        with tempfile.TemporaryDirectory() as tmp:
            marked_dir, plain_dir = Path(tmp, "marked"), Path(tmp, "plain")
            marked_dir.mkdir()
            plain_dir.mkdir()
            marked = _mark(codec, frames, payload_id, results)
            encode_h264(marked, marked_dir / "delivered.mp4", 18)
            encode_h264(frames, plain_dir / "delivered.mp4", 18)

            started = time.perf_counter()
            reading = read_watermark_from_file(marked_dir / "delivered.mp4", codec, read_frames)
            # The detector reads read_frames frames whatever the clip's length: this is the
            # cost for a 10 s clip as for this 4 s one.
            results.decode_s.append(time.perf_counter() - started)

            marked_files = _attack_all(decode_frames(marked_dir / "delivered.mp4"), marked_dir)
            plain_frames = decode_frames(plain_dir / "delivered.mp4")
            plain_files = _attack_all(plain_frames, plain_dir)
            for still in range(STILLS_PER_CLIP):
                path = plain_dir / f"still{still}.png"
                Image.fromarray(plain_frames[still * len(plain_frames) // STILLS_PER_CLIP]).save(
                    path
                )
                plain_files[f"still{still}"] = path

            for name, path in marked_files.items():
                reading = read_watermark_from_file(path, codec, read_frames)
                results.recovered[name].append(reading.found and reading.payload_id == payload_id)
                if reading.found and reading.payload_id != payload_id:
                    results.wrong_id += 1
                    results.false_matches += 1
                wrong = read_watermark_from_file(path, wrong_key_codec, read_frames)
                results.false_trials += 1
                results.wrong_key_trials += 1
                results.false_matches += int(wrong.found)
            for path in plain_files.values():
                reading = read_watermark_from_file(path, codec, read_frames)
                results.false_trials += 1
                results.unmarked_trials += 1
                results.false_matches += int(reading.found)
        ok = sum(v[-1] for v in results.recovered.values())
        log(f"  {codec.name} clip {index + 1}/{len(clips)}: {ok}/{len(ATTACKS)} attacks recovered")
    return results


def _table(default: CodecResults, baseline: CodecResults) -> str:
    a, b = default.summary(), baseline.summary()
    rows = [("attack (recovery fraction)", a["codec"], b["codec"])]
    for name in ATTACKS:
        rows.append((name, f"{a['recovered'][name]:.2f}", f"{b['recovered'][name]:.2f}"))
    rows += [
        ("clips", str(a["clips"]), str(b["clips"])),
        ("frames read per detection", str(a["frames_read"]), str(b["frames_read"])),
        (
            "false matches / trials",
            f"{default.false_matches}/{a['false_match_trials']}",
            f"{baseline.false_matches}/{b['false_match_trials']}",
        ),
        (
            "  of which wrong-key trials",
            str(a["false_match_wrong_key_trials"]),
            str(b["false_match_wrong_key_trials"]),
        ),
        (
            "PSNR dB min / median",
            f"{a['psnr_db_min']:.2f} / {a['psnr_db_median']:.2f}",
            f"{b['psnr_db_min']:.2f} / {b['psnr_db_median']:.2f}",
        ),
        (
            "SSIM min / median",
            f"{a['ssim_min']:.4f} / {a['ssim_median']:.4f}",
            f"{b['ssim_min']:.4f} / {b['ssim_median']:.4f}",
        ),
        (
            "embed ms/frame (median)",
            f"{a['embed_ms_per_frame']:.2f}",
            f"{b['embed_ms_per_frame']:.2f}",
        ),
        (
            "decode s per 10 s clip (median)",
            f"{a['decode_seconds_per_10s_clip']:.3f}",
            f"{b['decode_seconds_per_10s_clip']:.3f}",
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 real clips of 6 s, 1 wrong key")
    parser.add_argument("--json", action="store_true", help="last line: one JSON object")
    parser.add_argument("--clips", type=int, default=6, help="real outputs")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--wrong-keys", type=int, default=2)
    parser.add_argument("--synthetic", action="store_true", help="also the synthetic table")
    parser.add_argument(
        "--reader", choices=("file", "verifier"), default="file", help="how the mark is read"
    )
    parser.add_argument("--synthetic-clips", type=int, default=12)
    parser.add_argument("--baseline-clips", type=int, default=4)
    args = parser.parse_args()

    def log(message: str) -> None:
        print(message, file=sys.stderr if args.json else sys.stdout, flush=True)

    require_ffmpeg()
    real = run_real(
        clips=2 if args.quick else args.clips,
        seconds=6.0 if args.quick else args.seconds,
        wrong_keys=1 if args.quick else args.wrong_keys,
        log=log,
        read=make_reader(args.reader),
    )
    print(_real_table(real))
    summary = real.summary()
    summary["reader"] = args.reader
    if args.synthetic:
        summary["synthetic"] = _synthetic(args, log)
    if args.json:
        print(json.dumps(summary))


def _synthetic(args: argparse.Namespace, log: Callable[[str], None]) -> dict:
    n_clips = 3 if args.quick else args.synthetic_clips
    n_baseline = 1 if args.quick else min(args.baseline_clips, n_clips)

    log(f"generating {n_clips} synthetic 512x512 clips, 100 frames at 25 fps")
    clips = [synthetic_talking_clip(seed) for seed in range(n_clips)]
    default = run_codec(
        SpreadSpectrumCodec(KEY), SpreadSpectrumCodec(WRONG_KEY), clips, READ_FRAMES, log
    )
    baseline = run_codec(
        DwtDctSvdCodec(KEY),
        DwtDctSvdCodec(WRONG_KEY),
        clips[:n_baseline],
        BASELINE_READ_FRAMES,
        log,
    )
    print(_table(default, baseline))
    print(
        f"baseline dwtDctSvd: {n_baseline} clips and {BASELINE_READ_FRAMES} frames per read "
        "(it costs ~50 ms per frame to read); attacks without a CRF in the name re-encode at "
        f"CRF {REENCODE_CRF}; false-match trials = unmarked clips under every attack + "
        f"{STILLS_PER_CLIP} unmarked PNG stills per clip + marked clips under every attack read "
        "with a wrong key"
    )
    summary = default.summary()
    summary["baseline"] = baseline.summary()
    return summary


@dataclass
class RealResults:
    clips: int = 0
    recovered: dict[str, list[bool]] = field(default_factory=lambda: {a: [] for a in REAL_ATTACKS})
    wrong_id: int = 0
    unmarked_trials: int = 0
    unmarked_matches: int = 0
    wrong_key_trials: int = 0
    wrong_key_matches: int = 0
    clip_psnr: list[float] = field(default_factory=list)
    frame_psnr_min: list[float] = field(default_factory=list)
    decode_s: list[float] = field(default_factory=list)
    unmarked_read_s: list[float] = field(default_factory=list)

    def summary(self) -> dict:
        trials = self.unmarked_trials + self.wrong_key_trials
        matches = self.unmarked_matches + self.wrong_key_matches + self.wrong_id
        return {
            "codec": SpreadSpectrumCodec.name,
            "material": "real sealed outputs (animator + seal_video) of the face photos",
            "clips": self.clips,
            "recovered": {a: round(float(np.mean(v)), 3) for a, v in self.recovered.items()},
            "false_match_trials": trials,
            "false_match_rate": matches / max(1, trials),
            "false_match_unmarked_trials": self.unmarked_trials,
            "false_match_wrong_key_trials": self.wrong_key_trials,
            "wrong_id_on_marked": self.wrong_id,
            "sealed_psnr_db_min": round(min(self.clip_psnr), 2),
            "sealed_psnr_db_median": round(statistics.median(self.clip_psnr), 2),
            "sealed_psnr_db_worst_frame": round(min(self.frame_psnr_min), 2),
            "decode_seconds_per_10s_clip": round(statistics.median(self.decode_s), 3),
            "unmarked_read_seconds_median": round(statistics.median(self.unmarked_read_s), 3),
        }


def _clip_psnr(sealed: Path, unmarked: Path) -> tuple[float, float]:
    a, b = decode_frames(sealed), decode_frames(unmarked)
    count = min(len(a), len(b))
    errors = [float(np.mean((a[i].astype(np.float64) - b[i]) ** 2)) for i in range(count)]
    to_db = lambda mse: 10 * np.log10(255.0**2 / max(mse, 1e-12))  # noqa: E731
    return float(to_db(np.mean(errors))), float(to_db(max(errors)))


def run_real(
    clips: int,
    seconds: float,
    wrong_keys: int,
    log: Callable[[str], None],
    read: Reader | None = None,
) -> RealResults:
    read = read or make_reader("file")
    results = RealResults(clips=clips)
    sealer = BenchSealer()
    wrong_codecs = [
        SpreadSpectrumCodec(f"other-server-key-{k}".encode()) for k in range(wrong_keys)
    ]
    with tempfile.TemporaryDirectory(prefix="signet-wm-real-") as tmp:
        workdir = Path(tmp)
        log(f"rendering and sealing {clips} real outputs of {seconds:.0f} s")
        outputs = make_outputs(clips, workdir, sealer, seconds=seconds)
        background = background_video(workdir, seconds + 2)
        for output in outputs:
            psnr_clip, psnr_frame = _clip_psnr(output.sealed, output.unmarked)
            results.clip_psnr.append(psnr_clip)
            results.frame_psnr_min.append(psnr_frame)
            # The detector reads READ_FRAMES frames whatever the clip's length, so this is the
            # cost for a 10 s clip; the first read (warm-up: caches, code loading) is not timed.
            read(output.sealed, sealer.codec)
            started = time.perf_counter()
            read(output.sealed, sealer.codec)
            results.decode_s.append(time.perf_counter() - started)
            lost = []
            for name, attack in REAL_ATTACKS.items():
                marked = attack(output.sealed, workdir, background)
                reading = read(marked, sealer.codec)
                ok = reading.found and reading.payload_id == output.payload_id
                results.recovered[name].append(ok)
                if reading.found and reading.payload_id != output.payload_id:
                    results.wrong_id += 1
                if not ok:
                    lost.append(name)
                for wrong in wrong_codecs:
                    results.wrong_key_trials += 1
                    results.wrong_key_matches += read(marked, wrong).found
                plain = attack(output.unmarked, workdir, background)
                started = time.perf_counter()
                false_match = read(plain, sealer.codec).found
                results.unmarked_matches += false_match
                results.unmarked_read_s.append(time.perf_counter() - started)
                results.unmarked_trials += 1
                log(
                    f"    {output.name} {name}: {'recovered' if ok else 'LOST'} "
                    f"({reading.detail}); unmarked copy {'FALSE MATCH' if false_match else 'ok'}"
                )
            log(
                f"  {output.name}: PSNR {psnr_clip:.2f} dB, lost {len(lost)}/{len(REAL_ATTACKS)}: "
                + ", ".join(lost)
            )
    return results


Reader = Callable[[Path, WatermarkCodec], WatermarkReading]


def make_reader(kind: str) -> Reader:
    """``file``: the first READ_FRAMES frames at full size; ``verifier``: the verifier's read."""
    if kind == "file":
        return lambda path, codec: read_watermark_from_file(path, codec, READ_FRAMES)

    def verifier(path: Path, codec: WatermarkCodec) -> WatermarkReading:
        if Path(path).suffix.lower() in STILL_SUFFIXES:
            return read_still_watermark_bounded(path, codec, render_side=RENDER_SIDE).reading
        return read_video_watermark_bounded(path, codec, render_side=RENDER_SIDE).reading

    return verifier


def _real_table(real: RealResults) -> str:
    summary = real.summary()
    lines = [f"Real outputs ({real.clips} clips), codec {summary['codec']}", "attack  recovered"]
    width = max(len(a) for a in REAL_ATTACKS)
    for name, fraction in summary["recovered"].items():
        count = sum(real.recovered[name])
        lines.append(f"{name.ljust(width)}  {fraction:5.2f}  ({count}/{real.clips})")
    lines += [
        f"false matches: {real.unmarked_matches + real.wrong_key_matches + real.wrong_id} of "
        f"{summary['false_match_trials']} trials ({real.unmarked_trials} unmarked copies under "
        f"every attack, {real.wrong_key_trials} marked copies under other keys)",
        f"sealed MP4 vs unmarked encode at the same settings: PSNR min {summary['sealed_psnr_db_min']}"
        f" dB, median {summary['sealed_psnr_db_median']} dB, worst frame "
        f"{summary['sealed_psnr_db_worst_frame']} dB",
        f"read time of a delivered 10 s clip: {summary['decode_seconds_per_10s_clip']} s; "
        f"of an unmarked copy (every search runs): {summary['unmarked_read_seconds_median']} s",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
