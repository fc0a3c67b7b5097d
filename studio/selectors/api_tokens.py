from django.db.models import QuerySet

from studio.models import ApiToken


def api_tokens_for_creator(creator) -> QuerySet[ApiToken]:
    """The creator's own tokens, newest first; the key hash stays out of what pages get."""
    return (
        ApiToken.objects.filter(creator=creator)
        .only("public_id", "label", "created_at", "last_used_at", "expires_at")
        .order_by("-created_at")
    )
