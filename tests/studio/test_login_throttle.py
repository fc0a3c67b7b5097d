"""Guessing passwords: the attacker's 50 wrong logins, then the right one."""

import pytest
from django.contrib.auth import get_user_model

from studio.services.accounts import moderator_create
from tests.studio.factories import PASSWORD, make_creator
from tests.studio.test_api_errors import api_token_for

pytestmark = pytest.mark.django_db


def _login(client, email, password, path="/accounts/login/", **extra):
    return client.post(path, {"username": email, "password": password}, **extra)


def test_fifty_wrong_passwords_lock_the_login_and_the_right_one_no_longer_works(client, settings):
    settings.SIGNET_RATE_LIMITS = {**settings.SIGNET_RATE_LIMITS, "login": "1000/m"}
    make_creator("victim@example.com")
    answers = [_login(client, "victim@example.com", f"guess-{n}").status_code for n in range(50)]
    limit = settings.AXES_FAILURE_LIMIT
    assert answers[: limit - 1] == [200] * (limit - 1)  # the form again, "didn't match"
    assert set(answers[limit:]) == {429}
    locked = _login(client, "victim@example.com", PASSWORD)
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= 15 * 60
    assert "_auth_user_id" not in client.session
    # The same account from another address is locked too (a spray from many addresses).
    other = _login(client, "victim@example.com", PASSWORD, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 429


def test_a_locked_out_address_cannot_try_other_accounts(client, settings):
    settings.SIGNET_RATE_LIMITS = {**settings.SIGNET_RATE_LIMITS, "login": "1000/m"}
    make_creator("someone@example.com")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"user{n}@example.com", "guess")
    assert _login(client, "someone@example.com", PASSWORD).status_code == 429


def test_the_admin_login_is_locked_too(client, settings):
    settings.SIGNET_RATE_LIMITS = {**settings.SIGNET_RATE_LIMITS, "login": "1000/m"}
    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    for n in range(10):
        _login(client, "root", f"guess-{n}", path="/admin/login/")
    assert _login(client, "root", PASSWORD, path="/admin/login/").status_code == 429


def test_the_right_password_before_the_limit_still_works(client):
    moderator_create(email="mod@example.com", password=PASSWORD)
    for n in range(3):
        _login(client, "mod@example.com", f"typo-{n}")
    assert _login(client, "mod@example.com", PASSWORD).status_code == 302


def test_guessing_api_tokens_is_refused_after_a_few(client, consented_creator, settings):
    settings.SIGNET_RATE_LIMITS = {**settings.SIGNET_RATE_LIMITS, "api_token_failure": "5/h"}
    real = api_token_for(consented_creator)
    codes = [
        client.get(
            "/api/v1/jobs/00000000-0000-0000-0000-000000000000",
            HTTP_AUTHORIZATION=f"Bearer sgt_guess{n}",
        ).status_code
        for n in range(8)
    ]
    assert codes[:5] == [401] * 5 and codes[5:] == [429] * 3
    # Another client with a genuine token is not affected.
    genuine = client.get(
        "/api/v1/jobs/00000000-0000-0000-0000-000000000000",
        HTTP_AUTHORIZATION=f"Bearer {real}",
        REMOTE_ADDR="198.51.100.7",
    )
    assert genuine.status_code == 404


def test_the_e_mail_logs_in_however_it_is_capitalised(client):
    make_creator("mixed.case@example.com")
    answer = _login(client, "  Mixed.Case@Example.COM ", PASSWORD)
    assert answer.status_code == 302 and "_auth_user_id" in client.session


def test_guesses_in_other_spellings_count_against_the_same_account(client, settings):
    settings.SIGNET_RATE_LIMITS = {**settings.SIGNET_RATE_LIMITS, "login": "1000/m"}
    make_creator("victim@example.com")
    for n in range(settings.AXES_FAILURE_LIMIT):
        spelling = ["Victim@example.com", "VICTIM@EXAMPLE.COM", " victim@example.com"][n % 3]
        _login(client, spelling, f"guess-{n}", REMOTE_ADDR=f"198.51.100.{n + 1}")
    assert _login(client, "victim@example.com", PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 429
