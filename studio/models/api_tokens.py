import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """A creator's personal API token; only its SHA-256 is stored."""

    # What pages and the audit log name a token by: a guessable pk would let one creator probe
    # for another's tokens.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_sha256 = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Written at most once a minute (studio/api/auth.py), so it is accurate to about a minute.
    last_used_at = models.DateTimeField(null=True, blank=True)
    # A key copied into a script outlives the creator's memory of it; a lifetime bounds what a
    # key lost that way can do.
    expires_at = models.DateTimeField()
    # Set when the creator was told the token expires soon, so they are told once.
    expiry_warned_at = models.DateTimeField(null=True, blank=True)
    # The tokens page's form names each rendering of itself: a re-sent form (a reload, a double
    # click) finds the token it already made instead of making a second one.
    form_submission = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "form_submission"], name="one_token_per_form_submission"
            )
        ]

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "sgt_" + secrets.token_urlsafe(32)
