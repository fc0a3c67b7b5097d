"""The moderators' queue, their decisions, public reports, revocation and account deletion."""

import json
from pathlib import Path

import pytest
from django.core import mail
from django.test import override_settings

from studio.errors import GateRefused, InvalidTransition
from studio.models import (
    AuditEvent,
    DoNotAnimateEntry,
    JobState,
    ModerationCase,
    OutputArtifact,
)
from studio.services.accounts import account_delete, moderator_create
from studio.services.consent import consent_revoke
from studio.services.jobs import job_render
from studio.services.moderation import case_claim, case_decide
from tests.studio.factories import PASSWORD, submit_job, upload
from tests.studio.test_provenance_verify import _reencode
from tests.studio.two_factor import login_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(db):
    return moderator_create(email="moderator@example.com", password=PASSWORD)


@pytest.fixture
def moderator_client(client, moderator):
    login_with_second_factor(client, moderator)
    return client


def _submit(creator, tmp_path):
    return submit_job(creator, tmp_path)


def _render(job):
    job_render(job.pk)
    job.refresh_from_db()
    return job


@override_settings(SIGNET_IDENTITY_ACCEPT=0.2, SIGNET_IDENTITY_REJECT=0.7)
def test_a_grey_zone_job_waits_in_the_queue_and_renders_only_after_approval(
    consented_creator, moderator, tmp_path, moderator_client
):
    job = _submit(consented_creator, tmp_path)
    assert job.state == JobState.HELD and not OutputArtifact.objects.exists()
    queue = moderator_client.get("/moderation/").content.decode()
    case = ModerationCase.objects.get(job=job)
    assert str(case.public_id) in queue and "Identity match in the grey zone" in queue
    job_render(job.pk)  # a worker picking it up early does nothing while it is held
    job.refresh_from_db()
    assert job.state == JobState.HELD
    case_decide(case=case, moderator=moderator, decision="approve")
    job.refresh_from_db()
    assert job.state == JobState.QUEUED
    assert _render(job).state == JobState.RELEASED
    assert AuditEvent.objects.filter(action="case.decided", details__decision="approve").exists()


@override_settings(SIGNET_HOLD_FIRST_JOBS=1)
def test_a_first_output_is_held_then_released_on_approval(
    client, consented_creator, moderator, tmp_path
):
    job = _render(_submit(consented_creator, tmp_path))
    assert job.state == JobState.IN_REVIEW and job.output.status == "under_review"
    assert any("waiting for a moderator" in m.subject for m in mail.outbox)
    client.login(username=consented_creator.username, password=PASSWORD)
    assert client.get(f"/outputs/{job.output.public_id}/video.mp4").status_code == 404
    case = ModerationCase.objects.get(job=job, reason="first_outputs")
    case_decide(case=case, moderator=moderator, decision="approve")
    job.refresh_from_db()
    assert job.state == JobState.RELEASED and job.output.status == "released"
    assert client.get(f"/outputs/{job.output.public_id}/video.mp4").status_code == 200


@override_settings(SIGNET_HOLD_FIRST_JOBS=1)
def test_a_rejected_video_is_never_downloadable(client, consented_creator, moderator, tmp_path):
    job = _render(_submit(consented_creator, tmp_path))
    case = ModerationCase.objects.get(job=job)
    with pytest.raises(Exception, match="reason"):
        case_decide(case=case, moderator=moderator, decision="reject")
    case_decide(
        case=case,
        moderator=moderator,
        decision="reject",
        reason="The portrait is not of the creator.",
    )
    job.refresh_from_db()
    assert job.state == JobState.REJECTED and job.output.status == "rejected"
    client.login(username=consented_creator.username, password=PASSWORD)
    assert client.get(f"/outputs/{job.output.public_id}/video.mp4").status_code == 404
    page = client.get(f"/jobs/{job.public_id}/").content.decode()
    assert "The portrait is not of the creator." in page
    body = client.post(
        "/api/v1/verify", {"file": upload(Path(job.output.file.path), "v.mp4")}
    ).json()
    assert body["record"]["status"] == "rejected"


