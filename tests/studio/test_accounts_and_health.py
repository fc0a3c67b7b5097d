import re

import pytest
from django.contrib.auth import get_user_model

from studio.roles import is_creator, is_moderator
from studio.services.accounts import moderator_create
from tests.studio.factories import PASSWORD, make_creator, submit_job
from tests.studio.two_factor import login_with_second_factor

pytestmark = pytest.mark.django_db


def _signup_link(mailbox) -> str:
    return re.search(r"https?://\S+/accounts/signup/\S+/", mailbox[-1].body).group(0)


def test_sign_up_by_e_mailed_link_logs_in_a_creator(client, mailoutbox):
    sent = client.post("/accounts/signup/", {"email": "New@Example.com"})
    assert sent.status_code == 200 and "Check your inbox" in sent.content.decode()
    assert not get_user_model().objects.filter(username="new@example.com").exists()
    link = _signup_link(mailoutbox)
    assert mailoutbox[-1].to == ["new@example.com"]

    forged = client.get(link.replace("/signup/", "/signup/x").rstrip("/") + "x/")
    assert forged.status_code == 403
    weak = client.post(link, {"password1": "123", "password2": "123"})
    assert weak.status_code == 200 and "too short" in weak.content.decode()
    response = client.post(link, {"password1": PASSWORD, "password2": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/dashboard/"
    user = get_user_model().objects.get(username="new@example.com")
    assert is_creator(user) and not is_moderator(user)
    assert "enrol your face" in response.content.decode().lower()
    client.logout()
    # The link made its account; it cannot make another or reset the password.
    again = client.post(link, {"password1": "other-long-pass-99", "password2": "other-long-pass-99"})
    assert again.status_code == 403
    assert client.login(username="new@example.com", password=PASSWORD)


def test_sign_up_never_says_which_e_mails_have_accounts(client, mailoutbox):
    make_creator("taken@example.com")

    def page(email):
        body = client.post("/accounts/signup/", {"email": email}).content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)

    assert page("taken@example.com") == page("free@example.com")
    to_taken, to_free = mailoutbox[-2], mailoutbox[-1]
    # Only the inbox's owner learns the address already has an account; it gets no sign-up link.
    assert to_taken.to == ["taken@example.com"] and "already has an account" in to_taken.body
    assert "/accounts/signup/" not in to_taken.body
    assert "/accounts/signup/" in to_free.body
    # The one who forgot they had an account may also have forgotten its password.
    assert "/accounts/password/reset/" in to_taken.body


def test_log_in_log_out_and_change_password(client):
    make_creator("me@example.com")
    bad = client.post("/accounts/login/", {"username": "me@example.com", "password": "wrong"})
    assert "didn't match" in bad.content.decode()
    assert (
        client.post(
            "/accounts/login/", {"username": "me@example.com", "password": PASSWORD}
        ).status_code
        == 302
    )
    assert client.get("/dashboard/").status_code == 200
    changed = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-pass-99",
            "new_password2": "another-long-pass-99",
        },
    )
    assert changed.status_code == 302
    client.post("/accounts/logout/")
    assert client.get("/dashboard/").status_code == 302  # back to the login page
    assert client.login(username="me@example.com", password="another-long-pass-99")


def test_moderators_hold_the_review_permission_and_creators_do_not():
    moderator = moderator_create(email="mod@example.com", password=PASSWORD)
    creator = make_creator()
    assert is_moderator(moderator) and not is_creator(moderator)
    assert not is_moderator(creator)


def test_a_moderator_cannot_submit_jobs(client):
    moderator_create(email="mod@example.com", password=PASSWORD)
    client.login(username="mod@example.com", password=PASSWORD)
    assert client.get("/jobs/new/").status_code == 403


def test_staff_reach_the_admin_and_the_audit_log_is_read_only(client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.com", PASSWORD)
    login_with_second_factor(client, admin)
    admin_client = client
    assert admin_client.get("/admin/").status_code == 200
    assert admin_client.get("/admin/studio/auditevent/").status_code == 200
    assert admin_client.get("/admin/studio/auditevent/add/").status_code == 403


def test_healthz_reports_database_and_broker(client, settings):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["broker"]["ok"]


def test_healthz_says_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


def test_someone_elses_job_is_not_found(client, consented_creator, tmp_path):

    job = submit_job(consented_creator, tmp_path)
    make_creator("other@example.com")
    client.login(username="other@example.com", password=PASSWORD)
    assert client.get(f"/jobs/{job.public_id}/").status_code == 404
    assert client.get(f"/jobs/{job.public_id}/status").status_code == 404
    assert client.post(f"/jobs/{job.public_id}/cancel").status_code == 404


def test_a_flood_of_health_probes_opens_one_broker_connection(client):
    """/healthz is open to anyone; each probe used to open a fresh broker connection."""
    from unittest import mock

    import kombu

    opened = []
    real_connection = kombu.Connection

    def counting_connection(*args, **kwargs):
        opened.append(args)
        return real_connection(*args, **kwargs)

    with mock.patch.object(kombu, "Connection", counting_connection):
        answers = [client.get("/healthz").status_code for _ in range(30)]
    assert set(answers) == {200}
    assert len(opened) <= 1
