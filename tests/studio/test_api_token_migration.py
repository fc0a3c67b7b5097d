"""Migration 0006 gives tokens made before it each their own public id; their keys keep working."""

from tests.studio.old_api_tokens import API_ANSWERS, upgraded
from tests.studio.test_embedded_default import embedded_env  # noqa: F401

KEYS = ("sgt_made-before-the-upgrade-1", "sgt_made-before-the-upgrade-2")

WRITE_OLD_TOKENS = f"""
with connection.cursor() as cursor:
    for key in {KEYS!r}:
        cursor.execute(
            "INSERT INTO studio_apitoken (creator_id, key_sha256, label, created_at)"
            " VALUES (%s, %s, %s, %s)",
            [user.pk, ApiToken.hash_key(key), "old", timezone.now()],
        )
"""

REPORT = API_ANSWERS.format(keys=KEYS) + """
from studio.models import ApiToken
ids = set(ApiToken.objects.values_list("public_id", flat=True))
print(len(ids), None in ids, *answers)
"""


def test_tokens_made_before_the_upgrade_get_their_own_ids_and_keep_working(embedded_env):  # noqa: F811
    words = upgraded(
        embedded_env, from_migration="0005", write_old_rows=WRITE_OLD_TOKENS, report=REPORT
    )
    assert words == ["2", "False", "404", "404"]
