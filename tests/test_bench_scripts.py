"""The benchmark scripts in bench/ still start: they are run by hand, so nothing else notices
when a helper they import is renamed (bench/gpu_generation.py imported a function
bench/generation_speed.py no longer had, and failed before measuring anything)."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_every_benchmark_script_imports_and_shows_its_options():
    scripts = sorted(path for path in BENCH.glob("[a-z]*.py"))
    assert len(scripts) >= 10
    for script in scripts:
        shown = subprocess.run(
            [sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120,
            cwd=BENCH.parent,
        )  # fmt: skip
        assert shown.returncode == 0, f"{script.name}: {shown.stderr[-800:]}"
        assert "--json" in shown.stdout, script.name
