from dataclasses import dataclass

from studio.models import ConsentRecord, EnrolledIdentity
from studio.services.consent_expiry import consent_ends_soon
from studio.services.gate import creator_valid_consent


@dataclass(frozen=True)
class EnrolmentStatus:
    enrolled: bool
    consent: ConsentRecord | None
    consent_problem: str

    @property
    def ready(self) -> bool:
        return self.enrolled and self.consent is not None

    @property
    def consent_ends_soon(self) -> bool:
        return consent_ends_soon(self.consent)


def creator_enrolment_status(creator) -> EnrolmentStatus:
    enrolled = EnrolledIdentity.objects.filter(creator=creator).exists()
    consent, problem = creator_valid_consent(creator) if enrolled else (None, "")
    return EnrolmentStatus(enrolled=enrolled, consent=consent, consent_problem=problem)


def consent_records_for_creator(creator):
    return ConsentRecord.objects.filter(creator=creator).order_by("-granted_at")
