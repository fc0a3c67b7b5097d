"""A forgotten password is reset by a link mailed to the account's address, and by nothing else."""

import re
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from studio.models import AuditEvent
from studio.services.accounts import moderator_create
from tests.studio.factories import PASSWORD, make_creator

pytestmark = pytest.mark.django_db

REQUEST = "/accounts/password/reset/"
NEW_PASSWORD = "a-brand-new-password-93"
LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


def ask_for_link(email: str, client: Client | None = None, **headers) -> Client:
    client = client or Client()
    response = client.post(REQUEST, {"email": email}, **headers)
    assert response.status_code == 200 and 'id="password-reset-sent"' in response.content.decode()
    return client


def link_in(mail) -> str:
    return LINK.search(mail.body).group(1)


def set_new_password(link: str, password: str = NEW_PASSWORD) -> Client:
    client = Client()
    form_page = client.get(link, follow=True)
    assert 'id="set-new-password"' in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"
    return client


def can_log_in(email: str, password: str) -> bool:
    return Client().login(username=email, password=password)


def test_the_mailed_link_sets_a_new_password_once(creator, mailoutbox):
    elsewhere = Client()
    assert elsewhere.login(username=creator.username, password=PASSWORD)
    ask_for_link(creator.email)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [creator.email]
    link = link_in(mailoutbox[0])

    set_new_password(link)
    assert can_log_in(creator.email, NEW_PASSWORD) and not can_log_in(creator.email, PASSWORD)
    assert AuditEvent.objects.filter(action="account.password_reset", actor=creator).exists()
    # A session opened before (perhaps by whoever knew the old password) is over.
    assert elsewhere.get("/dashboard/").status_code == 302
    # The link does not work twice.
    again = Client().get(link, follow=True).content.decode()
    assert 'id="reset-link-invalid"' in again and 'id="set-new-password"' not in again


def test_an_unknown_or_deactivated_address_gets_the_same_page_and_no_mail(creator, mailoutbox):
    ask_for_link("nobody-here@example.com")
    creator.is_active = False
    creator.save(update_fields=["is_active"])
    ask_for_link(creator.email)
    assert mailoutbox == []


def test_a_link_for_one_account_does_not_open_another(creator, mailoutbox):
    victim = make_creator("victim@example.com")
    ask_for_link(creator.email)
    _uid, token = link_in(mailoutbox[0]).rstrip("/").split("/")[-2:]
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    forged = f"/accounts/password/reset/{urlsafe_base64_encode(force_bytes(victim.pk))}/{token}/"
    page = Client().get(forged, follow=True).content.decode()
    assert 'id="reset-link-invalid"' in page
    assert can_log_in(victim.email, PASSWORD)


def test_an_expired_link_is_refused(creator, mailoutbox, settings):
    ask_for_link(creator.email)
    link = link_in(mailoutbox[0])
    from django.contrib.auth.tokens import default_token_generator

    later = default_token_generator._now() + __import__("datetime").timedelta(
        seconds=settings.PASSWORD_RESET_TIMEOUT + 60
    )
    with mock.patch.object(default_token_generator, "_now", return_value=later):
        page = Client().get(link, follow=True).content.decode()
    assert 'id="reset-link-invalid"' in page


def test_a_moderator_gets_no_link_and_no_forged_link_works(mailoutbox):
    moderator = moderator_create(email="mod@example.com", password=PASSWORD)
    ask_for_link("mod@example.com")
    [mail] = mailoutbox
    assert not LINK.search(mail.body) and "administrator" in mail.body
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(moderator.pk))
    token = default_token_generator.make_token(moderator)
    page = Client().get(f"/accounts/password/reset/{uid}/{token}/", follow=True).content.decode()
    assert 'id="reset-link-invalid"' in page


def test_a_flood_of_requests_for_one_inbox_sends_few_mails(creator, mailoutbox):
    for n in range(12):
        spelling = creator.email.upper() if n % 2 else f"  {creator.email} "
        ask_for_link(spelling, REMOTE_ADDR=f"198.51.100.{n + 1}")
    assert 1 <= len(mailoutbox) <= 3


def test_requests_from_one_client_are_rate_limited(creator, settings):
    settings.SIGNET_RATE_LIMITS = {**settings.SIGNET_RATE_LIMITS, "password_reset": "2/h"}
    client = Client()
    codes = [client.post(REQUEST, {"email": f"x{n}@example.com"}).status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_a_lockout_from_failed_logins_ends_with_the_reset(creator, mailoutbox, settings):
    """Someone guessed until the account locked; its owner resets the password and is let in."""
    settings.SIGNET_RATE_LIMITS = {**settings.SIGNET_RATE_LIMITS, "login": "1000/m"}

    def log_in(password: str, address: str) -> int:
        answer = Client().post(
            "/accounts/login/",
            {"username": creator.email, "password": password},
            REMOTE_ADDR=address,
        )
        return answer.status_code

    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        log_in(f"guess-{n}", "203.0.113.66")
    assert log_in(PASSWORD, "198.51.100.7") == 429  # locked, whoever asks
    ask_for_link(creator.email)
    set_new_password(link_in(mailoutbox[0]))
    assert log_in(NEW_PASSWORD, "198.51.100.7") == 302


def test_the_mail_and_pages_speak_german(creator, mailoutbox):
    login_page = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Passwort vergessen?" in login_page and 'href="/accounts/password/reset/"' in login_page
    ask_for_link(creator.email, HTTP_ACCEPT_LANGUAGE="de")
    assert mailoutbox[0].subject.endswith("Signet-Passwort zurücksetzen")
    assert "neues Passwort" in mailoutbox[0].body
    assert get_user_model().objects.filter(pk=creator.pk).exists()
