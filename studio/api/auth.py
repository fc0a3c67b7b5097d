"""Personal API tokens: `Authorization: Bearer <token>`; only their SHA-256 is stored."""

from ninja.security import HttpBearer

from studio.errors import ApplicationError
from studio.models import ApiToken


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
            raise Unauthenticated("This API token is not valid.")
        request.user = found.creator  # the services and the log lines see the creator
        return found.creator
