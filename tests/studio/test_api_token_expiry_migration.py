"""Migration 0008: tokens made before keys expired keep working, for 90 days from the upgrade."""

from tests.studio.old_api_tokens import API_ANSWERS, upgraded
from tests.studio.test_embedded_default import embedded_env  # noqa: F401

KEYS = ("sgt_made-before-expiry-1", "sgt_made-before-expiry-2")

WRITE_OLD_TOKENS = f"""
import uuid
from datetime import timedelta
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

REPORT = API_ANSWERS.format(keys=KEYS) + """
from django.utils import timezone
from studio.models import ApiToken
days_left = sorted((t.expires_at - timezone.now()).days for t in ApiToken.objects.all())
print(*days_left, *answers)
"""


def test_tokens_made_before_expiry_existed_work_for_ninety_more_days(embedded_env):  # noqa: F811
    words = upgraded(
        embedded_env, from_migration="0007", write_old_rows=WRITE_OLD_TOKENS, report=REPORT
    )
    assert words == ["89", "89", "404", "404"]
