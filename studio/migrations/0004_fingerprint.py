import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("studio", "0003_audit_chain_head")]

    operations = [
        migrations.CreateModel(
            name="OutputFingerprint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("algorithm", models.CharField(max_length=60)),
                (
                    "video_bits",
                    models.BinaryField(help_text="Packed 63-bit frame hashes, two a second."),
                ),
                (
                    "audio_bits",
                    models.BinaryField(help_text="Packed 16-bit audio codes, one per 32 ms."),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "artifact",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="fingerprint",
                        to="studio.outputartifact",
                    ),
                ),
            ],
        ),
    ]
