"""Headers a browser enforces: a Content-Security-Policy with no inline script, no caching of
personal pages and files; and production settings that pass `check --deploy` with no warning."""

import os
import secrets
import subprocess
import sys

import pytest

from studio.models import GenerationJob
from studio.services.jobs import job_render
from tests.studio.factories import submit_job
from tests.studio.test_embedded_default import REPO_ROOT

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_carries_a_policy_without_inline_or_eval_script(client):
    for path in ("/", "/verify/", "/accounts/login/", "/accounts/signup/"):
        policy = _policy(client.get(path))
        assert policy["script-src"] == ["'self'"], path
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]


def test_pages_have_no_inline_script(creator_client):
    for path in ("/", "/verify/", "/dashboard/", "/jobs/new/", "/enrol/"):
        page = creator_client.get(path).content.decode()
        for tag in page.split("<script")[1:]:
            assert tag.split(">")[0].strip().startswith("src="), (path, tag[:80])


def test_creator_pages_and_output_videos_are_never_cached(
    creator_client, consented_creator, tmp_path
):
    job = submit_job(consented_creator, tmp_path)
    job_render(job.pk)
    job = GenerationJob.objects.get(pk=job.pk)
    for path in (
        "/dashboard/",
        f"/jobs/{job.public_id}/",
        f"/jobs/{job.public_id}/status",
        f"/outputs/{job.output.public_id}/video.mp4",
        f"/outputs/{job.output.public_id}/poster.jpg",
    ):
        response = creator_client.get(path)
        assert response.status_code == 200, path
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, (path, directives)


def test_public_pages_may_be_cached(client):
    assert "no-store" not in client.get("/verify/").get("Cache-Control", "")


def test_check_deploy_with_production_settings_prints_no_warning():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "studio.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "signet.example.org",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO=https",
        "REDIS_CACHE_URL": "redis://127.0.0.1:6379/0",  # not connected to by `check`
    }
    run = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "System check identified no issues (0 silenced)." in run.stdout
    metrics_open = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.conf import settings; print(settings.SIGNET_METRICS_OPEN)"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert metrics_open.stdout.split()[-1] == "False", metrics_open.stderr  # /metrics is closed
    # Without a shared cache the check says so: rate limits would count per process.
    env.pop("REDIS_CACHE_URL")
    local = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "signet.W001" in local.stdout + local.stderr
