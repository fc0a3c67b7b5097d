"""An attacker's third round: races between tabs, odd requests to moderators' pages, and more."""

from unittest import mock

import pytest
from django.conf import settings

from studio.errors import GateRefused, InputRefused
from studio.models import AuditEvent, DoNotAnimateEntry, JobState
from studio.services import consent_evidence
from studio.services.accounts import account_delete, moderator_create
from studio.services.api_tokens import api_token_create
from studio.services.consent import consent_grant, identity_enrol
from studio.services.jobs import job_render
from tests.generation.media_factory import face_path
from tests.studio import factories
from tests.studio.factories import PASSWORD, cached_recording, live_challenge, submit_job
from tests.studio.two_factor import login_with_second_factor

pytestmark = pytest.mark.django_db


# 1. Consent recorded for one face, while another tab enrols someone else's photo


def test_consent_checked_against_a_face_replaced_meanwhile_animates_nobody(creator, tmp_path):
    """The attacker records live consent as themselves and, while the server checks that
    recording against their enrolled selfie, enrols a photo of the victim in a second tab. The
    consent that comes out was never given by the face now enrolled: it must not let the victim's
    portrait through the gate."""
    identity_enrol(creator=creator, selfie=face_path("obama.jpg"))
    challenge = live_challenge(creator)
    recording = cached_recording("obama.jpg", challenge)

    def assess_while_the_second_tab_enrols_the_victim(path, **inputs):
        assessment = factories._assess_remembered(path, **inputs)
        identity_enrol(creator=creator, selfie=face_path("biden.jpg"))
        return assessment

    with mock.patch.object(
        consent_evidence, "assess_recording", assess_while_the_second_tab_enrols_the_victim
    ), pytest.raises(InputRefused, match="new selfie while this recording"):
        # Refused where it is recorded (the face checked is no longer the one enrolled); the
        # gate below would refuse such consent too.
        consent_grant(
            creator=creator,
            signature_name="Attacker",
            nonce=challenge.nonce,
            session_key="",
            recording=recording,
        )

    with pytest.raises(GateRefused):
        submit_job(creator, tmp_path, portrait="biden.jpg")
    job = creator.jobs.get()
    assert job.state == JobState.REJECTED
    assert job.gate_report["reason_code"] == "no_valid_consent"
    assert AuditEvent.objects.filter(action="gate.refused", actor=creator).exists()


# 2. Moderators' forms sent incomplete


@pytest.fixture
def moderator_client(client):
    login_with_second_factor(client, moderator_create(email="mod@example.com", password=PASSWORD))
    return client


def test_adding_to_the_gallery_without_a_photo_is_explained_not_a_server_error(moderator_client):
    answer = moderator_client.post("/moderation/gallery/", {"label": "someone"}, follow=True)
    assert answer.status_code == 200
    assert "Choose the photo of the person to add." in answer.content.decode()
    assert not DoNotAnimateEntry.objects.exists()


# 3. What deleting an account leaves behind


def test_deleting_the_account_deletes_the_preview_still_of_the_face_too(consented_creator, tmp_path):
    job = submit_job(consented_creator, tmp_path)
    job_render(job.pk)
    job.refresh_from_db()
    poster = job.output.poster
    assert poster and poster.storage.exists(poster.name)
    account_delete(user=consented_creator)
    assert not poster.storage.exists(poster.name)
    job.output.refresh_from_db()
    assert not job.output.poster


# 4. Guessing the password from a session someone left open


def _wrong_passwords_then_the_right_one(client, path, field, **fields):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # The guess that reaches the limit may already be answered with the lockout.
        answer = client.post(path, {field: f"wrong-guess-{attempt}", **fields})
        assert answer.status_code in (200, 400, 429), answer.status_code
    return client.post(path, {field: PASSWORD, **fields})


def test_the_password_change_form_locks_out_a_guesser_as_the_login_does(
    creator_client, consented_creator
):
    new = "another-long-password-77"
    answer = _wrong_passwords_then_the_right_one(
        creator_client, "/accounts/password/", "old_password",
        new_password1=new, new_password2=new,
    )  # fmt: skip
    assert answer.status_code == 429 and answer["Retry-After"]
    consented_creator.refresh_from_db()
    assert consented_creator.check_password(PASSWORD)


