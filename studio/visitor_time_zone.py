"""Times on pages in the visitor's own time zone.

Django renders datetimes in the active time zone, UTC unless told otherwise; a creator in Berlin
read "04:34" for a video made at 05:34 their time. The browser knows its zone
(`Intl.DateTimeFormat().resolvedOptions().timeZone`); static/studio/time_zone.js keeps it in a
cookie, and this middleware activates it for the request. The cookie is the visitor's own
word, so only names of real zones count; anything else leaves UTC.

A signed-in visitor's zone is also stored (once per session and zone), for the mails a worker
sends them later.
"""

import zoneinfo
from functools import cache

from django.utils import timezone

from studio.services.time_zones import creator_time_zone_note
from studio.session_notes import note_once_per_session

TIME_ZONE_COOKIE = "signet_tz"
NOTED_IN_SESSION = "signet_tz_noted"


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def visitor_time_zone(request) -> zoneinfo.ZoneInfo | None:
    name = request.COOKIES.get(TIME_ZONE_COOKIE, "")
    if name not in _known_zones():
        return None
    return zoneinfo.ZoneInfo(name)


class VisitorTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = visitor_time_zone(request)
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        if zone is not None:
            note_once_per_session(
                request,
                key=NOTED_IN_SESSION,
                value=zone.key,
                note=lambda creator, name: creator_time_zone_note(creator=creator, name=name),
            )
        return response
