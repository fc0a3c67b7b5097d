"""Selfies, consent recordings, portraits, audio and outputs are biometric or personal data:
readable by Signet's own user only (files 0600, folders 0700), and so is the SQLite database."""

import os
import stat
from pathlib import Path

import pytest
from django.conf import settings

from studio.models import GenerationJob, JobState
from studio.services.jobs import job_render
from tests.studio.factories import submit_job
from tests.studio.test_embedded_default import _manage, embedded_env  # noqa: F401


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.django_db
def test_uploads_and_outputs_are_private_files_in_private_folders(consented_creator, tmp_path):
    old_umask = os.umask(0o022)  # the usual umask: the settings must not rely on a strict one
    try:
        job = submit_job(consented_creator, tmp_path)
        job_render(job.pk)
    finally:
        os.umask(old_umask)
    assert GenerationJob.objects.get(pk=job.pk).state == JobState.RELEASED
    root = Path(settings.MEDIA_ROOT)
    files = [path for path in root.rglob("*") if path.is_file()]
    folders = [path for path in root.rglob("*") if path.is_dir()]
    kinds = {path.relative_to(root).parts[1] for path in files}  # private/<kind>/...
    assert {"selfies", "consent", "portraits", "audio", "outputs"} <= kinds, kinds
    assert {str(p.relative_to(root)): oct(_mode(p)) for p in files if _mode(p) != 0o600} == {}
    assert {str(p.relative_to(root)): oct(_mode(p)) for p in folders if _mode(p) != 0o700} == {}


def test_the_embedded_sqlite_database_is_private(embedded_env, tmp_path):  # noqa: F811
    old_umask = os.umask(0o022)
    try:
        assert _manage(embedded_env, "migrate", "--noinput").returncode == 0
    finally:
        os.umask(old_umask)
    var = Path(embedded_env["SIGNET_VAR_DIR"])
    database = var / "signet.sqlite3"
    assert _mode(database) == 0o600
    for sidecar in (var / "signet.sqlite3-wal", var / "signet.sqlite3-shm"):
        if sidecar.exists():
            assert _mode(sidecar) == 0o600
    assert _mode(var) == 0o700
