"""The consent page in real headless Chromium, with a fake camera and microphone playing a
genuine-like recording (SYNTHETIC: a real photo animated to perform the challenge, the
sentence spoken by espeak-ng) made for the challenge the server issues under a fixed seed; and
the same page with the fake camera showing a still photo, which is refused."""

import random
import shutil
from fractions import Fraction

import av
import numpy as np
import pytest
from PIL import Image

from safety.liveness import new_challenge
from studio.models import AuditEvent, ConsentRecord
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS
from tests.generation.media_factory import write_audio
from tests.safety import liveness_media as media

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = 424242
EMAIL = "consent-browser@example.com"
PASSWORD = "a-browser-test-password-77"


def _seeded():
    rng = random.Random(SEED)
    challenge = new_challenge(rng)
    code = "".join(str(rng.randrange(10)) for _ in range(6))
    return challenge, code


def _write_y4m(path, frames, fps):
    with av.open(str(path), mode="w", format="yuv4mpegpipe") as container:
        stream = container.add_stream("rawvideo", rate=Fraction(fps))
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def _camera_frames(frames):
    """480x480 faces centred on a 640x480 camera picture."""
    out = []
    for frame in frames:
        canvas = np.full((480, 640, 3), 180, np.uint8)
        canvas[:, 80:560] = np.asarray(Image.fromarray(frame).resize((480, 480)))
        out.append(canvas)
    return out


@pytest.fixture
def camera_page(playwright_instance, tmp_path, settings, request):
    """A page whose fake camera plays `request.param`: "genuine" or "still"."""
    settings.SIGNET_CONSENT_CHALLENGE_SEED = SEED
    challenge, code = _seeded()
    audio = media.sentence_audio(code, challenge.seconds)
    if request.param == "genuine":
        frames = media.genuine_like_frames("obama.jpg", challenge, audio)
    else:
        frames = media.still_frames("obama.jpg", challenge.seconds)
    camera = _write_y4m(tmp_path / "camera.y4m", _camera_frames(frames), media.FPS)
    microphone = write_audio(tmp_path / "microphone.wav", audio, fmt="wav")
    profile = tmp_path / "chromium-profile"
    context = playwright_instance.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_FLAGS
        + [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={camera}",
            f"--use-file-for-fake-audio-capture={microphone}",
        ],
        permissions=["camera", "microphone"],
        viewport={"width": 1200, "height": 900},
    )
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(60_000)
    yield page, challenge, code
    context.close()
    shutil.rmtree(profile, ignore_errors=True)


def _sign_up_and_enrol(page, live_server):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_email", EMAIL)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.goto(f"{live_server.url}/enrol/")
    page.click("#start-camera")
    page.wait_for_function("document.getElementById('camera').videoWidth > 0")
    page.click("#take-selfie")
    page.wait_for_url(f"{live_server.url}/consent/")


def _record(page, challenge):
    prompts = []
    page.click("#start-recording")
    page.wait_for_function(
        "document.getElementById('challenge-prompt').textContent.length > 0", timeout=10_000
    )
    prompts.append(page.inner_text("#challenge-prompt"))
    page.wait_for_function(
        "document.getElementById('recording-status').textContent.includes('Recorded')",
        timeout=int(challenge.seconds * 1000) + 15_000,
    )
    page.fill("#id_signature_name", "Browser Creator")
    page.check("#id_agree")
    page.click("#give-consent")
    return prompts


@pytest.mark.parametrize("camera_page", ["genuine"], indirect=True)
def test_a_live_recording_that_performs_the_prompts_grants_consent(camera_page, live_server):
    page, challenge, code = camera_page
    _sign_up_and_enrol(page, live_server)
    assert page.inner_text("#one-time-code") == code
    assert page.locator("input[type=file]").count() == 0  # no upload on the consent page
    prompts = _record(page, challenge)
    assert prompts and prompts[0]  # the first action appeared while recording
    page.wait_for_url("**/dashboard/", timeout=120_000)
    record = ConsentRecord.objects.get(creator__email=EMAIL)
    assert record.verification == "verified", record.liveness_report
    assert record.one_time_code == code
    assert all(step["passed"] for step in record.liveness_report["steps"])


@pytest.mark.parametrize("camera_page", ["still"], indirect=True)
def test_a_still_photo_in_front_of_the_camera_is_refused_on_the_page(camera_page, live_server):
    page, challenge, _ = camera_page
    _sign_up_and_enrol(page, live_server)
    _record(page, challenge)
    page.wait_for_selector("#consent-error:not([hidden])", timeout=120_000)
    assert "did not move like a live face" in page.inner_text("#consent-error")
    assert not ConsentRecord.objects.filter(creator__email=EMAIL).exists()
    assert AuditEvent.objects.filter(action="consent.refused").exists()
