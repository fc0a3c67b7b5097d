from django.conf import settings
from django.db import models
from django.utils import timezone


class ReaderLanguage(models.Model):
    """The language a signed-in person last read Signet's pages in (what their browser asks
    for, or what they chose with the switch), so the mails a worker sends them later (a
    finished video, cases waiting for a moderator) are in the language they read, not the
    server's."""

    reader = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_language"
    )
    code = models.CharField(max_length=8, choices=settings.LANGUAGES)
    noted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.code