def test_only_one_moderator_works_a_case(consented_creator, moderator, tmp_path):
    other = moderator_create(email="second@example.com", password=PASSWORD)
    with override_settings(SIGNET_IDENTITY_ACCEPT=0.2, SIGNET_IDENTITY_REJECT=0.7):
        job = _submit(consented_creator, tmp_path)
    case = ModerationCase.objects.get(job=job)
    case_claim(case=case, moderator=moderator)
    with pytest.raises(InvalidTransition, match="already claimed"):
        case_claim(case=case, moderator=other)
    with pytest.raises(InvalidTransition):
        case_decide(case=case, moderator=other, decision="approve")


def test_a_report_from_the_verifier_opens_a_case_without_revealing_the_creator(
    client, consented_creator, tmp_path
):
    job = _render(_submit(consented_creator, tmp_path))
    verified = client.post(
        "/api/v1/verify", {"file": upload(Path(job.output.file.path), "v.mp4")}
    ).json()
    response = client.post(
        "/verify/report/",
        {"token": verified["report_token"], "message": "This video impersonates me."},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "A Signet moderator will look at this video" in text
    assert consented_creator.email not in text
    case = ModerationCase.objects.get(reason="misuse_report")
    assert case.job == job and case.reports.get().message == "This video impersonates me."
    forged = client.post(
        "/verify/report/", {"token": "forged", "message": "This video impersonates me."}
    )
    assert forged.status_code == 400


def test_revocation_flips_the_verifier_for_the_original_and_a_reencoded_copy(
    client, consented_creator, tmp_path
):
    job = _render(_submit(consented_creator, tmp_path))
    original = Path(job.output.file.path)
    copy = _reencode(original, tmp_path / "copy.mp4", crf=28)
    assert (
        client.post("/api/v1/verify", {"file": upload(copy)}).json()["record"]["status"]
        == "released"
    )
    consent_revoke(creator=consented_creator)
    for path in (original, copy):
        record = client.post("/api/v1/verify", {"file": upload(path)}).json()["record"]
        assert record["status"] == "revoked" and "revoked" in record["status_explained"]


def test_account_deletion_removes_personal_data_but_the_verifier_still_answers(
    client, consented_creator, tmp_path
):
    job = _render(_submit(consented_creator, tmp_path))
    output_path = Path(job.output.file.path)
    copy = _reencode(output_path, tmp_path / "copy.mp4", crf=28)
    personal_files = [
        Path(job.portrait.image.path),
        Path(job.audio.file.path),
        Path(consented_creator.enrolled_identity.selfie.path),
        Path(job.consent.recording.path),
        output_path,
    ]
    assert all(path.exists() for path in personal_files)
    account_delete(user=consented_creator)
    assert not any(path.exists() for path in personal_files)
    job.refresh_from_db()
    assert job.creator is None and job.portrait.face is None
    assert job.consent.signature_name == "" and job.consent.statement_sha256
    record = client.post("/api/v1/verify", {"file": upload(copy)}).json()["record"]
    assert record["status"] == "revoked" and record["creator"].startswith("creator-")


def test_creators_cannot_open_the_queue_or_a_case(creator_client, consented_creator, tmp_path):
    with override_settings(SIGNET_IDENTITY_ACCEPT=0.2, SIGNET_IDENTITY_REJECT=0.7):
        job = _submit(consented_creator, tmp_path)
    case = ModerationCase.objects.get(job=job)
    assert creator_client.get("/moderation/").status_code == 403
    assert creator_client.get(f"/moderation/cases/{case.public_id}/").status_code == 403
    assert (
        creator_client.post(
            f"/moderation/cases/{case.public_id}/decide", {"decision": "approve"}
        ).status_code
        == 403
    )
    assert (
        creator_client.get(f"/moderation/cases/{case.public_id}/evidence/selfie").status_code == 403
    )
    job.refresh_from_db()
    assert job.state == JobState.HELD


def test_a_moderator_opening_a_released_output_is_logged(
    moderator_client, consented_creator, tmp_path
):
    job = _render(_submit(consented_creator, tmp_path))
    ModerationCase.objects.create(job=job, reason="misuse_report")
    response = moderator_client.get(f"/outputs/{job.output.public_id}/video.mp4")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="output.viewed_by_moderator")
    assert event.details["under_review"] is False and event.subject_id == str(job.output.public_id)


def test_banning_deactivates_the_creator_and_revokes_their_outputs(
    consented_creator, moderator, tmp_path
):
    released = _render(_submit(consented_creator, tmp_path))
    report_case = ModerationCase.objects.create(job=released, reason="misuse_report")
    case_decide(case=report_case, moderator=moderator, decision="ban", reason="Impersonation.")
    consented_creator.refresh_from_db()
    released.refresh_from_db()
    assert not consented_creator.is_active
    assert released.output.status in {"revoked", "rejected"}
    assert AuditEvent.objects.filter(action="account.banned").exists()