def test_the_delete_account_form_locks_out_a_guesser_as_the_login_does(
    creator_client, consented_creator
):
    answer = _wrong_passwords_then_the_right_one(creator_client, "/accounts/delete/", "password")
    assert answer.status_code == 429 and answer["Retry-After"]
    assert type(consented_creator).objects.filter(pk=consented_creator.pk).exists()


# 5. Requests Django cannot read, sent to the API


UNREADABLE_BODIES = {
    "multipart without a boundary": {
        "data": b'--x\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc\r\n--x--',
        "content_type": "multipart/form-data",
    },
    "more form fields than Django reads": {
        "data": "&".join(f"k{index}=v" for index in range(1200)),
        "content_type": "application/x-www-form-urlencoded",
    },
    "a form body over Django's memory limit": {
        "data": "a=" + "x" * (6 * 1024 * 1024),
        "content_type": "application/x-www-form-urlencoded",
    },
}


@pytest.mark.parametrize("body", sorted(UNREADABLE_BODIES))
def test_an_unreadable_request_to_the_api_is_a_400_not_a_server_error(client, creator, body):
    key = api_token_create(creator=creator, label="script")[1]
    for path, headers in (
        ("/api/v1/verify", {}),
        ("/api/v1/jobs", {"HTTP_AUTHORIZATION": f"Bearer {key}"}),
    ):
        answer = client.generic("POST", path, **UNREADABLE_BODIES[body], **headers)
        assert answer.status_code == 400, (path, answer.content[:200])
        assert answer.json()["error"]["code"] == "bad_request"


# 6. Flooding someone's inbox through the sign-up page


def test_sign_up_mails_to_one_address_are_capped_whatever_its_spelling_and_sender(
    client, creator, mailoutbox
):
    """From ever new client addresses, the sign-up page (the same answer every time) must not
    become a way to send one person an unlimited number of mails."""
    spellings = [" Creator@Example.com", "CREATOR@example.com", "creator@example.com "] * 4
    for number, spelling in enumerate(spellings):
        answer = client.post(
            "/accounts/signup/", {"email": spelling}, REMOTE_ADDR=f"198.51.100.{number + 1}"
        )
        assert answer.status_code == 200
        assert "registration/signup_sent.html" in [t.name for t in answer.templates]
    assert 1 <= len(mailoutbox) <= 3
    assert {tuple(mail.to) for mail in mailoutbox} == {(creator.email,)}


# 7. A moderator's password without the second factor


@pytest.mark.parametrize(
    "path, form",
    [
        ("/accounts/delete/", {"password": PASSWORD}),
        (
            "/accounts/password/",
            {
                "old_password": PASSWORD,
                "new_password1": "taken-over-password-99",
                "new_password2": "taken-over-password-99",
            },
        ),
    ],
)
def test_a_moderators_password_alone_cannot_delete_or_re_key_the_account(client, path, form):
    """The second factor protects the moderation pages; whoever holds only the password must not
    be able to delete the moderator's account or change its password either."""
    moderator = moderator_create(email="mod@example.com", password=PASSWORD)
    assert client.login(username=moderator.username, password=PASSWORD)
    answer = client.post(path, form)
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/two-factor/")
    moderator.refresh_from_db()
    assert moderator.check_password(PASSWORD)


# 8. The admin site beside the services


def test_the_admin_site_cannot_swap_a_creators_enrolled_face_or_token(
    client, consented_creator
):
    """An enrolled face changes only through enrolling again, which voids consent, and a token's
    key only by making a new token: editing the rows in the admin would keep the consent for a
    different face, or hand someone a key to the creator's API."""
    from django.contrib.auth import get_user_model

    from studio.models import ApiToken, EnrolledIdentity

    admin = get_user_model().objects.create_superuser(
        username="admin@example.com", email="admin@example.com", password=PASSWORD
    )
    login_with_second_factor(client, admin)
    identity = EnrolledIdentity.objects.get(creator=consented_creator)
    token = api_token_create(creator=consented_creator, label="script")[0]
    edits = {
        f"/admin/studio/enrolledidentity/{identity.pk}/change/": {
            "creator": consented_creator.pk,
            "embedding": "[0.5, 0.5]",
            "face_backend": identity.face_backend,
        },
        f"/admin/studio/apitoken/{token.pk}/change/": {
            "creator": consented_creator.pk,
            "key_sha256": ApiToken.hash_key("sgt_chosen-by-the-admin"),
            "label": "script",
            "expires_at_0": "2030-01-01",
            "expires_at_1": "00:00:00",
        },
    }
    for path, form in edits.items():
        assert client.post(path, form).status_code == 403, path
    for model in ("enrolledidentity", "apitoken"):
        assert client.post(f"/admin/studio/{model}/add/", {}).status_code == 403
    identity.refresh_from_db()
    token.refresh_from_db()
    assert identity.embedding != [0.5, 0.5]
    assert token.key_sha256 != ApiToken.hash_key("sgt_chosen-by-the-admin")


