"""Sign-up by e-mail link, so the sign-up page never tells who has an account.

Step 1 takes an e-mail address and always answers the same ("check your inbox"). A new address
gets a link to finish signing up; an address that already has an account gets a note saying so
(with the links to log in and to change the password). Step 2, the link, sets the password and
creates the account. The link is a signed, timed token naming the address: it proves the person
reads that inbox, and once the account exists it cannot create another.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError
from django.urls import reverse
from django.utils.translation import gettext as _

from studio.errors import NotAllowed
from studio.rate_limits import rate_limit_exceeded_for
from studio.services.accounts import creator_create

_SALT = "signet.signup"


def signup_request(*, email: str, base_url: str) -> None:
    """Send the right e-mail to `email`; the caller shows the same page whatever happens."""
    email = email.strip().lower()
    if rate_limit_exceeded_for(email, "signup_mails"):
        # Silently: the page answers the same either way, and the inbox's owner has had enough.
        return
    if get_user_model().objects.filter(username=email).exists():
        send_mail(
            _("Your Signet account"),
            _(
                "Someone (perhaps you) asked to sign up to Signet with this e-mail address, "
                "which already has an account. Log in at %(login)s; if you forgot your "
                "password, choose a new one at %(reset)s. If this was not you, you can ignore "
                "this message."
            )
            % {
                "login": base_url + reverse("login"),
                "reset": base_url + reverse("password_reset"),
            },
            None,
            [email],
        )
        return
    token = signing.dumps({"email": email}, salt=_SALT)
    send_mail(
        _("Finish signing up to Signet"),
        _(
            "Open this link to choose your password and finish signing up: %(link)s\n"
            "It works for %(hours)d hours. If you did not ask for this, ignore this message."
        )
        % {
            "link": base_url + reverse("signup_finish", kwargs={"token": token}),
            "hours": settings.SIGNET_SIGNUP_LINK_HOURS,
        },
        None,
        [email],
    )


def signup_link_email(token: str) -> str:
    """The e-mail a sign-up link was sent to, if the link is genuine, unexpired and unused."""
    try:
        email = signing.loads(token, salt=_SALT, max_age=settings.SIGNET_SIGNUP_LINK_HOURS * 3600)[
            "email"
        ]
    except (signing.BadSignature, KeyError, TypeError) as error:
        raise NotAllowed(_("This sign-up link is not valid or has expired.")) from error
    if get_user_model().objects.filter(username=email).exists():
        raise NotAllowed(_("This sign-up link was already used. Log in instead."))
    return email


def signup_finish(*, token: str, password: str):
    email = signup_link_email(token)
    try:
        return creator_create(email=email, password=password)
    except IntegrityError as error:  # the same link opened twice at once
        raise NotAllowed(_("This sign-up link was already used. Log in instead.")) from error
