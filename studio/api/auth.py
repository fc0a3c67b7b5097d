"""Personal API tokens: `Authorization: Bearer <token>`; only their SHA-256 is stored."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from studio.errors import ApplicationError
from studio.models import ApiToken
from studio.rate_limits import rate_limit_hit


class Unauthenticated(ApplicationError):
    status = 401
    code = "unauthenticated"


class CreatorToken(HttpBearer):
    def authenticate(self, request, token: str):
        found = (
            ApiToken.objects.select_related("creator")
            .filter(key_sha256=ApiToken.hash_key(token.strip()))
            .first()
        )
        if found is None or not found.creator.is_active:
            # Guessing tokens: every wrong one counts against the client's address.
            rate_limit_hit(request, "api_token_failure")
            raise Unauthenticated(_("This API token is not valid."))
        if found.is_expired:
            # Not counted as guessing: whoever sends it once held a real key.
            raise Unauthenticated(
                _(
                    "This API token expired on %(date)s. "
                    "Make a new one on your API tokens page, %(page)s."
                )
                % {
                    "date": date_format(found.expires_at, "DATE_FORMAT"),
                    "page": request.build_absolute_uri(reverse("api_tokens")),
                },
                code="token_expired",
            )
        _last_use_note(found)
        request.user = found.creator  # the services and the log lines see the creator
        return found.creator


# The tokens page only needs "when, roughly"; a write per request would tax every API call.
LAST_USE_PRECISION = timedelta(minutes=1)


def _last_use_note(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
