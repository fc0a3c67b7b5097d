import uuid

from django.db import models

from studio.models.paths import output_path


class OutputArtifact(models.Model):
    """A sealed output: watermarked, signed, read back. Created only by studio.services.publishing.

    It keeps the minimal provenance record (hashes, watermark, manifest, pseudonymous handle) that
    the public verifier needs even after the creator's account and personal data are gone.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    job = models.OneToOneField(
        "studio.GenerationJob", null=True, on_delete=models.SET_NULL, related_name="output"
    )
    file = models.FileField(upload_to=output_path, blank=True)
    poster = models.FileField(
        upload_to=output_path, blank=True, help_text="Sealed preview still (JPEG)."
    )
    poster_sha256 = models.CharField(max_length=64, blank=True)
    media_type = models.CharField(max_length=40, default="video/mp4")
    sha256 = models.CharField(max_length=64, db_index=True)
    size_bytes = models.PositiveBigIntegerField()
    duration_seconds = models.FloatField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    watermark_alg = models.CharField(max_length=60)
    watermark_id = models.BigIntegerField(unique=True)
    manifest_id = models.CharField(max_length=200, db_index=True)
    manifest = models.JSONField(help_text="The signed manifest as read back after sealing.")
    manifest_store = models.BinaryField(
        null=True,
        editable=False,
        help_text="The C2PA manifest store as embedded (served by manifests/{id}; outlives the "
        "video, which is erased with the creator's account).",
    )
    creator_handle = models.CharField(max_length=40, help_text="Pseudonym shown to the public.")
    status = models.CharField(
        max_length=20,
        default="under_review",
        help_text="What the verifier tells the world: released, under_review, rejected, revoked.",
    )
    published_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"output {self.public_id} ({self.status})"
