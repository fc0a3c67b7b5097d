from django.conf import settings
from django.db import models

from studio.models.paths import selfie_path


class EnrolledIdentity(models.Model):
    """The face a creator enrolled: the only face Signet will animate for them."""

    creator = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolled_identity"
    )
    selfie = models.FileField(upload_to=selfie_path)
    embedding = models.JSONField(help_text="Face descriptor of the selfie, as a list of floats.")
    face_backend = models.CharField(max_length=40)
    enrolled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "enrolled identities"

    def __str__(self) -> str:
        return f"identity of {self.creator}"
