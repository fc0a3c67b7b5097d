"""A renewal held for a moderator no longer ends the creator's valid consent at once.

Before, one creator had at most one unrevoked consent record. Now the consent in force and one
renewal waiting for a moderator (held) can both be unrevoked: at most one of each. Existing rows
satisfy both constraints (they had at most one unrevoked record of any kind)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("studio", "0011_api_token_form_submission"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="consentrecord",
            name="one_active_consent_per_creator",
        ),
        migrations.AddConstraint(
            model_name="consentrecord",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("revoked_at__isnull", True),
                    models.Q(("verification", "held"), _negated=True),
                ),
                fields=("creator",),
                name="one_active_consent_per_creator",
            ),
        ),
        migrations.AddConstraint(
            model_name="consentrecord",
            constraint=models.UniqueConstraint(
                condition=models.Q(("revoked_at__isnull", True), ("verification", "held")),
                fields=("creator",),
                name="one_held_consent_per_creator",
            ),
        ),
    ]
