"""A forgotten password, reset by a link e-mailed to the account's address.

The request page answers the same whether or not the address has an account. The link is
Django's password-reset token: timed (PASSWORD_RESET_TIMEOUT) and void once the password changes
or the account logs in. Moderators and staff get no link: their password is one of two factors,
and an inbox alone must not replace it; an administrator resets theirs.
"""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from studio.rate_limits import rate_limit_exceeded_for
from studio.services.audit import audit_record
from studio.services.notifications import readers_locale
from studio.services.two_factor import second_factor_required_for


def password_reset_request(*, email: str, base_url: str) -> None:
    """Mail a reset link to the account at `email`, if there is one; the caller shows the same
    page whatever happens."""
    email = email.strip().lower()
    # One budget per inbox with the sign-up mails: a crowd of clients must not flood it.
    if rate_limit_exceeded_for(email, "signup_mails"):
        return
    user = get_user_model().objects.filter(username=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    with readers_locale(user, otherwise=translation.get_language()):
        if second_factor_required_for(user):
            send_mail(
                _("Your Signet password"),
                _(
                    "Someone (perhaps you) asked to reset the password of this account. The "
                    "passwords of moderator and staff accounts are not reset by e-mail: ask a "
                    "Signet administrator. If this was not you, you can ignore this message."
                ),
                None,
                [user.email or email],
            )
            return
        link = base_url + reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        send_mail(
            _("Reset your Signet password"),
            _(
                "Open this link to choose a new password: %(link)s\n"
                "It works once, for %(hours)d hours. If you did not ask for this, ignore this "
                "message: your password stays as it is."
            )
            % {"link": link, "hours": settings.PASSWORD_RESET_TIMEOUT // 3600},
            None,
            [user.email or email],
        )


def password_reset_completed(*, user) -> None:
    """After the new password is saved: the audit log says so, and a lockout from failed logins
    (perhaps the very reason for the reset) is lifted for this account."""
    audit_record("account.password_reset", actor=user, subject=user, details={})
    axes_reset(username=user.username)
