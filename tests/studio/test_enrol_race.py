"""Two enrolments of one creator at once (a double click on "Take selfie and enrol")."""

import pytest

from studio.models import EnrolledIdentity
from studio.services.consent import identity_enrol
from tests.generation.media_factory import face_path
from tests.studio.factories import make_creator
from tests.studio.races import race_with_the_first_held

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_double_submitted_first_enrolment_enrols_once_without_an_error(monkeypatch):
    creator = make_creator("double-click@example.com")

    def enrol(name):
        identity_enrol(creator=creator, selfie=face_path("obama.jpg"))

    errors = race_with_the_first_held(EnrolledIdentity, monkeypatch, enrol, hold_seconds=3)
    assert errors == {}
    assert EnrolledIdentity.objects.filter(creator=creator).count() == 1


@pytest.mark.django_db
def test_a_selfie_enrolled_while_the_recording_is_checked_voids_that_recording(
    consented_creator, monkeypatch
):
    """The recording is checked against the face enrolled when it arrives; another tab that
    enrols a different face during those seconds must not inherit the consent."""
    from studio.errors import InputRefused
    from studio.models import AuditEvent, ConsentRecord
    from studio.services import consent as consent_service
    from tests.studio.factories import grant_live_consent

    real_check = consent_service.check_evidence

    def check_then_other_tab_enrols(**inputs):
        result = real_check(**inputs)
        identity_enrol(creator=consented_creator, selfie=face_path("biden.jpg"))
        return result

    monkeypatch.setattr(consent_service, "check_evidence", check_then_other_tab_enrols)
    before = ConsentRecord.objects.count()
    with pytest.raises(InputRefused, match="new selfie while this recording"):
        grant_live_consent(consented_creator)
    assert ConsentRecord.objects.count() == before
    assert AuditEvent.objects.filter(action="consent.refused").exists()
