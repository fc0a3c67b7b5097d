"""A creator withdraws one released video: revoked for every copy, its files deleted."""

import shutil
from pathlib import Path

import pytest
from django.test import Client

from studio.models import ModerationCase, OutputArtifact
from tests.studio import factories
from tests.studio.factories import (
    PASSWORD,
    enrol_and_consent,
    make_creator,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def released_job(consented_creator, tmp_path):
    return factories.released_job(consented_creator, tmp_path, seconds=1.5)


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def withdraw(client: Client, job):
    return client.post(f"/jobs/{job.public_id}/withdraw")


def test_a_withdrawn_video_is_revoked_for_any_copy_and_its_files_are_gone(
    consented_creator, released_job, tmp_path, django_capture_on_commit_callbacks
):
    output = released_job.output
    files = [
        Path(output.file.path),
        Path(output.poster.path),
        Path(released_job.portrait.image.path),
        Path(released_job.audio.file.path),
    ]
    copy = shutil.copy(files[0], tmp_path / "downloaded.mp4")  # a copy already out there
    creator = logged_in(consented_creator)
    assert creator.get(f"/outputs/{output.public_id}/video.mp4").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        answer = withdraw(creator, released_job)
    assert answer.status_code == 302
    assert not any(path.exists() for path in files)
    released_job.refresh_from_db()
    assert released_job.state == "revoked"
    assert OutputArtifact.objects.get(pk=output.pk).status == "revoked"
    assert creator.get(f"/outputs/{output.public_id}/video.mp4").status_code == 404
    page = creator.get(f"/jobs/{released_job.public_id}/", HTTP_ACCEPT_LANGUAGE="de")
    assert "Sie haben dieses Video zurückgezogen" in page.content.decode()
    record = Client().post("/api/v1/verify", {"file": upload(Path(copy))}).json()["record"]
    assert record["status"] == "revoked"


def test_another_creator_cannot_withdraw_a_video_that_is_not_theirs(
    consented_creator, released_job, tmp_path
):
    other = make_creator("other@example.com")
    enrol_and_consent(other, tmp_path / "other")
    assert withdraw(logged_in(other), released_job).status_code == 404
    assert Client().post(f"/jobs/{released_job.public_id}/withdraw").status_code == 302  # login
    released_job.refresh_from_db()
    assert released_job.state == "released" and Path(released_job.output.file.path).exists()


def test_a_video_under_a_moderators_review_keeps_its_evidence(consented_creator, released_job):
    ModerationCase.objects.create(job=released_job, reason=ModerationCase.Reason.MISUSE_REPORT)
    answer = withdraw(logged_in(consented_creator), released_job)
    assert answer.status_code == 403
    assert "moderator is looking into this video" in answer.content.decode()
    released_job.refresh_from_db()
    assert released_job.state == "released" and Path(released_job.output.file.path).exists()


def test_only_a_post_withdraws_and_only_a_released_video(consented_creator, released_job):
    creator = logged_in(consented_creator)
    assert creator.get(f"/jobs/{released_job.public_id}/withdraw").status_code == 405
    assert withdraw(creator, released_job).status_code == 302
    again = withdraw(creator, released_job)
    assert again.status_code == 403 and "Only a released video" in again.content.decode()
