"""Creators make and revoke their own API tokens on /accounts/tokens/."""

import re
import uuid
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from studio.models import ApiToken, AuditEvent
from studio.services.accounts import moderator_create
from tests.studio.factories import PASSWORD, make_creator
from tests.studio.two_factor import login_with_second_factor

pytestmark = pytest.mark.django_db

PAGE = "/accounts/tokens/"
KEY = re.compile(r"sgt_[A-Za-z0-9_-]{20,}")


def logged_in(creator) -> Client:
    client = Client()
    assert client.login(username=creator.username, password=PASSWORD)
    return client


@pytest.fixture
def creator_page(creator) -> Client:
    return logged_in(creator)


def token_create(client: Client, label: str = "laptop script") -> str:
    response = client.post(PAGE, {"label": label})
    assert response.status_code == 200, response.content.decode()[:500]
    keys = KEY.findall(response.content.decode())
    assert len(set(keys)) == 1, keys
    return keys[0]


def api_answer(key: str) -> int:
    """The job API's answer to this key: 404 (the key works, the job is unknown) or 401."""
    return (
        Client().get(f"/api/v1/jobs/{uuid.uuid4()}", HTTP_AUTHORIZATION=f"Bearer {key}").status_code
    )


def revoke_url(creator, label: str) -> str:
    token = ApiToken.objects.get(creator=creator, label=label)
    return f"{PAGE}{token.public_id}/revoke"


def test_the_key_shown_once_works_on_the_api_and_is_not_shown_again(creator, creator_page):
    key = token_create(creator_page, "laptop script")
    assert api_answer(key) == 404
    reloaded = creator_page.get(PAGE).content.decode()
    assert "laptop script" in reloaded
    # A screen reader names which token each Revoke button revokes.
    assert 'aria-label="Revoke the token “laptop script” made' in reloaded
    assert key not in reloaded and not KEY.search(reloaded)
    assert AuditEvent.objects.filter(action="api_token.created", actor=creator).exists()


def test_the_page_says_when_a_token_was_last_used(creator_page):
    key = token_create(creator_page, "nightly export")
    assert "Never" in creator_page.get(PAGE).content.decode()
    api_answer(key)
    assert "Never" not in creator_page.get(PAGE).content.decode()


def test_a_revoked_token_is_refused_at_once(creator, creator_page):
    key = token_create(creator_page, "old phone")
    response = creator_page.post(revoke_url(creator, "old phone"))
    assert response.status_code == 302
    assert api_answer(key) == 401
    assert "old phone" not in creator_page.get(PAGE).content.decode()
    assert AuditEvent.objects.filter(action="api_token.revoked", actor=creator).exists()


def test_revoke_needs_a_post(creator, creator_page):
    key = token_create(creator_page, "kept")
    assert creator_page.get(revoke_url(creator, "kept")).status_code == 405
    assert api_answer(key) == 404


def test_another_creator_cannot_revoke_my_token_or_see_its_label(creator, creator_page):
    key = token_create(creator_page, "my secret project")
    intruder = logged_in(make_creator("intruder@example.com"))
    assert intruder.post(revoke_url(creator, "my secret project")).status_code == 404
    assert api_answer(key) == 404
    assert "my secret project" not in intruder.get(PAGE).content.decode()


def test_only_creators_open_the_page(db):
    assert Client().get(PAGE).status_code == 302  # to the log-in page
    moderator = moderator_create(email="moderator@example.com", password=PASSWORD)
    client = Client()
    login_with_second_factor(client, moderator)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"label": "sneaky"}).status_code == 403
    assert not ApiToken.objects.filter(creator=moderator).exists()


