"""Logging a moderator or staff member in with the second factor, as the pages do it."""

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.studio.factories import PASSWORD


def totp_device(user) -> TOTPDevice:
    return TOTPDevice.objects.filter(
        user=user, confirmed=True
    ).first() or TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)


def totp_code(device: TOTPDevice) -> str:
    """The code an authenticator app holding the device's key shows now."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def login_with_second_factor(client, user, password: str = PASSWORD) -> None:
    """Password, then the TOTP code on the confirmation page."""
    assert client.login(username=user.username, password=password)
    response = client.post(
        "/accounts/two-factor/", {"code": totp_code(totp_device(user)), "next": "/moderation/"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
