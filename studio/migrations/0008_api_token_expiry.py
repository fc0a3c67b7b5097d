from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone

# Tokens made before expiry existed get this long from the upgrade, not from when they were made:
# a script that worked yesterday keeps working while its owner learns that keys now expire.
GRACE_FOR_EARLIER_TOKENS = timedelta(days=90)


def give_earlier_tokens_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("studio", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + GRACE_FOR_EARLIER_TOKENS
    )


class Migration(migrations.Migration):
    dependencies = [("studio", "0007_output_manifest_store")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(give_earlier_tokens_an_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
