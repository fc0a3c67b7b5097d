from django.conf import settings
from django.db import models

from studio.models.paths import audio_path, portrait_path


class Portrait(models.Model):
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="portraits"
    )
    image = models.FileField(upload_to=portrait_path, blank=True)
    sha256 = models.CharField(max_length=64)
    media_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    face = models.JSONField(
        null=True, blank=True, help_text="Box, 68 landmarks and descriptor found by the gate."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"portrait {self.pk}"


class AudioClip(models.Model):
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="audio_clips"
    )
    file = models.FileField(upload_to=audio_path, blank=True)
    sha256 = models.CharField(max_length=64)
    media_type = models.CharField(max_length=40)
    codec = models.CharField(max_length=40)
    duration_seconds = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"audio {self.pk} ({self.duration_seconds:.1f} s)"
