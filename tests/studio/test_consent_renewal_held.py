"""A renewal of valid consent that waits for a moderator (held) leaves the consent in force.

The 14-day expiry mail asks creators to record their consent again. A renewal whose recording a
moderator must look at used to end the consent it renewed at once: the creator could make no
video until a moderator acted, and their jobs waiting to render failed as "consent withdrawn".
Now the old consent stays in force until it would have ended anyway; an approved renewal then
supersedes it and takes its waiting jobs over, a rejected one leaves it as it was.
"""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from studio.errors import GateRefused, InvalidTransition
from studio.models import AuditEvent, ConsentRecord, JobState, ModerationCase
from studio.services.accounts import moderator_create
from studio.services.consent import consent_revoke, identity_enrol
from studio.services.gate import creator_valid_consent, job_consent_still_valid
from studio.services.jobs import job_render
from studio.services.moderation import case_decide
from tests.generation.media_factory import face_path
from tests.studio.factories import PASSWORD, grant_held_consent, grant_live_consent, submit_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(db):
    return moderator_create(email="moderator@example.com", password=PASSWORD)


@pytest.fixture
def in_force(consented_creator) -> ConsentRecord:
    return ConsentRecord.objects.get(creator=consented_creator)


def case_of(record: ConsentRecord) -> ModerationCase:
    return ModerationCase.objects.get(consent=record)


def rendered(job):
    job_render(job.pk)
    job.refresh_from_db()
    return job


def test_a_held_renewal_leaves_the_valid_consent_in_force(consented_creator, in_force, tmp_path):
    waiting = submit_job(consented_creator, tmp_path)
    assert waiting.state == JobState.QUEUED
    renewal = grant_held_consent(consented_creator)

    in_force.refresh_from_db()
    assert in_force.revoked_at is None
    assert creator_valid_consent(consented_creator) == (in_force, "")
    assert job_consent_still_valid(waiting)
    job = rendered(waiting)
    assert job.state == JobState.RELEASED, job.failure_reason
    assert job.consent_id == in_force.pk  # not carried over: the renewal is not in force yet
    # New videos can still be made, under the consent in force.
    assert submit_job(consented_creator, tmp_path).consent_id == in_force.pk
    assert case_of(renewal).state == ModerationCase.State.OPEN
    assert not AuditEvent.objects.filter(action="consent.superseded").exists()


def test_approving_the_renewal_supersedes_the_old_consent_and_carries_the_jobs_over(
    consented_creator, in_force, moderator, tmp_path, mailoutbox
):
    waiting = submit_job(consented_creator, tmp_path)
    renewal = grant_held_consent(consented_creator)
    case_decide(
        case=case_of(renewal), moderator=moderator, decision="approve", reason="code audible"
    )
    in_force.refresh_from_db()
    renewal.refresh_from_db()
    assert in_force.revoked_at is not None
    assert renewal.verification == "approved" and renewal.revoked_at is None
    assert creator_valid_consent(consented_creator) == (renewal, "")
    waiting.refresh_from_db()
    assert waiting.consent_id == renewal.pk
    job = rendered(waiting)
    assert job.state == JobState.RELEASED, job.failure_reason
    assert AuditEvent.objects.filter(action="consent.superseded", actor=moderator).exists()
    carried = AuditEvent.objects.get(action="consent.jobs_carried_over")
    assert carried.details["jobs"] == [str(waiting.public_id)]
    assert [mail.subject for mail in mailoutbox if mail.to == [consented_creator.email]] == [
        "Signet: your consent recording was accepted"
    ]


def test_rejecting_the_renewal_keeps_the_old_consent_and_tells_the_creator(
    consented_creator, in_force, moderator, tmp_path, mailoutbox
):
    waiting = submit_job(consented_creator, tmp_path)
    renewal = grant_held_consent(consented_creator)
    case_decide(
        case=case_of(renewal), moderator=moderator, decision="reject", reason="face hidden"
    )
    in_force.refresh_from_db()
    renewal.refresh_from_db()
    assert in_force.revoked_at is None
    assert renewal.verification == "rejected" and renewal.revoked_at is not None
    assert creator_valid_consent(consented_creator) == (in_force, "")
    assert rendered(waiting).state == JobState.RELEASED

    [mail] = mailoutbox
    assert mail.to == [consented_creator.email]
    assert "not accepted" in mail.subject
    until = timezone.localtime(in_force.expires_at)
    assert "face hidden" in mail.body and "stays in force" in mail.body
    assert str(until.year) in mail.body

    client_page = _consent_page(consented_creator)
    assert 'id="consent-renewal-refused"' in client_page


