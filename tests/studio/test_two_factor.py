"""Moderators and staff need a second factor (TOTP); a stolen password is not enough."""

import re

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from studio.services.accounts import moderator_create
from tests.studio.factories import PASSWORD
from tests.studio.two_factor import login_with_second_factor, totp_code, totp_device

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    return moderator_create(email="mod@example.com", password=PASSWORD)


def _enrolment_link(user) -> str:
    from io import StringIO

    out = StringIO()
    call_command("two_factor_link", "--user", user.email, stdout=out)
    return re.search(r"/accounts/two-factor/enrol/\S+/", out.getvalue()).group(0)


def test_a_moderator_with_only_the_password_cannot_open_the_queue(client, moderator):
    assert client.login(username=moderator.username, password=PASSWORD)
    for path in ("/moderation/", "/moderation/gallery/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/two-factor/"
        ), path
    page = client.get("/accounts/two-factor/?next=/moderation/").content.decode()
    assert "Ask an administrator for an enrolment link" in page
    assert client.get("/moderation/", HTTP_ACCEPT="application/json").status_code == 403


def test_a_wrong_code_is_refused_and_the_right_one_lets_the_moderator_in(client, moderator):
    device = totp_device(moderator)
    assert client.login(username=moderator.username, password=PASSWORD)
    right = totp_code(device)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    refused = client.post("/accounts/two-factor/", {"code": wrong, "next": "/moderation/"})
    assert refused.status_code == 400 and client.get("/moderation/").status_code == 302
    device.throttling_failure_count = 0  # the refusal made the device wait; a human would
    device.throttling_failure_timestamp = None
    device.save()
    accepted = client.post("/accounts/two-factor/", {"code": right, "next": "/moderation/"})
    assert accepted.status_code == 302 and accepted["Location"] == "/moderation/"
    assert client.get("/moderation/").status_code == 200


def test_the_next_address_after_the_code_stays_on_this_site(client, moderator):
    device = totp_device(moderator)
    assert client.login(username=moderator.username, password=PASSWORD)
    response = client.post(
        "/accounts/two-factor/", {"code": totp_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/moderation/"


def test_a_password_thief_cannot_enrol_an_authenticator(client, moderator):
    """Without the one-time link that an administrator hands over apart from the password."""
    assert client.login(username=moderator.username, password=PASSWORD)
    assert client.get("/accounts/two-factor/enrol/forged-token/").status_code == 403
    # A link issued for someone else does not enrol this account either.
    other = moderator_create(email="other@example.com", password=PASSWORD)
    assert client.get(_enrolment_link(other)).status_code == 403
    assert not TOTPDevice.objects.filter(user=moderator, confirmed=True).exists()


def test_enrolling_with_the_link_then_the_link_is_spent(client, moderator):
    link = _enrolment_link(moderator)
    assert client.login(username=moderator.username, password=PASSWORD)
    page = client.get(link)
    assert page.status_code == 200 and 'src="data:image/svg+xml' in page.content.decode()
    device = TOTPDevice.objects.get(user=moderator, confirmed=False)
    assert client.post(link, {"code": "000000"}).status_code == 400
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    response = client.post(link, {"code": totp_code(device)})
    assert response.status_code == 302
    assert client.get("/moderation/").status_code == 200
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    # The spent link cannot enrol a second authenticator (the thief's) later.
    client.logout()
    assert client.login(username=moderator.username, password=PASSWORD)
    assert client.get(link).status_code == 403


def test_staff_need_the_second_factor_for_the_admin(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    assert client.login(username="root", password=PASSWORD)
    assert client.get("/admin/").status_code == 302
    client.logout()
    login_with_second_factor(client, admin)
    assert client.get("/admin/").status_code == 200


def test_creators_never_meet_the_second_factor(creator_client):
    assert creator_client.get("/dashboard/").status_code == 200


def test_the_demo_moderators_set_up_link_points_at_the_address_signet_serves(client):
    """bin/run prints the demo moderator's authenticator link; with SIGNET_BIND moving the
    site to another port, the printed link must lead there (it said :8000 whatever the
    port), and it must open the enrolment page once the moderator has signed in."""
    from io import StringIO

    from studio.management.commands.seed_demo import DEMO_MODERATOR

    out = StringIO()
    call_command("seed_demo", "--base-url", "http://127.0.0.1:8123", stdout=out)
    printed = out.getvalue()
    link = re.search(r"authenticator set-up: (\S+)", printed).group(1)
    assert link.startswith("http://127.0.0.1:8123/accounts/two-factor/enrol/"), link
    password = re.search(rf"{re.escape(DEMO_MODERATOR)}\s+password: (\S+)", printed).group(1)
    assert client.login(username=DEMO_MODERATOR, password=password)
    page = client.get(link.removeprefix("http://127.0.0.1:8123"))
    assert page.status_code == 200 and 'src="data:image/svg+xml' in page.content.decode()
