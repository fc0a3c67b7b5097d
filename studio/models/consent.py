import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from studio.models.paths import consent_recording_path


class ConsentChallenge(models.Model):
    """What the server asked one browser session to do on camera: a single-use nonce, the
    one-time code to read aloud, and the actions revealed at set moments of the recording.
    The code checked later is this one, never one the browser sends back."""

    nonce = models.CharField(max_length=64, unique=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_challenges"
    )
    session_key = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=8, default="en")
    code = models.CharField(max_length=12)
    steps = models.JSONField(default=list)
    seconds = models.FloatField()
    issued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"consent challenge {self.nonce[:8]}…"


class ConsentRecord(models.Model):
    """What the creator agreed to, how, and until when. Revocation takes effect at once.

    Only a record whose recording passed the liveness checks (`verified`) or that a moderator
    approved (`approved`) lets jobs run; a `held` one waits for a moderator. A creator has at
    most one active (unrevoked) record that is not held, and at most one unrevoked held one: a
    renewal waiting for a moderator leaves valid consent in force until the moderator approves
    it (it then supersedes the old record) or rejects it (the old record stays)."""

    class Verification(models.TextChoices):
        VERIFIED = "verified", "Passed the liveness and spoken-code checks"
        HELD = "held", "Waiting for a moderator"
        APPROVED = "approved", "Approved by a moderator"
        REJECTED = "rejected", "Rejected by a moderator"
        UNVERIFIED = "unverified", "Recorded before liveness checks existed"

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
    # Set when the creator was told this consent runs out soon, so they are told once.
    expiry_warned_at = models.DateTimeField(null=True, blank=True)
    challenge = models.OneToOneField(
        ConsentChallenge, null=True, blank=True, on_delete=models.SET_NULL, related_name="record"
    )
    language = models.CharField(max_length=8, default="en")
    verification = models.CharField(
        max_length=12, choices=Verification.choices, default=Verification.HELD
    )
    liveness_report = models.JSONField(null=True, blank=True)
    recording_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    # 256-bit perceptual hashes of the recording's frames (hex), to recognise a replay.
    frame_hashes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["creator"],
                condition=Q(revoked_at__isnull=True) & ~Q(verification="held"),
                name="one_active_consent_per_creator",
            ),
            models.UniqueConstraint(
                fields=["creator"],
                condition=Q(revoked_at__isnull=True, verification="held"),
                name="one_held_consent_per_creator",
            ),
        ]

    def __str__(self) -> str:
        return f"consent {self.public_id} ({self.statement_version})"

    @property
    def lets_jobs_run(self) -> bool:
        return self.verification in (self.Verification.VERIFIED, self.Verification.APPROVED)
