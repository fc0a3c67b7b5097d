"""Two consent grants of one creator at once (two tabs, or a double click on "Give consent").

consent_grant takes the creator's lock before it ends the consent in force and stores the new
record; without it both grants find the same consent to end, and the second one to store its
record breaks the one-active-consent rule (an IntegrityError, a 500 for the creator).
"""

import pytest

from studio.models import ConsentRecord, GenerationJob
from studio.services import consent_evidence
from studio.services.consent import consent_grant, identity_enrol
from tests.generation.media_factory import face_path
from tests.studio.factories import (
    _assess_remembered,
    cached_recording,
    live_challenge,
    make_creator,
)
from tests.studio.races import race_with_the_first_held

pytestmark = pytest.mark.django_db(transaction=True)


def race_two_grants(creator, monkeypatch) -> tuple[dict, dict]:
    """Grant consent in two threads; the first is held inside its transaction, just before its
    record is stored, while the second runs. Returns each one's record or error by name."""
    # Patched once here, not per thread: mock.patch undone by one thread would undo the other's.
    monkeypatch.setattr(consent_evidence, "assess_recording", _assess_remembered)
    variant = ConsentRecord.objects.count()
    prepared = {}
    for offset, name in enumerate(("first", "second")):
        challenge = live_challenge(creator)
        prepared[name] = (challenge, cached_recording("obama.jpg", challenge, variant + offset))

    records = {}

    def grant(name):
        challenge, recording = prepared[name]
        records[name] = consent_grant(
            creator=creator,
            signature_name="Test Creator",
            nonce=challenge.nonce,
            session_key="",
            recording=recording,
        )

    errors = race_with_the_first_held(ConsentRecord, monkeypatch, grant)
    return records, errors


def test_two_first_grants_at_once_both_succeed_and_one_stays_active(monkeypatch):
    creator = make_creator("two-tabs@example.com")
    identity_enrol(creator=creator, selfie=face_path("obama.jpg"))
    records, errors = race_two_grants(creator, monkeypatch)
    assert errors == {}
    assert {record.verification for record in records.values()} == {"verified"}
    active = ConsentRecord.objects.filter(creator=creator, revoked_at__isnull=True)
    # The one that waited for the lock came second and superseded the other.
    assert list(active) == [records["second"]]
    records["first"].refresh_from_db()
    assert records["first"].revoked_at is not None


def test_two_renewals_at_once_keep_one_consent_and_the_waiting_job(monkeypatch, tmp_path):
    from studio.services.jobs import job_render
    from tests.studio.factories import enrol_and_consent, submit_job

    creator = make_creator("renews-twice@example.com")
    old = enrol_and_consent(creator, tmp_path)
    waiting = submit_job(creator, tmp_path)
    records, errors = race_two_grants(creator, monkeypatch)
    assert errors == {}
    active = ConsentRecord.objects.filter(creator=creator, revoked_at__isnull=True)
    assert list(active) == [records["second"]]
    old.refresh_from_db()
    assert old.revoked_at is not None
    # The job followed the renewals to the consent in force and still renders.
    waiting = GenerationJob.objects.get(pk=waiting.pk)
    assert waiting.consent_id == records["second"].pk
    job_render(waiting.pk)
    waiting.refresh_from_db()
    assert waiting.state == "released", waiting.failure_reason
