"""With no DATABASE_URL and no CELERY_BROKER_URL, Signet runs on SQLite and a serverless broker,
with a real worker process rendering the job (no eager mode, no mocks)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.worker_process import celery_worker_process

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def embedded_env(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "MEDIA_ROOT", "SIGNET_KEYS_DIR"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="studio.settings.base",
        DJANGO_SECRET_KEY="embedded-test-secret",
        SIGNET_VAR_DIR=str(tmp_path / "var"),
        SIGNET_HOLD_FIRST_JOBS="0",
        PYTHONPATH=str(REPO_ROOT),
    )
    return env


def _manage(env, *args, timeout=300):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_job_completes_on_sqlite_and_the_sqlite_broker(embedded_env, tmp_path):
    assert _manage(embedded_env, "migrate", "--noinput").returncode == 0
    assert _manage(embedded_env, "create_signing_chain").returncode == 0
    health = _manage(
        embedded_env,
        "shell",
        "-c",
        "from django.conf import settings;print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL)",
    )
    engine, broker = health.stdout.strip().splitlines()[-1].split()
    assert engine == "django.db.backends.sqlite3" and broker.startswith("sqla+sqlite:///")

    with celery_worker_process(embedded_env, tmp_path / "worker.log"):
        script = (REPO_ROOT / "tests" / "studio" / "embedded_job.py").read_text()
        run = _manage(embedded_env, "shell", "-c", script)
        assert run.returncode == 0, run.stderr[-3000:]
        result = json.loads(run.stdout.strip().splitlines()[-1])
        assert result["state"] == "released", (
            result,
            (tmp_path / "worker.log").read_text()[-3000:],
        )
        assert abs(result["duration"] - result["audio_seconds"]) <= 0.04 + 1e-6
        assert (
            "studio.tasks.job_render" in (tmp_path / "worker.log").read_text()
        )  # the worker did it
