import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    CHECKING = "checking", _("Checking consent and identity")
    HELD = "held", _("Held for review before rendering")
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    SEALING = "sealing", _("Watermarking and signing")
    IN_REVIEW = "in_review", _("Waiting for a moderator")
    RELEASED = "released", _("Released")
    FAILED = "failed", _("Failed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    REVOKED = "revoked", _("Revoked")


class GenerationJob(models.Model):
    """One request to animate a portrait with an audio clip.

    Its state changes only through studio.services.job_transitions, which enforces the allowed
    transitions and writes each one to the audit log.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    portrait = models.ForeignKey(
        "studio.Portrait", null=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    audio = models.ForeignKey(
        "studio.AudioClip", null=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    consent = models.ForeignKey(
        "studio.ConsentRecord",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    state = models.CharField(max_length=20, choices=JobState.choices, default=JobState.SUBMITTED)
    renderer = models.CharField(max_length=40)
    label_corner = models.CharField(max_length=20, default="bottom-right")
    # The visible label's words: "en" AI-generated, "de" KI-generiert (safety.disclosure).
    label_language = models.CharField(max_length=8, default="en")
    audio_seconds = models.FloatField(default=0.0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    gate_report = models.JSONField(null=True, blank=True)
    identity_distance = models.FloatField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    watermark_id = models.BigIntegerField(null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "heartbeat_at"])]
        permissions = [("submit_job", _("Can submit generation jobs for their own face"))]

    def __str__(self) -> str:
        return f"job {self.public_id} ({self.state})"

    @property
    def progress_fraction(self) -> float:
        if not self.progress_total:
            return 0.0
        return min(1.0, self.progress_done / self.progress_total)
