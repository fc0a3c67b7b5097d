"""Starting and stopping a real Celery worker process for tests."""

import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def celery_worker_process(env: dict, log_path: Path, *, start_timeout: float = 60.0):
    """Run `celery -A studio worker` on both queues until the block ends; fail loudly if it won't start."""
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "studio", "worker", "-Q", "cpu,gpu", "-c", "1",
             "--without-mingle", "--without-gossip", "--loglevel=INFO"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + start_timeout
            while "ready." not in log_path.read_text():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "The Celery worker did not start:\n" + log_path.read_text()[-3000:]
                    )
                time.sleep(0.3)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
