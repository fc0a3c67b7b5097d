import pytest
from django.contrib.auth import get_user_model

from studio.roles import is_creator, is_moderator
from studio.services.accounts import moderator_create
from tests.studio.factories import PASSWORD, make_creator, submit_job

pytestmark = pytest.mark.django_db


def test_sign_up_logs_in_a_creator(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "New@Example.com", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/dashboard/"
    user = get_user_model().objects.get(username="new@example.com")
    assert is_creator(user) and not is_moderator(user)
    assert (
        "Enrol your face" in response.content.decode()
        or "enrol your face" in response.content.decode()
    )


def test_sign_up_refuses_a_weak_password_and_a_taken_email(client):
    make_creator("taken@example.com")
    weak = client.post(
        "/accounts/signup/", {"email": "a@example.com", "password1": "123", "password2": "123"}
    )
    assert weak.status_code == 200 and "too short" in weak.content.decode()
    taken = client.post(
        "/accounts/signup/",
        {"email": "taken@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert "already exists" in taken.content.decode()


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


def test_staff_reach_the_admin_and_the_audit_log_is_read_only(admin_client):
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
