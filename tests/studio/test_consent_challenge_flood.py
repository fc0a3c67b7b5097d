"""Loading the consent page cannot fill the challenge table.

Each GET of /consent/ used to store a new ConsentChallenge row, without bound: a logged-in
account reloading in a loop, or opening many sessions, grew the table as fast as it asked. Now a
reload in the same session gets the same challenge back (its code and actions are held by the
server; the actions are revealed only once recording starts), expired unused challenges are
pruned, and a creator has at most a few outstanding challenges across all sessions.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from studio.models import ConsentChallenge, ConsentRecord
from studio.services import consent_evidence
from studio.services.consent import identity_enrol
from tests.generation.media_factory import face_path
from tests.studio.factories import (
    FACTORY_CODE,
    FACTORY_SEED,
    _assess_remembered,
    cached_recording,
    upload,
)

pytestmark = pytest.mark.django_db

# What "small and bounded" means here: a creator with a few windows open is served, an account
# asking without end is not given more rows.
AT_MOST = 5


@pytest.fixture
def enrolled(creator):
    identity_enrol(creator=creator, selfie=face_path("obama.jpg"))
    return creator


def session_of(creator) -> Client:
    client = Client()
    client.force_login(creator)
    return client


def nonce_on(page) -> str:
    assert page.status_code == 200, page.content[:300]
    return ConsentChallenge.objects.get(nonce=page.context["challenge"].nonce).nonce


def challenges_of(creator) -> int:
    return ConsentChallenge.objects.filter(creator=creator).count()


def test_fifty_reloads_in_one_session_store_one_challenge(enrolled):
    client = session_of(enrolled)
    nonces = {nonce_on(client.get("/consent/")) for _ in range(50)}
    assert len(nonces) == 1
    assert challenges_of(enrolled) == 1
    # Switching the sentence's language is a reload too: same code, same row, new language.
    german = client.get("/consent/?language=de")
    assert nonce_on(german) in nonces and "Mein Code ist" in german.content.decode()
    assert ConsentChallenge.objects.get(creator=enrolled).language == "de"


def test_thirty_sessions_leave_a_few_challenges(enrolled):
    sessions = [session_of(enrolled) for _ in range(30)]
    for client in sessions:
        nonce_on(client.get("/consent/"))
    assert challenges_of(enrolled) <= AT_MOST
    # Starting each one (so none is merely "unstarted") does not lift the bound either.
    for client in sessions:
        nonce = nonce_on(client.get("/consent/"))
        assert client.post("/consent/start/", {"nonce": nonce}).status_code == 200
    assert challenges_of(enrolled) <= AT_MOST


def test_expired_unused_challenges_are_pruned(enrolled):
    for _ in range(3):
        nonce_on(session_of(enrolled).get("/consent/"))
    ConsentChallenge.objects.update(issued_at=timezone.now() - timedelta(minutes=11))
    fresh = nonce_on(session_of(enrolled).get("/consent/"))
    assert list(ConsentChallenge.objects.values_list("nonce", flat=True)) == [fresh]


def test_a_started_or_used_challenge_is_never_handed_out_again(enrolled):
    client = session_of(enrolled)
    first = nonce_on(client.get("/consent/"))
    assert client.post("/consent/start/", {"nonce": first}).status_code == 200
    second = nonce_on(client.get("/consent/"))
    assert second != first

    # Used: handed in (here refused, since the recording never started; a nonce counts once).
    client.post("/consent/", {"agree": "1", "signature_name": "A B", "nonce": second,
                              "recording": upload(face_path("obama.jpg"))})  # fmt: skip
    assert ConsentChallenge.objects.get(nonce=second).used_at is not None
    third = nonce_on(client.get("/consent/"))
    assert third not in (first, second)


def test_a_challenge_about_to_expire_is_not_handed_out_again(enrolled):
    client = session_of(enrolled)
    first = nonce_on(client.get("/consent/"))
    ConsentChallenge.objects.filter(nonce=first).update(
        issued_at=timezone.now() - timedelta(minutes=8)
    )
    assert nonce_on(client.get("/consent/")) != first


def test_another_sessions_challenge_is_not_handed_out(enrolled):
    one = nonce_on(session_of(enrolled).get("/consent/"))
    assert nonce_on(session_of(enrolled).get("/consent/")) != one


def test_a_reloaded_page_still_records_consent(enrolled, settings):
    settings.SIGNET_CONSENT_CHALLENGE_SEED = FACTORY_SEED
    client = session_of(enrolled)
    nonce = nonce_on(client.get("/consent/"))
    assert nonce_on(client.get("/consent/")) == nonce
    # As the factory does: the code this test's prepared recording says.
    ConsentChallenge.objects.filter(nonce=nonce).update(code=FACTORY_CODE)
    assert client.post("/consent/start/", {"nonce": nonce}).status_code == 200
    challenge = ConsentChallenge.objects.get(nonce=nonce)
    ConsentChallenge.objects.filter(pk=challenge.pk).update(
        started_at=challenge.started_at - timedelta(seconds=challenge.seconds + 1)
    )
    recording = cached_recording("obama.jpg", challenge, 0)
    with mock.patch.object(consent_evidence, "assess_recording", _assess_remembered):
        response = client.post(
            "/consent/",
            {"agree": "1", "signature_name": "Test Creator", "nonce": nonce,
             "recording": upload(recording)},
            HTTP_ACCEPT="application/json",
        )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["verification"] == "verified"
    assert ConsentRecord.objects.get(creator=enrolled).challenge_id == challenge.pk
