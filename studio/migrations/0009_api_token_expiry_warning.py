from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("studio", "0008_api_token_expiry")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expiry_warned_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
