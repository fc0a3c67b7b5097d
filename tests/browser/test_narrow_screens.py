"""On a phone (390 px wide) every page fits the screen: nothing to scroll sideways, in either
language. The navigation once ran 330 px past the right edge, so the whole page scrolled."""

import pytest
from django.test import override_settings

from studio.models import JobState
from studio.services.accounts import moderator_create
from studio.services.api_tokens import api_token_create
from tests.studio.factories import PASSWORD, enrol_and_consent, make_creator, submit_job
from tests.studio.two_factor import totp_code, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _overflow(page) -> int:
    """How many CSS pixels the page reaches past the screen's right edge."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


# Names the deepest elements that stick out, so a failure says what to fix.
STICKING_OUT = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 3)
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + e.textContent.trim().slice(0, 40))"""


def _wider_than_the_screen(page, base: str, paths: list[str], language: str) -> dict[str, int]:
    page.set_extra_http_headers({"Accept-Language": language})
    found = {}
    for path in paths:
        page.goto(base + path)
        page.wait_for_load_state("load")
        if (pixels := _overflow(page)) > 0:
            found[f"{language} {path}"] = (pixels, page.evaluate(STICKING_OUT))
    return found


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")


def test_a_creators_pages_fit_a_phone(page, live_server, tmp_path):
    creator = make_creator("phone@example.com")
    enrol_and_consent(creator, tmp_path)
    job = submit_job(creator, tmp_path)
    api_token_create(creator=creator, label="a script on the laptop in the office")
    page.set_viewport_size(PHONE)
    public = [
        "/",
        "/verify/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ]
    assert _wider_than_the_screen(page, live_server.url, public, "de") == {}
    _log_in(page, live_server.url, "phone@example.com")
    pages = public[:2] + [
        "/dashboard/",
        "/jobs/new/",
        f"/jobs/{job.public_id}/",
        "/enrol/",
        "/consent/",
        "/accounts/tokens/",
        "/accounts/password/",
        "/accounts/delete/",
    ]
    wide = _wider_than_the_screen(page, live_server.url, pages, "de")
    wide |= _wider_than_the_screen(page, live_server.url, pages, "en")
    assert wide == {}


def test_a_moderators_pages_fit_a_phone(page, live_server, tmp_path):
    creator = make_creator("held@example.com")
    enrol_and_consent(creator, tmp_path)
    # A grey-zone identity match: the job is held and the queue has a case with its evidence.
    with override_settings(SIGNET_IDENTITY_ACCEPT=0.2, SIGNET_IDENTITY_REJECT=0.7):
        assert submit_job(creator, tmp_path).state == JobState.HELD
    device = totp_device(moderator_create(email="mod-phone@example.com", password=PASSWORD))
    page.set_viewport_size(PHONE)
    _log_in(page, live_server.url, "mod-phone@example.com")
    page.fill("#id_code", totp_code(device))
    page.click("#confirm-code")
    page.wait_for_url("**/moderation/")
    case = page.locator("main a[href*='/moderation/cases/']").first.get_attribute("href")
    paths = ["/moderation/", "/moderation/gallery/", case]
    wide = _wider_than_the_screen(page, live_server.url, paths, "de")
    wide |= _wider_than_the_screen(page, live_server.url, paths, "en")
    assert wide == {}
