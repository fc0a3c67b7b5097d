import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from studio.models.paths import gallery_path


class ModerationCase(models.Model):
    class Reason(models.TextChoices):
        IDENTITY_GREY_ZONE = "identity_grey_zone", _("Identity match in the grey zone")
        DO_NOT_ANIMATE = "do_not_animate", _("Matches the do-not-animate gallery")
        FIRST_OUTPUTS = "first_outputs", _("A new creator's first output")
        MISUSE_REPORT = "misuse_report", _("Public misuse report")
        RANDOM_SAMPLE = "random_sample", _("Random sample of released outputs")
        CONSENT_REVIEW = "consent_review", _("Consent evidence needs review")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLAIMED = "claimed", _("Claimed")
        RESOLVED = "resolved", _("Resolved")

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        BAN = "ban", _("Creator banned")
        GALLERY = "gallery", _("Face added to the do-not-animate gallery")
        DISMISS = "dismiss", _("Dismissed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    job = models.ForeignKey(
        "studio.GenerationJob",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_cases",
    )
    consent = models.ForeignKey(
        "studio.ConsentRecord",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_cases",
    )
    reason = models.CharField(max_length=30, choices=Reason.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    details = models.JSONField(default=dict, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_cases",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decided_cases",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the moderators were told this case waits, so each case is announced once.
    moderators_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        permissions = [
            ("review_case", _("Can claim and decide moderation cases")),
            ("manage_gallery", _("Can manage the do-not-animate gallery")),
        ]

    def __str__(self) -> str:
        return f"case {self.public_id} ({self.reason}, {self.state})"


class MisuseReport(models.Model):
    """A public report about a file Signet made; the reporter never learns who the creator is."""

    case = models.ForeignKey(ModerationCase, on_delete=models.CASCADE, related_name="reports")
    output = models.ForeignKey(
        "studio.OutputArtifact", null=True, on_delete=models.SET_NULL, related_name="reports"
    )
    message = models.TextField()
    contact = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class DoNotAnimateEntry(models.Model):
    """A person who must never be animated: public figures, people who filed a complaint."""

    label = models.CharField(max_length=200)
    photo = models.FileField(upload_to=gallery_path, blank=True)
    embedding = models.JSONField()
    face_backend = models.CharField(max_length=40)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    source_case = models.ForeignKey(
        ModerationCase, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "do-not-animate entries"

    def __str__(self) -> str:
        return self.label
