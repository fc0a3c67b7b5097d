"""Starting and stopping real Celery worker processes for tests."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def worker_env(broker_url: str, **extra: str) -> dict:
    """The environment of a worker that shares this test session's database."""
    from django.db import connection

    db = connection.settings_dict
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "studio.settings.test"
    if db["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        env["DATABASE_URL"] = f"postgres://{db['USER'] or ''}@{host}:{port}/{db['NAME']}"
    env["CELERY_BROKER_URL"] = broker_url
    # Transactional tests empty the tables between tests; a quick beat puts the worker back soon.
    env.setdefault("SIGNET_WORKER_HEARTBEAT_SECONDS", "1")
    env.update(extra)
    return env


@contextmanager
def celery_worker_process(env: dict, log_path: Path, *, start_timeout: float = 60.0):
    """Run `celery -A studio worker` on both queues until the block ends; fail loudly if it won't start.

    The worker and its pool child get a process group of their own, so a test can kill both at once.
    """
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "studio", "worker", "-Q", "cpu,gpu", "-c", "1",
             "--without-mingle", "--without-gossip", "--loglevel=INFO"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
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
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


def kill_worker(process: subprocess.Popen) -> None:
    """Kill the worker and the pool child running the task, as a crash or the OOM killer would."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
