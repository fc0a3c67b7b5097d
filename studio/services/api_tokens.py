"""Creators' personal API tokens: made and revoked by the creator, each step in the audit log."""

from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from studio.errors import AlreadyDone, InputRefused, NotAllowed, NotFound
from studio.models import ApiToken
from studio.services.accounts import creator_lock
from studio.services.audit import audit_record
from studio.services.notifications import (
    creator_email_once,
    creators_day,
    creators_moment,
    site_link,
)

# Enough for a few machines and scripts; more usually means old keys nobody revokes.
MOST_LIVE_TOKENS = 10
# What a creator may choose; no key lives for ever.
TOKEN_LIFETIME_DAYS = (30, 90, 365)
DEFAULT_TOKEN_LIFETIME_DAYS = 90
# Long enough to replace a key in a script that runs weekly.
EXPIRY_WARNING = timedelta(days=7)


@transaction.atomic
def api_token_create(
    *,
    creator,
    label: str,
    lifetime_days: int = DEFAULT_TOKEN_LIFETIME_DAYS,
    form_submission: str = "",
) -> tuple[ApiToken, str]:
    """A new token and its key. The key exists only in this return value: store it nowhere.

    `form_submission` names the form that asked; the same name again raises AlreadyDone with
    the token it made (its key cannot be shown again), so a re-sent form makes no second token."""
    if lifetime_days not in TOKEN_LIFETIME_DAYS:
        raise InputRefused(
            _("A token lives %(choices)s days.")
            % {"choices": ", ".join(str(days) for days in TOKEN_LIFETIME_DAYS)}
        )
    now = timezone.now()
    # Locking the creator's row makes two simultaneous requests count one after the other.
    creator_lock(creator)
    form_submission = form_submission[:64]
    made = form_submission and (
        ApiToken.objects.filter(creator=creator, form_submission=form_submission).first()
    )
    if made:
        raise AlreadyDone(
            _(
                "This form was already sent, and it made the token “%(label)s” listed above. Its "
                "key was shown only once, on the page that answered it; if you did not copy it, "
                "revoke that token and make a new one."
            )
            % {"label": made.label},
            extra={"token": str(made.public_id)},
        )
    # Expired tokens stay listed so the creator sees why a script stopped, but are not live.
    if ApiToken.objects.filter(creator=creator, expires_at__gt=now).count() >= MOST_LIVE_TOKENS:
        raise NotAllowed(
            _(
                "You have %(count)d API tokens, the most allowed. "
                "Revoke one you no longer use before making another."
            )
            % {"count": MOST_LIVE_TOKENS}
        )
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        creator=creator,
        key_sha256=ApiToken.hash_key(key),
        label=label.strip()[:100],
        expires_at=now + timedelta(days=lifetime_days),
        form_submission=form_submission or None,
    )
    audit_record(
        "api_token.created",
        actor=creator,
        subject=token,
        details={"label": token.label, "expires_at": token.expires_at.isoformat()},
    )
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


def api_tokens_warn_expiring() -> int:
    """E-mail each creator once about each live token that expires within EXPIRY_WARNING.
    Returns how many mails went out. Safe to run from two beat processes at once."""
    now = timezone.now()
    due = (
        ApiToken.objects.filter(
            expires_at__gt=now,
            expires_at__lte=now + EXPIRY_WARNING,
            expiry_warned_at__isnull=True,
            creator__is_active=True,
        )
        .select_related("creator")
        .order_by("expires_at")
    )
    return sum(
        creator_email_once(
            token, marker="expiry_warned_at", now=now, words=partial(_expiry_words, token)
        )
        for token in due
    )


def _expiry_words(token: ApiToken) -> tuple[str, str]:
    subject = _("your API token “%(label)s” expires on %(date)s") % {
        "label": token.label, "date": creators_day(token.expires_at)
    }
    body = _(
        "Your API token “%(label)s” stops working on %(date)s. Scripts that use it will "
        "then be refused. Make a new token on the API tokens page of your Signet account, "
        "put its key where the old one was, and revoke the old token."
    ) % {"label": token.label, "date": creators_moment(token.expires_at)}
    body += "\n\n" + _("Your API tokens page: %(link)s") % {"link": site_link("api_tokens")}
    return subject, body
