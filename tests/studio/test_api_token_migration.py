"""Migration 0006 gives tokens made before it each their own public id; their keys keep working."""

from tests.studio.test_embedded_default import _manage, embedded_env  # noqa: F401

KEYS = ("sgt_made-before-the-upgrade-1", "sgt_made-before-the-upgrade-2")

WRITE_OLD_TOKENS = f"""
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from studio.models import ApiToken
# At studio 0005 the auth tables are still as auth's early migrations left them.
user = get_user_model().objects.create_user(
    username="old@example.com", password="x", last_login=timezone.now()
)
with connection.cursor() as cursor:
    for key in {KEYS!r}:
        cursor.execute(
            "INSERT INTO studio_apitoken (creator_id, key_sha256, label, created_at)"
            " VALUES (%s, %s, %s, %s)",
            [user.pk, ApiToken.hash_key(key), "old", timezone.now()],
        )
"""

CHECK = f"""
from django.test import Client
from studio.models import ApiToken
ids = set(ApiToken.objects.values_list("public_id", flat=True))
answers = [
    Client().get("/api/v1/jobs/00000000-0000-0000-0000-000000000000",
                 HTTP_AUTHORIZATION="Bearer " + key, HTTP_HOST="localhost").status_code
    for key in {KEYS!r}
]
print(len(ids), None in ids, *answers)
"""


def test_tokens_made_before_the_upgrade_get_their_own_ids_and_keep_working(embedded_env):  # noqa: F811
    assert _manage(embedded_env, "migrate", "studio", "0005", "--noinput").returncode == 0
    wrote = _manage(embedded_env, "shell", "-c", WRITE_OLD_TOKENS)
    assert wrote.returncode == 0, wrote.stderr[-2000:]
    migrated = _manage(embedded_env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    checked = _manage(embedded_env, "shell", "-c", CHECK)
    assert checked.returncode == 0, checked.stderr[-2000:]
    assert checked.stdout.strip().splitlines()[-1].split() == ["2", "False", "404", "404"]
