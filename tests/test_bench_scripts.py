"""The benchmark scripts in bench/ still start: they are run by hand, so nothing else notices
when a helper they import is renamed (bench/gpu_generation.py imported a function
bench/generation_speed.py no longer had, and failed before measuring anything)."""

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_every_benchmark_script_imports_and_shows_its_options():
    scripts = sorted(path for path in BENCH.glob("[a-z]*.py"))
    assert len(scripts) >= 10
    # All at once: each spends seconds importing torch, dlib or Django.
    started = {
        script: subprocess.Popen(
            [sys.executable, str(script), "--help"], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, cwd=BENCH.parent,
        )
        for script in scripts
    }  # fmt: skip
    shown = {script.name: process.communicate(timeout=240) for script, process in started.items()}
    for script, process in started.items():
        out, err = shown[script.name]
        assert process.returncode == 0, f"{script.name}: {err[-800:]}"
        assert "--json" in out, script.name
    gpu_options = shown["gpu_generation.py"][0]
    assert "--random-full-size" in gpu_options and "--inputs" in gpu_options


# Runs a script with the modules a lent GPU machine lacks made unimportable.
WITHOUT_SIGNETS_SERVER_DEPENDENCIES = """
import runpy, sys
from importlib.abc import MetaPathFinder

class Unavailable(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"dlib", "django", "studio", "safety"}:
            raise ImportError(f"{name} is not on the GPU machine")

sys.meta_path.insert(0, Unavailable())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def gpu_bench(*options: str, blocked: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, str(BENCH / "gpu_generation.py"), *options]
    if blocked:
        command[1:1] = ["-c", WITHOUT_SIGNETS_SERVER_DEPENDENCIES]
    # no PATH: neither espeak-ng nor sox can be found, as on the GPU machine
    environment = {**os.environ, "PATH": "" if blocked else os.environ.get("PATH", "")}
    return subprocess.run(command, capture_output=True, text=True, timeout=300,
                          cwd=BENCH.parent, env=environment)


def test_gpu_bench_runs_from_saved_inputs_without_dlib_espeak_or_django(tmp_path):
    """tools/device_gpu_bench.sh's path: the inputs are made here, the bench runs there."""
    inputs = tmp_path / "inputs.npz"
    saved = gpu_bench("--save-inputs", str(inputs), "--seconds", "1")
    assert saved.returncode == 0, saved.stderr[-800:]
    assert inputs.stat().st_size < 1_000_000  # it travels within the 64 MiB a call takes
    run = gpu_bench("--tiny", "--inputs", str(inputs), "--seconds", "0.5", "--steps", "1",
                    "--runs", "1", "--device", "cpu", "--json", blocked=True)
    assert run.returncode == 0, run.stderr[-800:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert figures["frames"] == round(0.5 * 25) and figures["clip_seconds"] == 0.5
    assert figures["weights"] == "tiny random fixture" and figures["inputs"] == str(inputs)
    too_long = gpu_bench("--tiny", "--inputs", str(inputs), "--seconds", "2", "--runs", "1",
                         "--device", "cpu", blocked=True)
    assert too_long.returncode != 0 and "less than --seconds 2" in too_long.stderr


def test_gpu_bench_random_full_size_is_a_weight_source_of_its_own():
    both = gpu_bench("--random-full-size", "--tiny")
    assert both.returncode == 2 and "not allowed with" in both.stderr
