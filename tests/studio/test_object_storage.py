"""Stored media in a real S3 server (SeaweedFS): uploads, outputs and posters go to the bucket,
workers render from a private scratch folder, the web serves outputs by presigned URL with
range requests, and the bucket itself refuses anyone without a signature."""

import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from studio.models import JobState
from studio.services.jobs import job_render, job_work_dir
from tests.studio.factories import submit_job

pytestmark = pytest.mark.django_db


def _get(url: str, **headers) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def test_a_job_lives_in_object_storage_and_is_played_from_it(
    s3_media, creator_client, consented_creator, tmp_path, media_files
):
    before = media_files()
    job = submit_job(consented_creator, tmp_path, seconds=1.2)
    job_render(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.RELEASED, job.failure_reason
    output = job.output

    keys = set(s3_media.keys())
    for stored in (job.portrait.image, job.audio.file, output.file, output.poster):
        assert stored.name in keys
    assert media_files() == before  # nothing written to the local media folder
    assert not job_work_dir(job).exists()  # the worker's scratch folder is gone
    assert not str(settings.SIGNET_SCRATCH_DIR).startswith(str(settings.MEDIA_ROOT))

    # A stranger asking the bucket directly gets nothing: it is private.
    status, _body, _headers = _get(f"{s3_media.endpoint}/{s3_media.bucket}/{output.file.name}")
    assert status == 403

    # The owner gets a short-lived signed link, and the store answers range requests on it.
    answer = creator_client.get(f"/outputs/{output.public_id}/video.mp4")
    assert answer.status_code == 302
    signed = answer["Location"]
    assert "X-Amz-Signature=" in signed and "X-Amz-Expires=" in signed
    whole = s3_media.client().get_object(Bucket=s3_media.bucket, Key=output.file.name)
    data = whole["Body"].read()
    status, body, headers = _get(signed, Range="bytes=100-199")
    assert status == 206 and body == data[100:200]
    assert headers.get("Content-Range") == f"bytes 100-199/{len(data)}"
    assert headers.get("Content-Type") == "video/mp4"
    # A tampered link (another object under the same signature) is refused.
    forged = signed.replace(Path(output.file.name).name, Path(output.poster.name).name)
    assert _get(forged)[0] == 403


def test_someone_elses_output_gives_no_signed_link(s3_media, client, consented_creator, tmp_path):
    from tests.studio.factories import PASSWORD, make_creator

    job = submit_job(consented_creator, tmp_path, seconds=1.2)
    job_render(job.pk)
    job.refresh_from_db()
    other = make_creator("other@example.com")
    assert client.login(username=other.username, password=PASSWORD)
    answer = client.get(f"/outputs/{job.output.public_id}/video.mp4")
    assert answer.status_code in (403, 404)
    assert "Location" not in answer


def test_an_output_whose_publishing_does_not_commit_leaves_nothing_in_the_bucket(
    s3_media, consented_creator, tmp_path, monkeypatch
):
    """Object storage has no rollback: the files uploaded inside a publishing transaction that
    fails (here: the job's state may no longer change, as when it was re-queued) are deleted."""
    from studio.services import publishing

    def refuse(*_args, **_kwargs):
        raise RuntimeError("the job was queued again meanwhile")

    job = submit_job(consented_creator, tmp_path, seconds=1.2)
    before = set(s3_media.keys())
    monkeypatch.setattr(publishing, "job_transition", refuse)
    job_render(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert set(s3_media.keys()) == before


def test_the_public_manifest_store_is_read_from_object_storage(
    s3_media, client, consented_creator, tmp_path
):
    from safety.provenance.store import MEDIA_TYPE

    job = submit_job(consented_creator, tmp_path, seconds=1.2)
    job_render(job.pk)
    job.refresh_from_db()
    answer = client.get(f"/api/v1/manifests/{job.output.manifest_id}")  # was a 500 on S3
    assert answer.status_code == 200 and answer["Content-Type"] == MEDIA_TYPE
    assert answer.content[4:8] == b"jumb"


def test_a_signed_link_given_out_before_a_revocation_stops_working_at_once(
    s3_media, creator_client, consented_creator, tmp_path, django_capture_on_commit_callbacks
):
    from studio.services.consent import consent_revoke

    job = submit_job(consented_creator, tmp_path, seconds=1.2)
    job_render(job.pk)
    output = job.output
    video_link = creator_client.get(f"/outputs/{output.public_id}/video.mp4")["Location"]
    poster_link = creator_client.get(f"/outputs/{output.public_id}/poster.jpg")["Location"]
    assert _get(video_link)[0] == 200 and _get(poster_link)[0] == 200
    sealed = s3_media.client().get_object(Bucket=s3_media.bucket, Key=output.file.name)
    sealed_bytes = sealed["Body"].read()

    with django_capture_on_commit_callbacks(execute=True):  # as when the request commits
        consent_revoke(creator=consented_creator)  # revokes every released video of the creator

    # The links were handed out for 300 s; the video is no longer out, so they are dead now.
    assert _get(video_link)[0] in (403, 404)
    assert _get(poster_link)[0] in (403, 404)
    assert creator_client.get(f"/outputs/{output.public_id}/video.mp4").status_code == 404
    # The sealed file itself is kept, byte for byte, under a new name (moderators and the
    # verifier's record still refer to it); the old object is gone from the bucket.
    output.refresh_from_db()
    assert output.status == "revoked"
    keys = set(s3_media.keys())
    assert output.file.name in keys and output.poster.name in keys
    assert video_link.split("?")[0].rsplit("/", 1)[1] not in {k.rsplit("/", 1)[1] for k in keys}
    moved = s3_media.client().get_object(Bucket=s3_media.bucket, Key=output.file.name)
    assert moved["Body"].read() == sealed_bytes


def test_a_revocation_goes_through_when_the_store_cannot_move_the_file(
    s3_media, consented_creator, tmp_path, django_capture_on_commit_callbacks
):
    from unittest import mock

    from studio.services.consent import consent_revoke

    job = submit_job(consented_creator, tmp_path, seconds=1.2)
    job_render(job.pk)
    name = job.output.file.name
    with mock.patch("studio.stored_files._copy_in_store", side_effect=OSError("store down")), \
            django_capture_on_commit_callbacks(execute=True):  # fmt: skip
        consent_revoke(creator=consented_creator)
    job.output.refresh_from_db()
    assert job.output.status == "revoked"  # what the verifier says, whatever the store did
    assert job.output.file.name == name and name in s3_media.keys()
