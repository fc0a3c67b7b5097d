"""Migration 0008: tokens made before keys expired keep working, for 90 days from the upgrade."""

from tests.studio.test_embedded_default import _manage, embedded_env  # noqa: F401

KEYS = ("sgt_made-before-expiry-1", "sgt_made-before-expiry-2")

WRITE_OLD_TOKENS = f"""
import uuid
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from studio.models import ApiToken
user = get_user_model().objects.create_user(
    username="old@example.com", password="x", last_login=timezone.now()
)
with connection.cursor() as cursor:
    for key in {KEYS!r}:
        # Made a year ago: counting the lifetime from then would cut the key off at the upgrade.
        cursor.execute(
            "INSERT INTO studio_apitoken (creator_id, key_sha256, label, created_at, public_id)"
            " VALUES (%s, %s, %s, %s, %s)",
            [user.pk, ApiToken.hash_key(key), "old", timezone.now() - timedelta(days=365),
             uuid.uuid4().hex],
        )
"""

CHECK = f"""
from django.test import Client
from django.utils import timezone
from studio.models import ApiToken
days_left = sorted((t.expires_at - timezone.now()).days for t in ApiToken.objects.all())
answers = [
    Client().get("/api/v1/jobs/00000000-0000-0000-0000-000000000000",
                 HTTP_AUTHORIZATION="Bearer " + key, HTTP_HOST="localhost").status_code
    for key in {KEYS!r}
]
print(*days_left, *answers)
"""


def test_tokens_made_before_expiry_existed_work_for_ninety_more_days(embedded_env):  # noqa: F811
    assert _manage(embedded_env, "migrate", "studio", "0007", "--noinput").returncode == 0
    wrote = _manage(embedded_env, "shell", "-c", WRITE_OLD_TOKENS)
    assert wrote.returncode == 0, wrote.stderr[-2000:]
    migrated = _manage(embedded_env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    checked = _manage(embedded_env, "shell", "-c", CHECK)
    assert checked.returncode == 0, checked.stderr[-2000:]
    assert checked.stdout.strip().splitlines()[-1].split() == ["89", "89", "404", "404"]
