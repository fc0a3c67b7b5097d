"""The consent page in real headless Chromium, with a fake camera and microphone playing a
genuine-like recording (SYNTHETIC: a real photo animated to perform the challenge, the
sentence spoken by espeak-ng) made for the challenge the server issues under a fixed seed; and
the same page with the fake camera showing a still photo, which is refused."""

import pytest

from studio.models import AuditEvent, ConsentRecord
from tests.browser.signing_up import sign_up_by_link
from tests.browser.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "consent-browser@example.com"
PASSWORD = "a-browser-test-password-77"


def _sign_up_and_enrol(page, live_server, mailoutbox):
    sign_up_by_link(page, live_server, mailoutbox, email=EMAIL, password=PASSWORD)
    page.goto(f"{live_server.url}/enrol/")
    page.click("#start-camera")
    wait_until(page, "document.getElementById('camera').videoWidth > 0")
    page.click("#take-selfie")
    page.wait_for_url(f"{live_server.url}/consent/")


def record_consent(page, challenge):
    prompts = []
    page.click("#start-recording")
    wait_until(
        page, "document.getElementById('challenge-prompt').textContent.length > 0", timeout=10
    )
    prompts.append(page.inner_text("#challenge-prompt"))
    wait_until(
        page,
        "document.getElementById('recording-status').textContent.includes('Recorded')",
        timeout=challenge.seconds + 15,
    )
    page.fill("#id_signature_name", "Browser Creator")
    page.check("#id_agree")
    page.click("#give-consent")
    return prompts


@pytest.mark.parametrize("camera_page", ["genuine"], indirect=True)
def test_a_live_recording_that_performs_the_prompts_grants_consent(
    camera_page, live_server, mailoutbox
):
    page, challenge, code = camera_page
    _sign_up_and_enrol(page, live_server, mailoutbox)
    assert page.inner_text("#one-time-code") == code
    assert page.locator("input[type=file]").count() == 0  # no upload on the consent page
    prompts = record_consent(page, challenge)
    assert prompts and prompts[0]  # the first action appeared while recording
    page.wait_for_url("**/dashboard/", timeout=120_000)
    record = ConsentRecord.objects.get(creator__email=EMAIL)
    assert record.verification == "verified", record.liveness_report
    assert record.one_time_code == code
    assert all(step["passed"] for step in record.liveness_report["steps"])


@pytest.mark.parametrize("camera_page", ["still"], indirect=True)
def test_a_still_photo_in_front_of_the_camera_is_refused_on_the_page(
    camera_page, live_server, mailoutbox
):
    page, challenge, _ = camera_page
    _sign_up_and_enrol(page, live_server, mailoutbox)

    # First the connection drops as the recording is sent: the creator is told, and the same
    # recording can be sent again (the server never saw it, so its challenge still stands).
    dropped = []

    def drop_the_first_post(route):
        if route.request.method == "POST" and not dropped:
            dropped.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/consent/", drop_the_first_post)
    record_consent(page, challenge)
    page.wait_for_selector("#consent-error:not([hidden])")
    assert "could not be sent" in page.inner_text("#consent-error")
    assert page.is_enabled("#give-consent") and page.is_hidden("#record-again")
    page.click("#give-consent")
    wait_until(
        page, "document.getElementById('consent-error').textContent.includes('live face')",
        timeout=120,
    )
    assert "did not move like a live face" in page.inner_text("#consent-error")
    assert not ConsentRecord.objects.filter(creator__email=EMAIL).exists()
    assert AuditEvent.objects.filter(action="consent.refused").exists()
    # The challenge is used up: the page says so with a way forward, not two dead buttons.
    assert page.is_visible("#record-again") and page.is_disabled("#give-consent")
    used_nonce = page.input_value("#id_nonce")
    page.click("#record-again")
    page.wait_for_load_state("load")
    assert page.input_value("#id_nonce") != used_nonce
    assert page.is_enabled("#start-recording") and page.is_hidden("#consent-error")
