"""Pages as a new user found them: a job page that follows a hold, a moderator's landing page,
buttons that look disabled when they are, a favicon, a verify result that names the file."""

import pytest
from django.test import override_settings

from studio.models import JobState, ModerationCase
from studio.services.accounts import moderator_create
from studio.services.moderation import case_decide
from tests.studio.factories import PASSWORD, enrol_and_consent, make_creator, submit_job
from tests.studio.two_factor import totp_code, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_the_job_page_follows_a_hold_until_the_video_is_released(
    page, live_server, celery_worker, tmp_path
):
    creator = make_creator("waiting@example.com")
    enrol_and_consent(creator, tmp_path)
    # Strict identity thresholds for the portrait only (the consent recording is checked as usual).
    with override_settings(SIGNET_IDENTITY_ACCEPT=0.2, SIGNET_IDENTITY_REJECT=0.7):
        job = submit_job(creator, tmp_path, enqueue=True)
    assert job.state == JobState.HELD
    _log_in(page, live_server, "waiting@example.com")
    page.wait_for_url("**/dashboard/")
    page.goto(f"{live_server.url}/jobs/{job.public_id}/")
    hold = page.locator("#job-hold")
    assert hold.is_visible() and "moderator will check it" in hold.inner_text()

    moderator = moderator_create(email="mod-live@example.com", password=PASSWORD)
    case_decide(case=ModerationCase.objects.get(job=job), moderator=moderator, decision="approve")
    # No reload: the page's own polling brings the rendered video.
    page.wait_for_selector("#video-box:not([hidden])", timeout=150_000)
    assert page.inner_text("#job-state") == "Released"
    assert not page.locator("#job-hold").is_visible()
    assert page.locator("#job-video").get_attribute("src").endswith("/video.mp4")


def test_a_moderator_lands_on_the_queue_not_the_creator_banner(page, live_server):
    device = totp_device(moderator_create(email="mod-landing@example.com", password=PASSWORD))
    _log_in(page, live_server, "mod-landing@example.com")
    page.wait_for_url("**/accounts/two-factor/**")  # a moderator confirms with the second factor
    page.fill("#id_code", totp_code(device))
    page.click("#confirm-code")
    page.wait_for_url("**/moderation/")
    text = page.inner_text("main")
    assert "Moderation queue" in text and "enrol your face" not in text


def test_favicon_disabled_buttons_and_the_checked_file_name(page, live_server, tmp_path):
    favicon = page.request.get(f"{live_server.url}/favicon.ico")
    assert favicon.status == 200 and favicon.body()[:4] == b"\x00\x00\x01\x00"

    make_creator("looks@example.com")
    _log_in(page, live_server, "looks@example.com")
    page.wait_for_url("**/dashboard/")
    page.goto(f"{live_server.url}/enrol/")
    take, start = page.locator("#take-selfie"), page.locator("#start-camera")
    assert take.is_disabled()
    style = "el => [getComputedStyle(el).cursor, getComputedStyle(el).backgroundColor]"
    assert take.evaluate(style)[0] == "not-allowed"
    assert take.evaluate(style)[1] != start.evaluate(style)[1]  # not the enabled blue

    not_signet = tmp_path / "holiday-photo.png"
    from PIL import Image

    Image.new("RGB", (64, 64), (30, 120, 60)).save(not_signet)
    page.goto(f"{live_server.url}/verify/")
    page.set_input_files("#id_file", str(not_signet))
    page.click("#verify-submit")
    page.wait_for_selector("#verify-result")
    assert "holiday-photo.png" in page.inner_text("#verify-file")


def test_a_creator_makes_a_token_in_the_browser_uses_it_and_revokes_it(page, live_server):
    import urllib.error
    import urllib.request
    import uuid

    make_creator("tokens@example.com")
    _log_in(page, live_server, "tokens@example.com")
    page.wait_for_url("**/dashboard/")
    page.click("text=API tokens")  # reached from the account links, not a typed address
    page.wait_for_url("**/accounts/tokens/")
    page.fill("input[name=label]", "build server")
    page.click("button:has-text('Create a token')")
    key = page.inner_text("#new-api-token").strip()

    def api(bearer: str) -> int:  # a script's request: no browser cookies
        request = urllib.request.Request(
            f"{live_server.url}/api/v1/jobs/{uuid.uuid4()}",
            headers={"Authorization": f"Bearer {bearer}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert api(key) == 404  # let in: no such job
    page.goto(f"{live_server.url}/accounts/tokens/")  # coming back later: a GET
    assert key not in page.content() and "build server" in page.inner_text("main")
    page.click("button[aria-label^='Revoke the token “build server”']")
    page.wait_for_url("**/accounts/tokens/")
    assert "No API tokens yet." in page.inner_text("main")
    assert api(key) == 401


def test_the_verify_page_says_it_is_working_and_locks_its_button(page, live_server, tmp_path):
    from PIL import Image

    photo = tmp_path / "to-check.png"
    Image.new("RGB", (64, 64), (200, 40, 40)).save(photo)
    page.goto(f"{live_server.url}/verify/")
    assert not page.locator("#verify-busy").is_visible()
    page.set_input_files("#id_file", str(photo))
    # What the page shows once the form is sent, kept in the tab's session storage because the
    # page is gone when the answer arrives.
    page.evaluate(
        """() => {
          const form = document.getElementById("verify-form");
          form.addEventListener("submit", () => {
            const busy = document.getElementById("verify-busy");
            sessionStorage.setItem("seen", JSON.stringify({
              shown: busy.checkVisibility(), words: busy.innerText,
              disabled: document.getElementById("verify-submit").disabled}));
          });
          form.requestSubmit();
        }"""
    )
    page.wait_for_selector("#verify-result")
    assert "to-check.png" in page.inner_text("#verify-file")
    seen = page.evaluate("JSON.parse(sessionStorage.getItem('seen'))")
    assert seen["shown"] and "checking the file" in seen["words"] and seen["disabled"], seen
    # Back from the answer, the form can be sent again.
    page.go_back()
    page.wait_for_selector("#verify-form")
    assert not page.locator("#verify-submit").is_disabled()
    assert not page.locator("#verify-busy").is_visible()
