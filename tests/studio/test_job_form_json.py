"""The new-video form's background answers (what static/studio/job_new.js reads)."""

import numpy as np
import pytest

from tests.generation.media_factory import face_path, write_audio
from tests.studio.factories import upload, write_speech

pytestmark = pytest.mark.django_db

AS_SCRIPT = {"HTTP_ACCEPT": "application/json"}


def test_a_refused_file_is_answered_with_its_reason_and_fields(creator_client, tmp_path):
    silence = write_audio(tmp_path / "silence.wav", np.zeros(32_000, dtype=np.float32))
    answer = creator_client.post(
        "/jobs/new/",
        {"portrait": upload(face_path("obama2.jpg")), "audio": upload(silence),
         "label_corner": "bottom-right"},
        **AS_SCRIPT,
    )
    assert answer.status_code == 400
    assert "silent" in answer.json()["error"]["message"]
    assert answer.json()["error"]["code"] == "input_refused"

    missing = creator_client.post("/jobs/new/", {"label_corner": "bottom-right"}, **AS_SCRIPT)
    assert missing.status_code == 400
    assert set(missing.json()["error"]["fields"]) == {"portrait", "audio"}
    assert missing.json()["error"]["code"] == "invalid"


def test_a_gate_refusal_sends_the_script_to_the_job_page_where_the_reason_waits(
    creator_client, tmp_path
):
    answer = creator_client.post(
        "/jobs/new/",
        {"portrait": upload(face_path("biden.jpg")),
         "audio": upload(write_speech(tmp_path / "speech.wav", seconds=1.2)),
         "label_corner": "bottom-right"},
        **AS_SCRIPT,
    )
    assert answer.status_code == 200 and answer.json()["next"].startswith("/jobs/")
    job_page = creator_client.get(answer.json()["next"]).content.decode()
    assert "does not match" in job_page or "not match" in job_page


def test_without_the_script_a_form_with_a_missing_file_is_a_400_page_marking_it(
    creator_client,
):
    """A browser without JavaScript posts the form itself: the page comes back marked, and its
    status says the request was refused (a 200 told clients and monitors all was well)."""
    page = creator_client.post("/jobs/new/", {"label_corner": "bottom-right"})
    assert page.status_code == 400
    assert page.content.decode().count('class="errorlist"') == 2
    assert creator_client.get("/jobs/new/").status_code == 200
