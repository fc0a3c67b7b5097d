import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from studio.models.paths import consent_recording_path


class ConsentRecord(models.Model):
    """What the creator agreed to, how, and until when. Revocation takes effect at once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="consent_records",
    )
    statement_version = models.CharField(max_length=20)
    statement_text = models.TextField()
    statement_sha256 = models.CharField(max_length=64)
    scope = models.CharField(max_length=80, default="personal_avatar_videos_of_own_face")
    signature_name = models.CharField(max_length=200, help_text="Full name typed as a signature.")
    one_time_code = models.CharField(max_length=12)
    recording = models.FileField(upload_to=consent_recording_path, blank=True)
    recording_face_check = models.JSONField(null=True, blank=True)
    spoken_code_check = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(blank=True)
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"consent {self.public_id} ({self.statement_version})"
