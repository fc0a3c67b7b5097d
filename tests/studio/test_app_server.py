"""The web app under gunicorn, as bin/run and the Procfile start it."""

import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.worker_process import REPO_ROOT, worker_env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.django_db
def test_gunicorn_serves_pages_static_files_and_health(tmp_path, settings):
    port = _free_port()
    env = worker_env(
        settings.CELERY_BROKER_URL, SIGNET_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2"
    )
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:studio.gunicorn_config"],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, body = _get(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                assert server.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.3)
        assert status == 200 and b"Verify a file" in body
        assert (
            "gunicorn" in headers.get("Server", "").lower() or "Booting worker" in log.read_text()
        )
        assert len(set(headers)) and headers.get("X-Request-ID")
        status, headers, body = _get(f"http://127.0.0.1:{port}/favicon.ico")
        assert status == 200 and headers["Content-Type"] in {
            "image/x-icon",
            "image/vnd.microsoft.icon",
        }
        assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file, served by WhiteNoise
        status, _, body = _get(f"http://127.0.0.1:{port}/no-such-page/")
        assert status == 404
    finally:
        server.terminate()
        server.wait(timeout=30)
