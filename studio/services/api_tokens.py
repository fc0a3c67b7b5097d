"""Creators' personal API tokens: made and revoked by the creator, each step in the audit log."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from studio.errors import NotAllowed, NotFound
from studio.models import ApiToken
from studio.services.audit import audit_record

# Enough for a few machines and scripts; more usually means old keys nobody revokes.
MOST_LIVE_TOKENS = 10


@transaction.atomic
def api_token_create(*, creator, label: str) -> tuple[ApiToken, str]:
    """A new token and its key. The key exists only in this return value: store it nowhere."""
    # Locking the creator's row makes two simultaneous requests count one after the other.
    get_user_model().objects.select_for_update().filter(pk=creator.pk).first()
    if ApiToken.objects.filter(creator=creator).count() >= MOST_LIVE_TOKENS:
        raise NotAllowed(
            _(
                "You have %(count)d API tokens, the most allowed. "
                "Revoke one you no longer use before making another."
            )
            % {"count": MOST_LIVE_TOKENS}
        )
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        creator=creator, key_sha256=ApiToken.hash_key(key), label=label.strip()[:100]
    )
    audit_record("api_token.created", actor=creator, subject=token, details={"label": token.label})
    return token, key


@transaction.atomic
def api_token_revoke(*, creator, token_public_id) -> None:
    """Delete one of the creator's own tokens; from then on its key is refused.
    Another creator's token is reported as not found, so its existence leaks nothing."""
    token = ApiToken.objects.filter(creator=creator, public_id=token_public_id).first()
    if token is None:
        raise NotFound(_("No such API token."))
    audit_record("api_token.revoked", actor=creator, subject=token, details={"label": token.label})
    token.delete()