def test_the_admin_site_cannot_close_a_moderation_case_without_a_decision(client, db):
    """A case is decided on the moderation pages, which carry the decision out and record who
    made it; resolving it in the admin would drop a misuse report from the queue unnoticed."""
    from django.contrib.auth import get_user_model

    from studio.models import ModerationCase

    admin = get_user_model().objects.create_superuser(
        username="admin@example.com", email="admin@example.com", password=PASSWORD
    )
    login_with_second_factor(client, admin)
    case = ModerationCase.objects.create(reason=ModerationCase.Reason.MISUSE_REPORT)
    answer = client.post(
        f"/admin/studio/moderationcase/{case.pk}/change/",
        {"reason": case.reason, "state": "resolved", "decision": "dismiss", "details": "{}"},
    )
    assert answer.status_code == 403
    case.refresh_from_db()
    assert case.state == ModerationCase.State.OPEN


# 9. Decisions on a case about consent evidence


def _held_consent_case(creator):
    """What consent_grant leaves when the evidence needs a person: a held record and its case."""
    from studio.models import ConsentRecord, ModerationCase

    record = ConsentRecord.objects.get(creator=creator, revoked_at__isnull=True)
    ConsentRecord.objects.filter(pk=record.pk).update(
        verification=ConsentRecord.Verification.HELD
    )
    case = ModerationCase.objects.create(
        consent=record, reason=ModerationCase.Reason.CONSENT_REVIEW
    )
    return record, case


def test_banning_from_a_consent_case_bans_the_creator(moderator_client, consented_creator):
    """The moderator judges a recording to be someone else's face and picks "Reject and ban the
    creator": the ban must happen, not only the case close."""
    from studio.models import ConsentRecord

    record, case = _held_consent_case(consented_creator)
    answer = moderator_client.post(
        f"/moderation/cases/{case.public_id}/decide",
        {"decision": "ban", "reason": "The recording shows someone else's face."},
    )
    assert answer.status_code == 302
    consented_creator.refresh_from_db()
    record.refresh_from_db()
    assert not consented_creator.is_active
    assert record.verification == ConsentRecord.Verification.REJECTED
    assert AuditEvent.objects.filter(action="account.banned").exists()


def test_the_gallery_decision_on_a_consent_case_is_refused_with_a_reason(
    moderator_client, consented_creator
):
    """A consent case has no analysed portrait to add; closing the case as if the face were
    now blocked would let the moderator believe it is."""
    from studio.models import ModerationCase

    _record, case = _held_consent_case(consented_creator)
    answer = moderator_client.post(
        f"/moderation/cases/{case.public_id}/decide",
        {"decision": "gallery", "reason": "A public figure."},
        follow=True,
    )
    assert "no portrait to add to the gallery" in answer.content.decode()
    case.refresh_from_db()
    assert case.state == ModerationCase.State.OPEN
    assert not DoNotAnimateEntry.objects.exists()


def test_the_admin_site_cannot_delete_what_the_verifier_and_the_audit_need(
    client, consented_creator, tmp_path
):
    """A deleted output would make the verifier say "unknown" for a revoked video's copies."""
    from django.contrib.auth import get_user_model

    from studio.models import ConsentRecord, ModerationCase

    admin = get_user_model().objects.create_superuser(
        username="admin@example.com", email="admin@example.com", password=PASSWORD
    )
    login_with_second_factor(client, admin)
    consent = ConsentRecord.objects.get(creator=consented_creator)
    case = ModerationCase.objects.create(reason=ModerationCase.Reason.MISUSE_REPORT)
    for model, pk in (("consentrecord", consent.pk), ("moderationcase", case.pk)):
        answer = client.post(f"/admin/studio/{model}/{pk}/delete/", {"post": "yes"})
        assert answer.status_code == 403, model
    bulk = client.post(
        "/admin/studio/consentrecord/",
        {"action": "delete_selected", "_selected_action": [consent.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert ConsentRecord.objects.filter(pk=consent.pk).exists()
    assert ModerationCase.objects.filter(pk=case.pk).exists()