def test_the_eleventh_live_token_is_refused(creator, creator_page):
    for number in range(10):
        token_create(creator_page, f"token {number}")
    response = creator_page.post(PAGE, {"label": "one too many"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "You have 10 API tokens, the most allowed" in page
    assert not KEY.search(page)
    assert ApiToken.objects.filter(creator=creator).count() == 10
    creator_page.post(revoke_url(creator, "token 0"))
    token_create(creator_page, "room again")


def test_the_page_speaks_german(creator, creator_page):
    token_create(creator_page, "skript")
    page = creator_page.get(PAGE, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "API-Token" in page and "Widerrufen" in page and "Erstellt" in page
    assert "Revoke" not in page and "Create a token" not in page
    shown = creator_page.post(PAGE, {"label": "zweites"}, HTTP_ACCEPT_LANGUAGE="de")
    assert "nicht noch einmal angezeigt" in shown.content.decode()


def test_the_operators_command_makes_a_working_token(creator, capsys):
    call_command("create_api_token", "--user", creator.username, "--label", "ci")
    key = capsys.readouterr().out.strip()
    assert api_answer(key) == 404
    assert ApiToken.objects.get(creator=creator).label == "ci"


def test_a_create_and_revoke_loop_is_refused_with_429(creator, creator_page, settings):
    # Under the cap of live tokens, making and revoking in a loop wrote audit events without end.
    settings.SIGNET_RATE_LIMITS = {**settings.SIGNET_RATE_LIMITS, "api_token_changes": "3/h"}
    token_create(creator_page, "first")
    assert creator_page.post(revoke_url(creator, "first")).status_code == 302
    token_create(creator_page, "second")
    refused = creator_page.post(PAGE, {"label": "third"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert creator_page.post(revoke_url(creator, "second")).status_code == 429
    assert ApiToken.objects.filter(creator=creator).count() == 1


def expire(creator, label: str) -> None:
    """What the passing of the token's lifetime does, without waiting for it."""
    ApiToken.objects.filter(creator=creator, label=label).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )


def test_a_key_left_in_an_old_script_stops_working_when_its_token_expires(creator, creator_page):
    key = token_create(creator_page, "forgotten cron job")
    assert api_answer(key) == 404
    expire(creator, "forgotten cron job")
    refused = Client().get(f"/api/v1/jobs/{uuid.uuid4()}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert refused.status_code == 401
    error = refused.json()["error"]
    assert error["code"] == "token_expired"
    assert "expired on" in error["message"] and "/accounts/tokens/" in error["message"]
    # The page says which token expired, so the creator knows which script to fix.
    page = creator_page.get(PAGE).content.decode()
    assert "forgotten cron job" in page and "Expired on" in page


def test_the_creator_chooses_the_lifetime_and_the_page_shows_it(creator, creator_page):
    response = creator_page.post(PAGE, {"label": "month", "lifetime_days": "30"})
    assert response.status_code == 200
    token = ApiToken.objects.get(creator=creator, label="month")
    lifetime = token.expires_at - token.created_at
    assert timedelta(days=30) - timedelta(minutes=1) < lifetime <= timedelta(days=30)
    assert date_format(token.expires_at, "DATE_FORMAT") in response.content.decode()
    token_create(creator_page, "unspecified")
    default = ApiToken.objects.get(creator=creator, label="unspecified")
    assert (default.expires_at - default.created_at).days == 89  # 90 days less a few ms


def test_a_key_that_never_expires_cannot_be_asked_for(creator, creator_page):
    for forged in ("36500", "0", "-1", "forever"):
        response = creator_page.post(PAGE, {"label": "eternal", "lifetime_days": forged})
        assert response.status_code == 400, forged
        assert not KEY.search(response.content.decode())
    assert not ApiToken.objects.filter(creator=creator).exists()
    with pytest.raises(CommandError):
        call_command("create_api_token", "--user", creator.username, "--days", "36500")


def test_expired_tokens_do_not_count_against_the_ten_live_ones(creator, creator_page):
    for number in range(10):
        token_create(creator_page, f"token {number}")
    assert creator_page.post(PAGE, {"label": "one too many"}).status_code == 400
    expire(creator, "token 3")
    token_create(creator_page, "replaces the expired one")


def test_an_expired_key_is_not_counted_as_a_guess(creator, creator_page, settings):
    settings.SIGNET_RATE_LIMITS = {**settings.SIGNET_RATE_LIMITS, "api_token_failure": "2/h"}
    key = token_create(creator_page, "old")
    expire(creator, "old")
    for _ in range(3):
        assert api_answer(key) == 401
    fresh = token_create(creator_page, "new")
    assert api_answer(fresh) == 404


def test_the_lifetime_and_the_expiry_speak_german(creator, creator_page):
    shown = creator_page.post(
        PAGE, {"label": "skript", "lifetime_days": "30"}, HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    assert "Gültig für" in shown and "30 Tage" in shown and "Es gilt bis zum" in shown
    key = KEY.search(shown).group(0)
    expire(creator, "skript")
    refused = Client().get(
        f"/api/v1/jobs/{uuid.uuid4()}",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert "abgelaufen" in refused.json()["error"]["message"]
    assert "Abgelaufen am" in creator_page.get(PAGE, HTTP_ACCEPT_LANGUAGE="de").content.decode()


def test_the_page_shows_the_header_a_script_sends(creator_page):
    # The old sentence carried a literal "<token>", which browsers took for a tag and hid,
    # leaving "Authorization: Bearer ` ." on the page.
    page = creator_page.get(PAGE).content.decode()
    assert '<code id="api-header-example">Authorization: Bearer sgt_…</code>' in page
    assert "<token>" not in page


def form_submission_of(page_html: str) -> str:
    return re.search(r'name="form_submission" value="([^"]+)"', page_html).group(1)


def test_a_re_sent_form_makes_no_second_token_and_says_which_it_made(creator, creator_page):
    """A reload of the answer page (the browser sends the form again) or a double click."""
    form = form_submission_of(creator_page.get(PAGE).content.decode())
    sent = {"label": "backup job", "form_submission": form}
    first = creator_page.post(PAGE, sent)
    assert first.status_code == 200 and len(set(KEY.findall(first.content.decode()))) == 1
    again = creator_page.post(PAGE, sent)
    page = again.content.decode()
    assert again.status_code == 409
    assert KEY.findall(page) == []  # the key is never shown twice
    assert "already sent" in page and "“backup job”" in page
    assert ApiToken.objects.filter(creator=creator).count() == 1
    # The answer page carries a new form: the next token is made as asked.
    token_create_with(creator_page, form_submission_of(first.content.decode()), "second")
    assert ApiToken.objects.filter(creator=creator).count() == 2


def test_another_creators_form_name_does_not_block_or_reveal_their_token(creator, creator_page):
    other = make_creator("other@example.com")
    other_page = logged_in(other)
    form = form_submission_of(other_page.get(PAGE).content.decode())
    other_page.post(PAGE, {"label": "private name", "form_submission": form})
    answer = creator_page.post(PAGE, {"label": "mine", "form_submission": form})
    assert answer.status_code == 200 and "private name" not in answer.content.decode()
    assert ApiToken.objects.filter(creator=creator, label="mine").exists()


def token_create_with(client: Client, form_submission: str, label: str) -> None:
    response = client.post(PAGE, {"label": label, "form_submission": form_submission})
    assert response.status_code == 200 and KEY.search(response.content.decode())
