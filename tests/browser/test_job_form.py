"""The new-video form in real headless Chromium: a refused file leaves the chosen files chosen,
the upload shows how far it has got, and one submission makes one job."""

import numpy as np
import pytest

from studio.models import GenerationJob
from tests.generation.media_factory import face_path, write_audio
from tests.studio.factories import PASSWORD, enrol_and_consent, make_creator, write_speech

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "form-creator@example.com"


def _log_in_consented_creator(page, live_server, tmp_path):
    creator = make_creator(EMAIL)
    enrol_and_consent(creator, tmp_path)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", EMAIL)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")
    return creator


def _chosen_file(page, field: str) -> str | None:
    return page.evaluate(
        f"(() => {{ const f = document.getElementById('{field}').files; "
        "return f.length ? f[0].name : null; })()"
    )


def test_a_refused_audio_leaves_the_photo_chosen_and_the_corrected_form_makes_one_job(
    page, live_server, celery_worker, tmp_path
):
    creator = _log_in_consented_creator(page, live_server, tmp_path)
    silence = write_audio(tmp_path / "silence.wav", np.zeros(16_000 * 2, dtype=np.float32))
    page.goto(f"{live_server.url}/jobs/new/")
    page.set_input_files("#id_portrait", str(face_path("obama2.jpg")))
    page.set_input_files("#id_audio", str(silence))
    page.click("#submit-job")
    page.wait_for_selector("#upload-error:not([hidden])")
    assert "silent" in page.inner_text("#upload-error")
    # The refusal did not cost the creator their other choice.
    assert _chosen_file(page, "id_portrait") == "obama2.jpg"
    assert _chosen_file(page, "id_audio") == "silence.wav"
    assert page.is_enabled("#submit-job")
    jobs_before = GenerationJob.objects.filter(creator=creator).count()

    page.set_input_files("#id_audio", str(write_speech(tmp_path / "speech.wav", seconds=1.5)))
    # A double click: the second is ignored while the first is on its way.
    page.dblclick("#submit-job")
    page.wait_for_url("**/jobs/*/")
    page.wait_for_selector("#video-box:not([hidden])", timeout=120_000)
    assert GenerationJob.objects.filter(creator=creator).count() == jobs_before + 1


def test_a_missing_file_is_marked_at_its_field_without_emptying_the_other(
    page, live_server, tmp_path
):
    _log_in_consented_creator(page, live_server, tmp_path)
    page.goto(f"{live_server.url}/jobs/new/")
    page.set_input_files("#id_portrait", str(face_path("obama2.jpg")))
    page.click("#submit-job")
    page.wait_for_selector("#errors-audio .errorlist")
    assert "required" in page.inner_text("#errors-audio")
    assert page.inner_text("#errors-portrait").strip() == ""
    assert _chosen_file(page, "id_portrait") == "obama2.jpg"


def test_a_slow_upload_shows_its_progress(page, live_server, tmp_path):
    _log_in_consented_creator(page, live_server, tmp_path)
    page.goto(f"{live_server.url}/jobs/new/")
    page.set_input_files("#id_portrait", str(face_path("obama2.jpg")))
    # About 1 MB of audio over a line throttled to 256 kB/s: four seconds of upload to watch.
    page.set_input_files("#id_audio", str(write_speech(tmp_path / "long.wav", seconds=32.0)))
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 256_000},
    )
    page.click("#submit-job")
    seen = set()
    for _ in range(60):
        if page.is_visible("#upload-box"):
            # Bar and status read in one script run: the page's own script cannot run between
            # them (read one after the other, the upload could finish in between, and a bar at
            # 98 % met the status that follows it, "Checking...").
            value, status = page.evaluate(
                "[document.getElementById('upload-progress').position,"
                " document.getElementById('upload-status').textContent]")
            seen.add(round(value, 2))
            if 0 < value < 1:
                assert "Sending your files" in status and "%" in status
        if "/jobs/new/" not in page.url:
            break
        page.wait_for_timeout(100)
    assert len({value for value in seen if 0 < value < 1}) >= 2, seen
