"""Remembering the creator's clock for mails (the pages read the cookie on each request)."""

from django.utils import timezone

from studio.models import CreatorTimeZone


def creator_time_zone_note(*, creator, name: str) -> None:
    """Store `name` (a zone the caller has checked is real) as the creator's."""
    CreatorTimeZone.objects.update_or_create(
        creator=creator, defaults={"name": name, "reported_at": timezone.now()}
    )
