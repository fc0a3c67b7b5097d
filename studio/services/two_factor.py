"""Second factor (TOTP, django-otp) for moderators and staff.

Enrolment needs more than the password: an administrator issues a one-time enrolment link
(`manage.py two_factor_link --user EMAIL`) and hands it to the moderator apart from the password.
The link names one unconfirmed device of that account; it stops working once the device is
confirmed, when a newer link is issued, or after SIGNET_TWO_FACTOR_LINK_HOURS. So a password
thief cannot set up their own authenticator before the real moderator does.
"""

import django_otp
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from studio.errors import InputRefused, NotAllowed
from studio.roles import holds_moderator_role
from studio.services.audit import audit_record

_LINK_SALT = "signet.two-factor-enrolment"
ENROLMENT_DEVICE_NAME = "authenticator (enrolling)"


def second_factor_required_for(user) -> bool:
    return bool(user and user.is_authenticated and (holds_moderator_role(user) or user.is_staff))


def second_factor_needed(user) -> bool:
    """True for a moderator or staff member whose login is not confirmed with the second factor."""
    if not second_factor_required_for(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def two_factor_link_issue(*, user, issued_by=None) -> str:
    """A new one-time enrolment token for `user` (earlier unconfirmed devices are dropped)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name=ENROLMENT_DEVICE_NAME, confirmed=False)
    audit_record("two_factor.link_issued", actor=issued_by, subject=user)
    return signing.dumps({"u": user.pk, "d": device.pk}, salt=_LINK_SALT)


def two_factor_link_url(*, user, base_url: str) -> str:
    """The whole one-time enrolment address for `user` on the site served at `base_url`."""
    token = two_factor_link_issue(user=user)
    return base_url.rstrip("/") + reverse("two_factor_enrol", kwargs={"token": token})


def two_factor_enrolment_device(*, user, token: str) -> TOTPDevice:
    """The unconfirmed device a link names, if the link is this user's and still valid."""
    try:
        data = signing.loads(
            token, salt=_LINK_SALT, max_age=settings.SIGNET_TWO_FACTOR_LINK_HOURS * 3600
        )
    except signing.BadSignature as error:
        raise NotAllowed(_("This enrolment link is not valid or has expired.")) from error
    if data.get("u") != user.pk:
        raise NotAllowed(_("This enrolment link was issued for another account."))
    device = TOTPDevice.objects.filter(pk=data.get("d"), user=user, confirmed=False).first()
    if device is None:
        raise NotAllowed(
            _(
                "This enrolment link was already used or replaced. "
                "Ask an administrator for a new one."
            )
        )
    return device


@transaction.atomic
def two_factor_enrol_confirm(*, request, token: str, code: str) -> TOTPDevice:
    """Confirm the device with a code from the authenticator app and verify this login."""
    device = two_factor_enrolment_device(user=request.user, token=token)
    if not device.verify_token((code or "").strip()):
        raise InputRefused(_("That code is not right. Check your authenticator app's clock."))
    device.confirmed = True
    device.name = "authenticator"
    device.save(update_fields=["confirmed", "name"])
    django_otp.login(request, device)
    audit_record("two_factor.enrolled", actor=request.user, subject=request.user)
    return device


def two_factor_verify(*, request, code: str) -> None:
    """Confirm this login with a code from one of the user's confirmed devices."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        raise NotAllowed(
            _("Your account has no authenticator yet. Ask an administrator for an enrolment link.")
        )
    allowed = device.verify_is_allowed()[0]
    # verify_token counts failures and, after one, makes the device wait longer each time.
    if not allowed or not device.verify_token((code or "").strip()):
        audit_record("two_factor.refused", actor=request.user, subject=request.user)
        raise InputRefused(
            _("That code is not right, or too many wrong codes were tried: wait a little.")
        )
    django_otp.login(request, device)
