"""A creator downloads a copy of their own data, and only their own."""

import json

import pytest
from django.test import Client

from studio.models import ApiToken, AuditEvent, ConsentRecord, GenerationJob
from studio.services.api_tokens import api_token_create
from tests.studio.factories import PASSWORD, enrol_and_consent, make_creator, submit_job

pytestmark = pytest.mark.django_db

EXPORT = "/accounts/export/"


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def exported(client: Client) -> dict:
    response = client.post(EXPORT)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith('attachment; filename="signet-my-data-')
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content)


def test_the_copy_holds_the_creators_consent_videos_and_tokens(consented_creator, tmp_path):
    job = submit_job(consented_creator, tmp_path)
    _token, key = api_token_create(creator=consented_creator, label="laptop script")
    data = exported(logged_in(consented_creator))

    assert data["account"]["email"] == consented_creator.email
    record = ConsentRecord.objects.get(creator=consented_creator)
    [consent] = data["consent_records"]
    assert consent["statement_text"] == record.statement_text
    assert consent["signed_as"] == record.signature_name and consent["verification"] == "verified"
    assert [video["id"] for video in data["videos"]] == [str(job.public_id)]
    assert data["api_tokens"][0]["label"] == "laptop script"
    text = json.dumps(data)
    assert key not in text and ApiToken.hash_key(key) not in text  # never the key or its hash
    assert "embedding" not in text and "selfie" not in data["enrolled_face"]
    assert any(a["action"] == "api_token.created" for a in data["your_actions"])
    assert AuditEvent.objects.filter(
        action="account.data_exported", actor=consented_creator
    ).exists()


def test_another_creators_data_never_enters_the_copy(consented_creator, tmp_path):
    other = make_creator("someone-else@example.com")
    enrol_and_consent(other, tmp_path / "other")
    other_job = submit_job(other, tmp_path)
    api_token_create(creator=other, label="their secret script")
    ConsentRecord.objects.filter(creator=other).update(signature_name="Their Own Name")

    text = json.dumps(exported(logged_in(consented_creator)))
    for theirs in (other.email, "their secret script", "Their Own Name", str(other_job.public_id)):
        assert theirs not in text
    assert GenerationJob.objects.filter(creator=other).count() == 1


def test_only_a_logged_in_post_gets_a_copy(consented_creator):
    assert Client().post(EXPORT).status_code == 302  # to the login page
    assert logged_in(consented_creator).get(EXPORT).status_code == 405
    # A cross-site form cannot ask for it: CSRF protects the POST.
    strict = Client(enforce_csrf_checks=True)
    assert strict.login(username=consented_creator.username, password=PASSWORD)
    assert strict.post(EXPORT).status_code == 403


def test_copies_are_rate_limited(consented_creator, settings):
    settings.SIGNET_RATE_LIMITS = {**settings.SIGNET_RATE_LIMITS, "data_export": "2/h"}
    client = logged_in(consented_creator)
    assert [client.post(EXPORT).status_code for _ in range(3)] == [200, 200, 429]


def test_the_account_page_offers_the_copy_in_german(consented_creator):
    page = logged_in(consented_creator).get(
        "/accounts/delete/", HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    assert 'action="/accounts/export/"' in page and "Meine Daten herunterladen" in page