def test_adding_a_face_to_the_gallery_blocks_it_from_then_on(
    consented_creator, moderator, tmp_path
):
    with override_settings(SIGNET_IDENTITY_ACCEPT=0.2, SIGNET_IDENTITY_REJECT=0.7):
        job = _submit(consented_creator, tmp_path)
    case = ModerationCase.objects.get(job=job)
    case_decide(case=case, moderator=moderator, decision="gallery", reason="Public figure.")
    assert DoNotAnimateEntry.objects.filter(source_case=case).exists()
    with pytest.raises(GateRefused, match="may not be animated"):
        _submit(consented_creator, tmp_path)


def test_the_case_page_shows_what_a_decision_needs(moderator_client, consented_creator, tmp_path):
    with override_settings(SIGNET_IDENTITY_ACCEPT=0.2, SIGNET_IDENTITY_REJECT=0.7):
        job = _submit(consented_creator, tmp_path)
    case = ModerationCase.objects.get(job=job)
    page = moderator_client.get(f"/moderation/cases/{case.public_id}/").content.decode()
    for expected in (
        "Enrolled selfie",
        "Portrait",
        "Consent evidence",
        "Test Creator",
        job.consent.one_time_code,
        f"{job.identity_distance:.4f}"[:5],
        "Audit history",
        "State changed",  # the audit history reads as words and named fields
        "<dt>to</dt><dd>Held for review before rendering</dd>",
    ):
        assert expected in page
    history = page[page.index('id="history"') :]
    assert "{'" not in history and "job.transition" not in history
    for kind in ("selfie", "portrait", "recording"):
        assert (
            moderator_client.get(f"/moderation/cases/{case.public_id}/evidence/{kind}").status_code
            == 200
        )


def test_audit_export_writes_json_lines(consented_creator, capsys):
    from django.core.management import call_command

    call_command("audit_export")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines and all(
        b["previous_hash"] == a["event_hash"] for a, b in zip(lines, lines[1:], strict=False)
    )


@override_settings(SIGNET_REVIEW_SAMPLE_RATE=1.0)
def test_sampled_releases_reach_the_queue_after_release(consented_creator, tmp_path):
    job = _render(_submit(consented_creator, tmp_path))
    assert job.state == JobState.RELEASED and job.output.status == "released"
    assert ModerationCase.objects.get(job=job).reason == "random_sample"


@override_settings(SIGNET_HOLD_FIRST_JOBS=1)
def test_e_mails_reach_a_german_creator_in_german_whoever_sends_them(
    consented_creator, moderator, tmp_path
):
    from django.utils import translation

    from studio.models import ConsentRecord

    ConsentRecord.objects.filter(creator=consented_creator).update(language="de")
    with translation.override("en"):  # the worker and the moderator read English
        job = _render(_submit(consented_creator, tmp_path))
        case = ModerationCase.objects.get(job=job, reason="first_outputs")
        case_decide(case=case, moderator=moderator, decision="approve")
    held, released = mail.outbox[-2:]
    assert "Moderation" in held.subject and "waiting" not in held.subject
    assert "angenommen" in released.body and "approved" not in released.body


@override_settings(SIGNET_IDENTITY_ACCEPT=0.2, SIGNET_IDENTITY_REJECT=0.7)
def test_a_creator_who_is_also_a_moderator_cannot_approve_their_own_held_job(
    client, consented_creator, tmp_path
):
    from django.contrib.auth.models import Group

    consented_creator.groups.add(Group.objects.get(name="moderator"))
    login_with_second_factor(client, consented_creator)
    job = _submit(consented_creator, tmp_path)
    assert job.state == JobState.HELD
    case = ModerationCase.objects.get(job=job)
    response = client.post(
        f"/moderation/cases/{case.public_id}/decide", {"decision": "approve"}, follow=True
    )
    assert "your own" in response.content.decode()
    job.refresh_from_db()
    case.refresh_from_db()
    assert job.state == JobState.HELD
    assert case.state != ModerationCase.State.RESOLVED
    assert not AuditEvent.objects.filter(action="case.decided").exists()


