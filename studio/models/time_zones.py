from django.conf import settings
from django.db import models
from django.utils import timezone


class CreatorTimeZone(models.Model):
    """The time zone a creator's browser last reported, so mails sent by a worker (no browser,
    no cookie) give dates on the creator's clock: a token ending 02:00 UTC on the 6th ends on the
    evening of the 5th in New York."""

    creator = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_zone"
    )
    name = models.CharField(max_length=64)
    reported_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name
