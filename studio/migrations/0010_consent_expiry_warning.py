from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("studio", "0009_api_token_expiry_warning")]

    operations = [
        migrations.AddField(
            model_name="consentrecord",
            name="expiry_warned_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
