"""Upgrade tests for API tokens: rows written as an older schema held them, then `migrate`."""

from tests.studio.test_embedded_default import _manage

# At the older migrations the auth tables are still as auth's early migrations left them.
OLD_CREATOR = """
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from studio.models import ApiToken
user = get_user_model().objects.create_user(
    username="old@example.com", password="x", last_login=timezone.now()
)
"""

# What the job API answers each key after the upgrade: 404 (the key works, the job is unknown).
API_ANSWERS = """
from django.test import Client
answers = [
    Client().get("/api/v1/jobs/00000000-0000-0000-0000-000000000000",
                 HTTP_AUTHORIZATION="Bearer " + key, HTTP_HOST="localhost").status_code
    for key in {keys!r}
]
"""


def upgraded(env, *, from_migration: str, write_old_rows: str, report: str) -> list[str]:
    """Migrate to ``from_migration``, run ``write_old_rows`` after OLD_CREATOR, migrate to the
    newest schema, run ``report``; returns the words of the report's last line."""
    assert _manage(env, "migrate", "studio", from_migration, "--noinput").returncode == 0
    wrote = _manage(env, "shell", "-c", OLD_CREATOR + write_old_rows)
    assert wrote.returncode == 0, wrote.stderr[-2000:]
    migrated = _manage(env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    checked = _manage(env, "shell", "-c", report)
    assert checked.returncode == 0, checked.stderr[-2000:]
    return checked.stdout.strip().splitlines()[-1].split()
