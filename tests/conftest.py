"""Suite-wide set-up: real services in CI, a development signing chain, a real Celery worker."""

import os
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.worker_process import celery_worker_process, worker_env

REPO_ROOT = Path(__file__).resolve().parents[1]


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    """In CI a missing PostgreSQL, Redis or S3 server fails the run instead of quietly testing less
    (bin/test starts all three)."""
    if os.environ.get("CI") != "true":
        return
    database_url = os.environ.get("DATABASE_URL", "")
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    problems = []
    if not database_url.startswith("postgres") or not _reachable(database_url, 5432):
        problems.append(f"PostgreSQL (DATABASE_URL={database_url or 'unset'})")
    if not broker_url.startswith("redis") or not _reachable(broker_url, 6379):
        problems.append(f"Redis (CELERY_BROKER_URL={broker_url or 'unset'})")
    s3_endpoint = os.environ.get("SIGNET_TEST_S3_ENDPOINT", "")
    if not s3_endpoint or not _reachable(s3_endpoint, 80):
        problems.append(f"the S3 server (SIGNET_TEST_S3_ENDPOINT={s3_endpoint or 'unset'})")
    if problems:
        pytest.exit(
            "CI requires real services, not reachable: " + ", ".join(problems), returncode=1
        )


@pytest.fixture(scope="session", autouse=True)
def _signing_chain():
    """A development chain in the test keys folder (outside the repository)."""
    from django.conf import settings

    if not settings.configured:
        return
    from django.core.management import call_command

    call_command("create_signing_chain", "--if-missing", stdout=open(os.devnull, "w"))


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real Celery worker process on the configured broker and the test database."""
    from django.conf import settings

    env = worker_env(settings.CELERY_BROKER_URL)
    _purge_broker(settings.CELERY_BROKER_URL)
    with celery_worker_process(env, Path(settings.VAR_DIR) / "worker.log") as process:
        yield process


def _purge_broker(url: str) -> None:
    from studio.celery_app import app

    try:
        app.control.purge()
    except Exception:  # an empty or brand-new broker has nothing to purge
        pass