def test_a_creator_banned_over_their_renewal_is_not_told_their_consent_stays(
    consented_creator, moderator, mailoutbox
):
    renewal = grant_held_consent(consented_creator)
    case_decide(case=case_of(renewal), moderator=moderator, decision="ban", reason="not them")
    consented_creator.refresh_from_db()
    assert not consented_creator.is_active
    assert not any("stays in force" in mail.body for mail in mailoutbox)


def test_revoking_while_a_renewal_waits_revokes_both_and_nothing_runs(
    consented_creator, in_force, moderator, tmp_path
):
    waiting = submit_job(consented_creator, tmp_path)
    renewal = grant_held_consent(consented_creator)
    assert consent_revoke(creator=consented_creator) == 2
    in_force.refresh_from_db()
    renewal.refresh_from_db()
    assert in_force.revoked_at is not None and renewal.revoked_at is not None
    waiting.refresh_from_db()
    assert waiting.state == JobState.CANCELLED
    consent, why = creator_valid_consent(consented_creator)
    assert consent is None and "withdrew" in why
    with pytest.raises(GateRefused):
        submit_job(consented_creator, tmp_path)
    # The renewal's case is closed, saying why: there is nothing left to approve.
    case = case_of(renewal)
    assert case.state == ModerationCase.State.RESOLVED
    assert case.decision == ModerationCase.Decision.DISMISS
    assert "withdrew" in case.decision_reason
    with pytest.raises(InvalidTransition):
        case_decide(case=case, moderator=moderator, decision="approve")
    assert creator_valid_consent(consented_creator)[0] is None


def test_a_held_renewal_after_the_old_consent_expired_runs_nothing_until_approved(
    consented_creator, in_force, moderator, tmp_path, settings
):
    waiting = submit_job(consented_creator, tmp_path)
    ConsentRecord.objects.filter(pk=in_force.pk).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    renewal = grant_held_consent(consented_creator)
    in_force.refresh_from_db()
    assert in_force.revoked_at is not None  # no valid consent: superseded at once, as before
    consent, why = creator_valid_consent(consented_creator)
    assert consent is None and "moderator is checking" in why
    with pytest.raises(GateRefused, match="moderator is checking"):
        submit_job(consented_creator, tmp_path)
    assert rendered(waiting).state == JobState.FAILED

    case_decide(case=case_of(renewal), moderator=moderator, decision="approve")
    assert creator_valid_consent(consented_creator)[0] == renewal
    assert submit_job(consented_creator, tmp_path).consent_id == renewal.pk


def test_a_second_held_renewal_replaces_the_waiting_one(consented_creator, in_force):
    first = grant_held_consent(consented_creator)
    second = grant_held_consent(consented_creator)
    first.refresh_from_db()
    in_force.refresh_from_db()
    assert first.revoked_at is not None and in_force.revoked_at is None
    unrevoked = ConsentRecord.objects.filter(creator=consented_creator, revoked_at__isnull=True)
    assert set(unrevoked) == {in_force, second}
    replaced = case_of(first)
    assert replaced.state == ModerationCase.State.RESOLVED
    assert replaced.decision == ModerationCase.Decision.DISMISS
    assert "newer" in replaced.decision_reason
    assert case_of(second).state == ModerationCase.State.OPEN
    assert creator_valid_consent(consented_creator) == (in_force, "")
    assert ModerationCase.objects.exclude(state="resolved").count() == 1


