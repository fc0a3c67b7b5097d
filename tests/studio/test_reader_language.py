"""Mails are in the language a person reads Signet in: the one their browser last asked for on a
signed-in page (or chose with the language switch), for moderators as for creators. Before, a
moderator was always written to in the server's language, and a creator in the language of
their consent, even after switching the site to the other language."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from studio.models import ApiToken, ConsentRecord, ModerationCase, ReaderLanguage
from studio.selectors.data_export import creator_data_export
from studio.services.accounts import moderator_create
from studio.services.api_tokens import api_token_create, api_tokens_warn_expiring
from studio.services.moderation_announce import moderation_cases_announce
from tests.studio.factories import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def a_case_waiting_an_hour():
    case = ModerationCase.objects.create(reason=ModerationCase.Reason.CONSENT_REVIEW, details={})
    ModerationCase.objects.filter(pk=case.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )


def test_each_moderator_is_told_of_waiting_cases_in_the_language_they_read(mailoutbox):
    german = moderator_create(email="de@example.com", password=PASSWORD)
    english = moderator_create(email="en@example.com", password=PASSWORD)
    signed_in(german).get("/moderation/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    signed_in(english).get("/moderation/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    a_case_waiting_an_hour()

    assert moderation_cases_announce() == 2
    mails = {mail.to[0]: mail for mail in mailoutbox}
    assert "1 Fall wartet in der Moderationswarteschlange" in mails["de@example.com"].subject
    assert "Der älteste wartet seit 1\xa0Stunde." in mails["de@example.com"].body
    assert "1 case waits in the moderation queue" in mails["en@example.com"].subject
    assert "The oldest has waited 1\xa0hour." in mails["en@example.com"].body


def test_a_creator_who_switched_to_german_is_written_to_in_german(consented_creator, mailoutbox):
    assert ConsentRecord.objects.get(creator=consented_creator).language == "en"
    client = signed_in(consented_creator)
    # The language switch in every page's footer: it sets the cookie the next pages follow.
    client.post("/i18n/setlang/", {"language": "de", "next": "/dashboard/"})
    assert "Abmelden" in client.get("/dashboard/").content.decode()

    token, _key = api_token_create(creator=consented_creator, label="Skript")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(days=3))
    assert api_tokens_warn_expiring() == 1
    assert "läuft am" in mailoutbox[0].subject, mailoutbox[0].subject
    # What Signet keeps about them is in their copy of their data.
    assert creator_data_export(consented_creator)["account"]["mail_language"] == "de"


def test_requests_that_ask_for_no_language_change_nothing(consented_creator, mailoutbox):
    client = signed_in(consented_creator)
    client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="de")
    # A script with the session cookie and no Accept-Language says nothing about the reader.
    client.get("/dashboard/")
    client.get("/api/v1/jobs")
    assert ReaderLanguage.objects.get(reader=consented_creator).code == "de"


def test_only_a_language_signet_speaks_is_stored_and_only_for_signed_in_readers(creator):
    anonymous = Client()
    anonymous.get("/", HTTP_ACCEPT_LANGUAGE="de")
    assert not ReaderLanguage.objects.exists()

    client = signed_in(creator)
    client.cookies["django_language"] = "<script>alert(1)</script>"
    client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="fr-FR,xx;q=0.8")
    assert ReaderLanguage.objects.get(reader=creator).code == "en"
