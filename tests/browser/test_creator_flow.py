"""A new creator, in real headless Chromium: sign up, enrol with the webcam, record consent,
upload a portrait and a clip, watch the progress, and play the sealed video."""

import time

import pytest

from studio.models import ConsentRecord, EnrolledIdentity, GenerationJob
from tests.browser.signing_up import sign_up_by_link
from tests.browser.waiting import wait_until
from tests.generation.media_factory import face_path
from tests.studio.factories import write_speech

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "browser-creator@example.com"
PASSWORD = "a-browser-test-password-77"


def _sign_up(page, live_server, mailoutbox):
    sign_up_by_link(page, live_server, mailoutbox, email=EMAIL, password=PASSWORD)


def _enrol_with_webcam(page, live_server):
    page.goto(f"{live_server.url}/enrol/")
    page.click("#start-camera")
    wait_until(page, "document.getElementById('camera').videoWidth > 0")
    page.click("#take-selfie")
    page.wait_for_url(f"{live_server.url}/consent/")


def _record_consent(page, challenge):
    """Record consent live: the fake camera plays a genuine-like recording made for the
    seeded challenge (see tests/browser/conftest.py camera_page)."""
    from tests.browser.test_consent_flow import record_consent

    code = page.inner_text("#one-time-code")
    assert code.isdigit() and len(code) == 6
    record_consent(page, challenge)
    page.wait_for_url("**/dashboard/", timeout=120_000)
    return code


@pytest.mark.parametrize("camera_page", ["genuine"], indirect=True)
def test_sign_up_enrol_consent_generate_and_watch(
    camera_page, live_server, celery_worker, tmp_path, mailoutbox
):
    page, challenge, _ = camera_page
    _sign_up(page, live_server, mailoutbox)
    assert "enrol your face" in page.inner_text("main").lower()

    _enrol_with_webcam(page, live_server)
    assert EnrolledIdentity.objects.filter(creator__email=EMAIL).exists()

    code = _record_consent(page, challenge)
    consent = ConsentRecord.objects.get(creator__email=EMAIL)
    assert consent.one_time_code == code
    assert consent.recording_face_check["matched"] and consent.verification == "verified"
    assert consent.user_agent and consent.signature_name == "Browser Creator"

    speech = write_speech(tmp_path / "speech.wav", seconds=15.0)
    page.goto(f"{live_server.url}/jobs/new/")
    page.set_input_files("#id_portrait", str(face_path("obama2.jpg")))
    page.set_input_files("#id_audio", str(speech))
    page.click("#submit-job")
    page.wait_for_url("**/jobs/*/")
    progress_seen = set()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and page.is_hidden("#video-box"):
        if page.is_visible("#job-progress"):
            progress_seen.add(
                round(page.evaluate("document.getElementById('job-progress').value"), 3)
            )
        page.wait_for_timeout(150)
    # The bar moved while the worker rendered: several values strictly between empty and full.
    assert len({value for value in progress_seen if 0 < value < 1}) >= 2, progress_seen
    page.screenshot(path=str(tmp_path / "job-page.png"))
    page.wait_for_selector("#video-box:not([hidden])", timeout=30_000)
    job = GenerationJob.objects.get(creator__email=EMAIL)
    assert job.state == "released", job.failure_reason
    wait_until(page, "document.getElementById('job-video').readyState >= 1", timeout=30)
    duration = page.evaluate("document.getElementById('job-video').duration")
    assert abs(duration - job.audio_seconds) <= 0.1
    page.evaluate("const v = document.getElementById('job-video'); v.muted = true; v.play()")
    wait_until(page, "document.getElementById('job-video').currentTime > 0.3", timeout=15)
    assert page.evaluate("document.getElementById('job-video').videoWidth") == 512


def test_a_refused_upload_explains_itself(page, live_server, tmp_path):
    from studio.services.accounts import creator_create

    creator_create(email=EMAIL, password=PASSWORD)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", EMAIL)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")
    not_an_image = tmp_path / "photo.jpg"
    not_an_image.write_text("this is text, not a photo")
    page.goto(f"{live_server.url}/jobs/new/")
    page.set_input_files("#id_portrait", str(not_an_image))
    page.set_input_files("#id_audio", str(write_speech(tmp_path / "speech.wav", seconds=1.0)))
    page.click("#submit-job")
    page.wait_for_selector("#upload-error:not([hidden])")
    assert "The portrait was refused" in page.inner_text("#upload-error")
    assert GenerationJob.objects.count() == 0