def test_a_verified_renewal_while_one_waits_supersedes_both(
    consented_creator, in_force, tmp_path
):
    waiting = submit_job(consented_creator, tmp_path)
    held = grant_held_consent(consented_creator)
    verified = grant_live_consent(consented_creator)
    assert verified.verification == "verified"
    in_force.refresh_from_db()
    held.refresh_from_db()
    assert in_force.revoked_at is not None and held.revoked_at is not None
    assert case_of(held).state == ModerationCase.State.RESOLVED
    assert creator_valid_consent(consented_creator) == (verified, "")
    waiting.refresh_from_db()
    assert waiting.consent_id == verified.pk


def test_enrolling_a_new_face_voids_a_waiting_renewal_too(consented_creator, in_force):
    renewal = grant_held_consent(consented_creator)
    identity_enrol(creator=consented_creator, selfie=face_path("obama2.jpg"))
    assert not ConsentRecord.objects.filter(
        creator=consented_creator, revoked_at__isnull=True
    ).exists()
    assert case_of(renewal).state == ModerationCase.State.RESOLVED
    assert "new face" in case_of(renewal).decision_reason


def test_the_database_allows_one_consent_in_force_and_one_waiting_renewal(
    consented_creator, in_force
):
    grant_held_consent(consented_creator)

    def another(verification):
        ConsentRecord.objects.create(
            creator=consented_creator, statement_version="x", statement_text="x",
            statement_sha256="x", signature_name="x", one_time_code="1",
            expires_at=timezone.now(), verification=verification,
        )  # fmt: skip

    for verification in ("held", "verified", "approved"):
        with pytest.raises(IntegrityError), transaction.atomic():
            another(verification)


def _consent_page(creator, language="en") -> str:
    from django.test import Client

    client = Client()
    assert client.login(username=creator.username, password=PASSWORD)
    return client.get("/consent/", HTTP_ACCEPT_LANGUAGE=language).content.decode()


def _dashboard(creator, language="en") -> str:
    from django.test import Client

    client = Client()
    assert client.login(username=creator.username, password=PASSWORD)
    return client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_the_pages_say_the_renewal_waits_and_until_when_the_consent_holds(
    consented_creator, in_force
):
    from django.utils.formats import date_format
    from django.utils.translation import override

    ConsentRecord.objects.filter(pk=in_force.pk).update(
        expires_at=timezone.now() + timedelta(days=9)
    )
    in_force.refresh_from_db()
    grant_held_consent(consented_creator)
    day = date_format(timezone.localtime(in_force.expires_at), "DATE_FORMAT")
    for page in (_consent_page(consented_creator), _dashboard(consented_creator)):
        assert 'id="consent-renewal-waiting"' in page
        assert "waits for a moderator" in page and day in page
        # The "record your consent again" warning would ask for what was just done.
        assert 'id="consent-ends-soon"' not in page
    with override("de"):
        german_day = date_format(timezone.localtime(in_force.expires_at), "DATE_FORMAT")
    german = _consent_page(consented_creator, "de")
    assert 'id="consent-renewal-waiting"' in german and german_day in german
    assert "waits for a moderator" not in german


def test_no_expiry_mail_asks_for_a_renewal_that_already_waits(
    consented_creator, in_force, moderator, mailoutbox
):
    from studio.services.consent_expiry import consent_warn_expiring

    ConsentRecord.objects.filter(pk=in_force.pk).update(
        expires_at=timezone.now() + timedelta(days=5)
    )
    renewal = grant_held_consent(consented_creator)
    assert consent_warn_expiring() == 0 and mailoutbox == []
    case_decide(case=case_of(renewal), moderator=moderator, decision="reject", reason="blurred")
    mailoutbox.clear()
    # Rejected: the consent in force still ends in five days, and the creator is told so.
    assert consent_warn_expiring() == 1


def test_the_data_export_says_which_consent_is_in_force_and_which_waits(
    consented_creator, in_force
):
    from studio.selectors.data_export import creator_data_export

    renewal = grant_held_consent(consented_creator)
    records = creator_data_export(consented_creator)["consent_records"]
    by_grant = {entry["granted_at"]: entry for entry in records}
    assert by_grant[in_force.granted_at.isoformat()]["status"] == "in_force"
    assert by_grant[renewal.granted_at.isoformat()]["status"] == "waiting_for_a_moderator"
