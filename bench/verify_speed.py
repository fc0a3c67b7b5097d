"""How fast the public verifier answers: single files in-process, then a load run over HTTP.

    .venv/bin/python bench/verify_speed.py [--runs 7] [--load-seconds 60] [--concurrency 8] [--json]

Files (made by the real pipeline from obama.jpg and espeak-ng speech, 10 s, 512x512):
  original   the sealed file as Signet delivers it (manifest + watermark)
  crf28      the same re-encoded with the ffmpeg CLI at CRF 28 (manifest stripped)
  unmarked   the renderer's frames encoded without label, mark or manifest
  upscaled   the sealed file upscaled to 1080x1080 with the ffmpeg CLI (CRF 23)

Single: ``verify_upload`` in this process, the analysis cache cleared before every run (so each
run does the full work); median and slowest of --runs, and the median CPU seconds of the
process (all its threads), a steadier figure than wall time on a shared machine. Load: gunicorn
(2 processes x 4 threads) on 127.0.0.1 with the rate limit raised for the run, --concurrency
clients posting the four files in turn to /api/v1/verify for --load-seconds, first with the per-file-hash cache off (every
request does the full work), then with it on (as deployed: repeated files cost a hash). Errors
are anything but HTTP 200. The headline JSON keys (``load_*``) are the uncached run.

The machine may be shared with other work: the load average at start is printed with the figures.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WATERMARK_KEY = "bench-watermark-key"  # bench/_sealing.py marks with sha256 of this
KINDS = ("original", "crf28", "unmarked", "upscaled")


def make_files(workdir: Path) -> dict[str, Path]:
    from bench._sealing import BenchSealer
    from bench.generation_speed import portrait_request, upload_audio
    from generation.media.video import Mp4Writer
    from generation.renderers import get_renderer

    sealer = BenchSealer()
    audio = upload_audio(10.0, workdir)
    request = portrait_request(audio, 512)
    sealed_dir = workdir / "sealed"
    sealed_dir.mkdir()
    original = sealer.seal_render(request, audio, sealed_dir)
    files = {"original": workdir / "original.mp4"}
    shutil.copy(original, files["original"])
    files["unmarked"] = workdir / "unmarked.mp4"
    with Mp4Writer(files["unmarked"], width=512, height=512, audio=request.audio) as writer:
        for frame in get_renderer("animator").frames(request):
            writer.write(frame)
    ffmpeg = ["ffmpeg", "-y", "-loglevel", "error", "-i", str(original)]
    files["crf28"] = workdir / "crf28.mp4"
    subprocess.run([*ffmpeg, "-c:v", "libx264", "-crf", "28", "-c:a", "aac", str(files["crf28"])],
                   check=True)  # fmt: skip
    files["upscaled"] = workdir / "upscaled.mp4"
    subprocess.run([*ffmpeg, "-vf", "scale=1080:1080", "-c:v", "libx264", "-crf", "23",
                    "-c:a", "aac", str(files["upscaled"])], check=True)  # fmt: skip
    return files, sealer


def environment(var_dir: Path, sealer) -> dict[str, str]:
    keys = sealer._keys
    return {
        **os.environ,
        "SIGNET_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "studio.settings.base",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "SIGNET_SIGNING_CHAIN": str(keys / "chain.pem"),
        "SIGNET_SIGNING_KEY": str(keys / "signer.key"),
        "SIGNET_TRUST_ANCHORS": str(keys / "root.pem"),
        "SIGNET_WATERMARK_KEY": WATERMARK_KEY,
        "SIGNET_VERIFY_RATE_LIMIT_PER_MINUTE": "1000000",
    }


def single(files: dict[str, Path], runs: int) -> dict[str, dict]:
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    from studio.services.verification import verify_upload

    call_command("migrate", verbosity=0)
    figures = {}
    for kind, path in files.items():
        durations, cpu, result = [], [], None
        for _ in range(runs):
            cache.clear()
            started, cpu_started = time.perf_counter(), time.process_time()
            result = verify_upload(path)
            durations.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
        figures[kind] = {
            "median": round(statistics.median(durations), 3),
            "max": round(max(durations), 3),
            "cpu_median": round(statistics.median(cpu), 3),
            "verdict": result["verdict_code"],
            "watermark_found": result["watermark"]["found"],
            "full_search": result["watermark"]["full_search"],
        }
    return figures


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _form(path: Path) -> tuple[bytes, str]:
    """The multipart body posting ``path`` as ``file``, and its content type. Built once per
    file before the load run, so the clients (on the same machine) spend as little CPU as they
    can: what is measured is the server."""
    boundary = secrets.token_hex(12)
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
        f"filename=\"{path.name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    ).encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _post(url: str, form: tuple[bytes, str]) -> int:
    body, content_type = form
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def load(files: dict[str, Path], env: dict[str, str], seconds: float, concurrency: int,
         cached: bool) -> dict:
    port = _free_port()
    env = {**env, "SIGNET_VERIFY_CACHE_SECONDS": "86400" if cached else "0",
           "SIGNET_VERIFY_WORKERS": "1"}  # fmt: skip
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "studio.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "gthread",
         "--threads", "4", "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180  # a loaded machine starts gunicorn slowly
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not come up") from None
                time.sleep(0.3)
        url = f"http://127.0.0.1:{port}/api/v1/verify"
        order = [_form(path) for path in files.values()]
        latencies: list[float] = []
        statuses: list[int] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + seconds

        def client(offset: int) -> None:
            index = offset
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                status = _post(url, order[index % len(order)])
                with lock:
                    latencies.append(time.perf_counter() - started)
                    statuses.append(status)
                index += 1

        began = time.monotonic()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a loaded machine: requests still in flight
            server.kill()
            server.wait()
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "p50_seconds": round(statistics.median(ordered), 3) if ordered else None,
        "p95_seconds": round(ordered[int(0.95 * (len(ordered) - 1))], 3) if ordered else None,
        "per_second": round(len(latencies) / elapsed, 2),
        "errors": sum(1 for status in statuses if status != 200),
        "status_counts": {str(s): statuses.count(s) for s in sorted(set(statuses))},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--load-seconds", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    load_average = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="signet-verify-bench-") as tmp:
        workdir = Path(tmp)
        files, sealer = make_files(workdir)
        env = environment(workdir / "var", sealer)
        os.environ.update(env)
        singles = single(files, args.runs)
        uncached = load(files, env, args.load_seconds, args.concurrency, cached=False)
        cached = load(files, env, args.load_seconds, args.concurrency, cached=True)
    print(f"{'file':10} {'median s':>9} {'slowest s':>10} {'CPU s':>6} {'verdict':>16} "
          f"{'mark':>6} {'full':>5}")  # fmt: skip
    for kind, row in singles.items():
        print(f"{kind:10} {row['median']:>9} {row['max']:>10} {row['cpu_median']:>6} "
              f"{row['verdict']:>16} {str(row['watermark_found']):>6} "
              f"{str(row['full_search']):>5}")  # fmt: skip
    print(f"\n{'load run':10} {'requests':>9} {'p50 s':>7} {'p95 s':>7} {'per s':>7} {'errors':>7}")
    for name, row in (("uncached", uncached), ("cached", cached)):
        print(f"{name:10} {row['requests']:>9} {row['p50_seconds']:>7} {row['p95_seconds']:>7} "
              f"{row['per_second']:>7} {row['errors']:>7}  {row['status_counts']}")
    print(f"({args.runs} runs per file; load: {args.concurrency} clients x "
          f"{args.load_seconds:g} s, gunicorn 2x4 threads; load average at start "
          f"{load_average:.1f} on {os.cpu_count()} CPUs)")
    if args.json:
        print(json.dumps({
            "single_seconds": {kind: row["median"] for kind, row in singles.items()},
            "single_slowest_seconds": {kind: row["max"] for kind, row in singles.items()},
            "single_cpu_seconds": {kind: row["cpu_median"] for kind, row in singles.items()},
            "load_p95_seconds": uncached["p95_seconds"],
            "load_p50_seconds": uncached["p50_seconds"],
            "load_per_second": uncached["per_second"],
            "load_errors": uncached["errors"],
            "load_cached": cached,
            "load_average": load_average,
        }))  # fmt: skip


if __name__ == "__main__":
    main()
