"""The creator, moderator and verify flows in headless Chromium with German as the browser's
language: every page says lang="de" and shows none of Signet's English UI strings.

The English strings looked for are every message of Signet's catalogue whose German differs
(the .po file), plus Django's own strings that a page could show, so a string added without a
translation, or a page that forgets gettext, fails here.
"""

import re
from pathlib import Path

import pytest
from django.test import override_settings

from studio.models import GenerationJob, JobState
from studio.services.accounts import moderator_create
from tests.browser.waiting import wait_until
from tests.generation.media_factory import face_path
from tests.studio.factories import (
    PASSWORD,
    enrol_and_consent,
    make_creator,
    submit_job,
    write_speech,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PO = Path(__file__).resolve().parents[2] / "locale" / "de" / "LC_MESSAGES" / "django.po"
# Django's own English that Signet's pages can show (forms, password rules, yes/no).
DJANGO_ENGLISH = [
    "This field is required.",
    "Enter a valid email address.",
    "Your password can’t be too similar",
    "Your password must contain at least",
    "Password confirmation",
    "Enter the same password as before",
    "Currently",
    "Clear",
]


def _english_strings() -> list[str]:
    text = PO.read_text()
    strings = []
    for english, german in re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', text, re.M):
        english = english.replace('\\"', '"')
        if english == german or len(english) < 5 or "%(" in english or "<" in english:
            continue  # identical in German, or too short to be unambiguous
        strings.append(english.replace("&amp;", "&").replace("&gt;", ">"))
    return strings + DJANGO_ENGLISH


ENGLISH = _english_strings()


def _english_left(page) -> list[str]:
    text = page.evaluate("document.body.innerText")
    # Whole words only: "Filter" is inside the German "Filtern".
    left = [
        english for english in ENGLISH if re.search(rf"(?<!\w){re.escape(english)}(?!\w)", text)
    ]
    return left


def _assert_german(page, where: str) -> None:
    assert page.evaluate("document.documentElement.lang") == "de", where
    left = _english_left(page)
    assert not left, f"{where}: English left: {left}"


@pytest.fixture
def german_page(playwright_instance, tmp_path):
    from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS

    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "chromium-de"),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_FLAGS + ["--lang=de-DE"],
        locale="de-DE",
        viewport={"width": 1200, "height": 900},
    )
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def _log_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    _assert_german(page, "login")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


@pytest.mark.xfail(
    reason="Not yet: the German catalogue lacks the strings that sign-up by e-mailed link, the "
    "moderators' second factor and the live consent page added, and this walk still signs up "
    "with a password and logs the moderator in without a second factor (issue 13 stays open).",
    strict=False,
)
def test_creator_moderator_and_verify_flows_in_german(
    german_page, live_server, celery_worker, tmp_path
):
    page, base = german_page, live_server.url
    assert ENGLISH and "Verify a file" in ENGLISH

    # Someone new: the home page and the sign-up form, with a mistake to see Django's messages.
    page.goto(f"{base}/")
    _assert_german(page, "home")
    # The check can fail: after the footer's switch to English, the same page is caught.
    page.click("#language-switch button[value=en]")
    wait_until(page, "document.documentElement.lang === 'en'")
    assert {"Verify a file", "Log in", "Create an account"} <= set(_english_left(page))
    page.click("#language-switch button[value=de]")
    wait_until(page, "document.documentElement.lang === 'de'")
    page.goto(f"{base}/accounts/signup/")
    page.fill("#id_email", "neu@example.com")
    page.fill("#id_password1", "kurz")
    page.fill("#id_password2", "anders")
    page.click("main button[type=submit]")
    page.wait_for_selector(".errorlist")
    _assert_german(page, "signup with errors")

    # A creator with an enrolled face and consent (the consent page itself is walked elsewhere).
    creator = make_creator("kreativ@example.com")
    enrol_and_consent(creator, tmp_path)
    _log_in(page, base, "kreativ@example.com")
    page.wait_for_url("**/dashboard/")
    _assert_german(page, "dashboard")
    page.goto(f"{base}/enrol/")
    _assert_german(page, "enrol")
    page.goto(f"{base}/jobs/new/")
    _assert_german(page, "new video")
    page.set_input_files("#id_portrait", str(face_path("obama2.jpg")))
    page.set_input_files("#id_audio", str(write_speech(tmp_path / "rede.wav", seconds=1.5)))
    page.click("#submit-job")
    page.wait_for_url("**/jobs/*/")
    page.wait_for_selector("#video-box:not([hidden])", timeout=150_000)
    assert page.inner_text("#job-state") == "Freigegeben"
    _assert_german(page, "job page, released")
    page.goto(f"{base}/dashboard/")
    assert re.search(r"\d\d\.\d\d\.\d{4}", page.inner_text("main"))  # a German date
    _assert_german(page, "dashboard with a video")
    page.goto(f"{base}/accounts/password/")
    _assert_german(page, "password change")
    page.goto(f"{base}/accounts/delete/")
    _assert_german(page, "delete account")
    released = GenerationJob.objects.get(creator=creator, state=JobState.RELEASED)
    video = Path(released.output.file.path)
    page.click("header button[type=submit]")  # log out
    _assert_german(page, "logged out")

    # The public verifier, and a misuse report.
    page.goto(f"{base}/verify/")
    _assert_german(page, "verify")
    page.set_input_files("#id_file", str(video))
    page.click("#verify-submit")
    page.wait_for_selector("#verify-result", timeout=60_000)
    assert page.get_attribute("#verdict", "data-code") == "signed"
    assert "Mit Signet erstellt" in page.inner_text("#verdict")
    _assert_german(page, "verify result")
    page.click("#report-link")
    _assert_german(page, "report form")
    page.fill("#id_message", "Dieses Video zeigt mich ohne meine Zustimmung.")
    page.click("#report-submit")
    page.wait_for_selector("#report-done")
    _assert_german(page, "report sent")

    # A moderator: lands on the queue, opens a case, reads its history.
    other = make_creator("grau@example.com")
    enrol_and_consent(other, tmp_path)
    with override_settings(SIGNET_IDENTITY_ACCEPT=0.2, SIGNET_IDENTITY_REJECT=0.7):
        held = submit_job(other, tmp_path)
    assert held.state == JobState.HELD
    moderator_create(email="moderation@example.com", password=PASSWORD)
    _log_in(page, base, "moderation@example.com")
    page.wait_for_url("**/moderation/")
    _assert_german(page, "moderation queue")
    page.click("#case-list a")
    page.wait_for_selector("#claim-case")
    _assert_german(page, "case page")
    page.click("#claim-case")
    page.wait_for_selector("#decide-submit")
    _assert_german(page, "claimed case")
    page.goto(f"{base}/moderation/gallery/")
    _assert_german(page, "gallery")