def test_a_moderator_cannot_open_a_video_no_case_gives_them(
    moderator_client, consented_creator, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    job = _render(_submit(consented_creator, tmp_path))
    assert job.state == JobState.RELEASED
    # The public verifier names the output's ID to anyone holding a copy.
    with job.output.file.open("rb") as handle:
        copy = SimpleUploadedFile("copy.mp4", handle.read())
    output_id = moderator_client.post("/api/v1/verify", {"file": copy}).json()["record"]["id"]
    for path in (f"/outputs/{output_id}/video.mp4", f"/outputs/{output_id}/poster.jpg"):
        assert moderator_client.get(path).status_code == 404
    assert not AuditEvent.objects.filter(action="output.viewed_by_moderator").exists()


def _whole_file(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_moderator_fetching_a_whole_file_by_a_suffix_range_is_still_logged(
    moderator_client, consented_creator, tmp_path
):
    # "bytes=-N" asks for the last N bytes: with N past the size it is the whole file, and it
    # does not start with "bytes=0-", which the log used to take as "not a new opening".
    whole = {"HTTP_RANGE": "bytes=-1000000000"}
    job = _render(_submit(consented_creator, tmp_path))
    case = ModerationCase.objects.create(job=job, reason="misuse_report")
    video = moderator_client.get(f"/outputs/{job.output.public_id}/video.mp4", **whole)
    assert video.status_code == 206
    with job.output.file.open("rb") as handle:
        assert _whole_file(video) == handle.read()
    assert AuditEvent.objects.filter(
        action="output.viewed_by_moderator", subject_id=str(job.output.public_id)
    ).exists()
    selfie = moderator_client.get(f"/moderation/cases/{case.public_id}/evidence/selfie", **whole)
    assert selfie.status_code == 206 and _whole_file(selfie)
    assert AuditEvent.objects.filter(action="case.evidence_viewed", details__kind="selfie").exists()
    poster = moderator_client.get(f"/outputs/{job.output.public_id}/poster.jpg", **whole)
    assert poster.status_code == 206
    assert AuditEvent.objects.filter(
        action="output.viewed_by_moderator", details__file="poster"
    ).exists()
    # The rest of one playback (later ranges) adds no further event.
    moderator_client.get(f"/outputs/{job.output.public_id}/video.mp4", HTTP_RANGE="bytes=100-")
    assert AuditEvent.objects.filter(action="output.viewed_by_moderator").count() == 2


def test_evidence_deleted_with_the_account_is_explained_in_the_moderators_language(
    moderator_client, consented_creator, tmp_path
):
    from studio.models import EnrolledIdentity

    with override_settings(SIGNET_IDENTITY_ACCEPT=0.2, SIGNET_IDENTITY_REJECT=0.7):
        job = _submit(consented_creator, tmp_path)
    case = ModerationCase.objects.get(job=job)
    EnrolledIdentity.objects.filter(creator=consented_creator).delete()
    gone = moderator_client.get(
        f"/moderation/cases/{case.public_id}/evidence/selfie", HTTP_ACCEPT_LANGUAGE="de"
    )
    assert gone.status_code == 404
    assert "Dieser Nachweis ist nicht verfügbar" in gone.content.decode()


def test_approving_a_do_not_animate_refusal_is_refused_and_not_offered(
    moderator, moderator_client, consented_creator, tmp_path
):
    """Approve used to close such a case and change nothing: the moderator believed the job
    would now be rendered, and the creator was never told anything."""
    from studio.errors import InputRefused
    from studio.models import DoNotAnimateEntry, EnrolledIdentity, ModerationCase
    from studio.services.moderation import case_decide

    identity = EnrolledIdentity.objects.get(creator=consented_creator)
    DoNotAnimateEntry.objects.create(
        label="public figure", embedding=identity.embedding, face_backend="dlib"
    )
    with pytest.raises(GateRefused):
        _submit(consented_creator, tmp_path)
    case = ModerationCase.objects.get(reason=ModerationCase.Reason.DO_NOT_ANIMATE)
    page = moderator_client.get(f"/moderation/cases/{case.public_id}/").content.decode()
    assert 'value="approve"' not in page and 'value="dismiss"' in page
    with pytest.raises(InputRefused, match="nothing to approve"):
        case_decide(case=case, moderator=moderator, decision="approve")
    case.refresh_from_db()
    assert case.state == ModerationCase.State.OPEN
