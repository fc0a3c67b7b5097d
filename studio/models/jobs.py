import uuid

from django.conf import settings
from django.db import models


class JobState(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    CHECKING = "checking", "Checking consent and identity"
    HELD = "held", "Held for review before rendering"
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    SEALING = "sealing", "Watermarking and signing"
    IN_REVIEW = "in_review", "Waiting for a moderator"
    RELEASED = "released", "Released"
    FAILED = "failed", "Failed"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"
    REVOKED = "revoked", "Revoked"


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
        permissions = [("submit_job", "Can submit generation jobs for their own face")]

    def __str__(self) -> str:
        return f"job {self.public_id} ({self.state})"

    @property
    def progress_fraction(self) -> float:
        if not self.progress_total:
            return 0.0
        return min(1.0, self.progress_done / self.progress_total)
