"""A case Signet closes by itself (the consent it asked about ended first) says why in the
moderator's language; a reason a moderator typed is shown as they typed it."""

import pytest

from studio.models import ConsentRecord, ModerationCase
from studio.services.accounts import moderator_create
from studio.services.consent import consent_revoke
from studio.services.moderation import case_decide
from tests.studio.factories import PASSWORD, grant_held_consent
from tests.studio.two_factor import login_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(client):
    moderator = moderator_create(email="moderator@example.com", password=PASSWORD)
    login_with_second_factor(client, moderator)
    client.moderator = moderator
    return client


def held_case(creator) -> ModerationCase:
    ConsentRecord.objects.filter(creator=creator).update(revoked_at="2026-01-01T00:00:00Z")
    return ModerationCase.objects.get(consent=grant_held_consent(creator))


def case_page(client, case, language: str) -> str:
    response = client.get(f"/moderation/cases/{case.public_id}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_a_case_closed_by_a_withdrawal_reads_in_german_and_in_english(
    consented_creator, moderator_client
):
    case = held_case(consented_creator)
    consent_revoke(creator=consented_creator)
    case.refresh_from_db()
    assert case.state == ModerationCase.State.RESOLVED
    german = case_page(moderator_client, case, "de")
    assert "Die Person hat ihre Einwilligung zurückgezogen" in german
    assert "The creator withdrew" not in german
    english = case_page(moderator_client, case, "en")
    assert "(The creator withdrew their consent before a moderator decided.)" in english


def test_a_moderators_own_reason_is_shown_as_typed(consented_creator, moderator_client):
    case = held_case(consented_creator)
    typed = "Withdrawn by phone, ticket 41."
    case_decide(case=case, moderator=moderator_client.moderator, decision="reject", reason=typed)
    assert f"({typed})" in case_page(moderator_client, case, "de")
