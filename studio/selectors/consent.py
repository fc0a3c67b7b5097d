from dataclasses import dataclass

from studio.models import ConsentChallenge, ConsentRecord, EnrolledIdentity
from studio.services.consent_expiry import consent_ends_soon
from studio.services.gate import creator_valid_consent


@dataclass(frozen=True)
class EnrolmentStatus:
    enrolled: bool
    consent: ConsentRecord | None
    consent_problem: str
    # While `consent` is in force: a renewal waiting for a moderator, or the newest renewal, which
    # a moderator did not accept (either way `consent` goes on until it ends).
    renewal_waiting: ConsentRecord | None = None
    renewal_refused: ConsentRecord | None = None
    # With no consent in force: a first consent (or one after the last ended) that waits for a
    # moderator. The creator may withdraw it as they may withdraw consent in force.
    consent_waiting: ConsentRecord | None = None

    @property
    def ready(self) -> bool:
        return self.enrolled and self.consent is not None

    @property
    def consent_ends_soon(self) -> bool:
        # "Record your consent again" would ask for what the creator has just done.
        return self.renewal_waiting is None and consent_ends_soon(self.consent)


def creator_enrolment_status(creator) -> EnrolmentStatus:
    enrolled = EnrolledIdentity.objects.filter(creator=creator).exists()
    consent, problem = creator_valid_consent(creator) if enrolled else (None, "")
    waiting = refused = first_waiting = None
    Verification = ConsentRecord.Verification
    if consent is not None:
        newest = consent_records_for_creator(creator).first()
        if newest.verification == Verification.HELD and newest.revoked_at is None:
            waiting = newest
        elif newest != consent and newest.verification == Verification.REJECTED:
            refused = newest
    elif enrolled:
        first_waiting = ConsentRecord.objects.filter(
            creator=creator, verification=Verification.HELD, revoked_at__isnull=True
        ).first()
    return EnrolmentStatus(
        enrolled=enrolled,
        consent=consent,
        consent_problem=problem,
        renewal_waiting=waiting,
        renewal_refused=refused,
        consent_waiting=first_waiting,
    )


def consent_records_for_creator(creator):
    return ConsentRecord.objects.filter(creator=creator).order_by("-granted_at")


def consent_challenge_spent(creator, nonce: str) -> bool:
    """Whether this challenge can take no more recordings (used, or gone): the page must issue
    a new one, since a nonce counts once even when its attempt was refused."""
    return not ConsentChallenge.objects.filter(
        creator=creator, nonce=nonce, used_at__isnull=True
    ).exists()
