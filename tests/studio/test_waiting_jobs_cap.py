"""One creator cannot fill the render queue, whatever addresses or tokens they send from."""

import pytest

from studio.errors import RateLimited
from studio.models import GenerationJob, JobState
from studio.services.api_tokens import api_token_create
from tests.generation.media_factory import face_path
from tests.studio.factories import submit_job, upload, write_speech

pytestmark = pytest.mark.django_db


def test_a_creators_waiting_jobs_are_capped_across_addresses(
    client, consented_creator, tmp_path, settings
):
    settings.SIGNET_MAX_WAITING_JOBS = 2
    for _ in range(2):
        assert submit_job(consented_creator, tmp_path).state == JobState.QUEUED
    with pytest.raises(RateLimited, match="2 videos waiting"):
        submit_job(consented_creator, tmp_path)
    # From another address, over the API: the same cap.
    _token, key = api_token_create(creator=consented_creator, label="script")
    answer = client.post(
        "/api/v1/jobs",
        {
            "portrait": upload(face_path("obama2.jpg")),
            "audio": upload(write_speech(tmp_path / "speech.wav", seconds=1.2)),
        },
        HTTP_AUTHORIZATION=f"Bearer {key}",
        REMOTE_ADDR="203.0.113.77",
    )
    assert answer.status_code == 429 and answer["Retry-After"]
    assert GenerationJob.objects.filter(creator=consented_creator).count() == 2

    # Once one is done, the next is accepted.
    done = GenerationJob.objects.filter(creator=consented_creator).first()
    GenerationJob.objects.filter(pk=done.pk).update(state=JobState.RELEASED)
    assert submit_job(consented_creator, tmp_path).state == JobState.QUEUED
