"""The sign-up, consent, creator, moderator and verify flows in headless Chromium with German as
the browser's language: every page says lang="de" and shows none of Signet's English UI strings.

The English strings looked for are every message of Signet's catalogue whose German differs
(the .po file), plus Django's own strings that a page could show, so a string added without a
translation, or a page that forgets gettext, fails here.
"""

import re
import shutil
import time
from pathlib import Path

import pytest
from django.test import override_settings

from studio.models import GenerationJob, JobState
from studio.services.accounts import moderator_create
from studio.services.two_factor import two_factor_link_url
from tests.browser.signing_up import sign_up_by_link
from tests.browser.waiting import wait_until
from tests.generation.media_factory import face_path
from tests.studio.factories import (
    PASSWORD,
    enrol_and_consent,
    make_creator,
    submit_job,
    write_speech,
)
from tests.studio.german_catalogue import german_pairs
from tests.studio.two_factor import totp_code, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

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
    strings = []
    for english, german in german_pairs():
        if english == german or len(english) < 5 or "%(" in english or "<" in english:
            continue  # identical in German, or too short to be unambiguous
        strings.append(english.replace("&amp;", "&").replace("&gt;", ">"))
    return strings + DJANGO_ENGLISH


ENGLISH = _english_strings()


def _english_in(text: str) -> list[str]:
    # Whole words only: "Filter" is inside the German "Filtern".
    return [
        english for english in ENGLISH if re.search(rf"(?<!\w){re.escape(english)}(?!\w)", text)
    ]


def _english_left(page) -> list[str]:
    return _english_in(page.evaluate("document.body.innerText"))


def _assert_german(page, where: str) -> None:
    assert page.evaluate("document.documentElement.lang") == "de", where
    left = _english_left(page)
    assert not left, f"{where}: English left: {left}"


@pytest.fixture
def german_page(playwright_instance, fake_media, tmp_path):
    """German Chromium whose fake camera shows a still photo and whose microphone plays a tone."""
    from tests.browser.conftest import chromium_with_fake_media, csp_violations_watch

    profile = tmp_path / "chromium-de"
    context, page = chromium_with_fake_media(
        playwright_instance,
        profile,
        fake_media["camera"],
        fake_media["microphone"],
        language="de-DE",
    )
    page.set_default_timeout(30_000)
    violations = csp_violations_watch(page)
    yield page
    context.close()
    shutil.rmtree(profile, ignore_errors=True)
    assert violations == []


def _log_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    _assert_german(page, "login")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def _log_out(page, where):
    page.click("header button[type=submit]")
    _assert_german(page, where)


def _sign_up_and_record_consent(page, base, live_server, mailoutbox):
    """Sign-up by e-mailed link, enrolment with the camera, and the live consent page, whose
    recording of a still photo is refused (or held for a moderator) in German."""
    page.goto(f"{base}/accounts/signup/")
    page.fill("#id_email", "keine-adresse")
    page.click("main button[type=submit]")
    page.wait_for_selector(".errorlist")
    _assert_german(page, "sign-up with a mistake")
    sign_up_by_link(
        page,
        live_server,
        mailoutbox,
        email="neu@example.com",
        password="ein-langes-passwort-42",
        inbox="Sehen Sie in Ihr Postfach",
        check_page=lambda where: _assert_german(page, where),
    )
    mail = mailoutbox[-1]
    assert mail.subject == "Registrierung bei Signet abschließen"
    assert not _english_in(mail.subject + "\n" + mail.body), mail.body
    _assert_german(page, "dashboard of a new creator")

    page.goto(f"{base}/enrol/")
    _assert_german(page, "enrol")
    page.click("#start-camera")
    wait_until(page, "document.getElementById('camera').videoWidth > 0")
    page.click("#take-selfie")
    page.wait_for_url(f"{base}/consent/")
    _assert_german(page, "consent page")
    assert page.get_attribute("#language-de", "aria-current") == "true"  # the German sentence
    assert "Ich" in page.inner_text("#statement")
    page.click("#start-recording")
    wait_until(page, "document.getElementById('challenge-prompt').textContent.length > 0")
    assert page.inner_text("#recording-status").startswith("Aufnahme läuft")
    _assert_german(page, "consent page, recording with a prompt")
    wait_until(
        page,
        "document.getElementById('recording-status').textContent.startsWith('Aufgenommen')",
        timeout=60,
    )
    _assert_german(page, "consent page, recorded")
    page.fill("#id_signature_name", "Neue Person")
    page.check("#id_agree")
    page.click("#give-consent")
    wait_until(
        page,
        "location.pathname === '/dashboard/' || (document.getElementById('consent-error') "
        "&& !document.getElementById('consent-error').hidden)",
        timeout=150,
    )
    _assert_german(page, "consent given, refused or held")
    _log_out(page, "logged out after the consent page")


def _moderator_confirms_with_totp_and_works_a_case(page, base, tmp_path):
    other = make_creator("grau@example.com")
    enrol_and_consent(other, tmp_path)
    with override_settings(SIGNET_IDENTITY_ACCEPT=0.2, SIGNET_IDENTITY_REJECT=0.7):
        held = submit_job(other, tmp_path)
    assert held.state == JobState.HELD

    # A moderator with an authenticator: the password, then the code (a wrong one first).
    device = totp_device(moderator_create(email="moderation@example.com", password=PASSWORD))
    _log_in(page, base, "moderation@example.com")
    page.goto(f"{base}/moderation/")
    page.wait_for_url("**/accounts/two-factor/**")
    _assert_german(page, "second factor")
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    page.fill("#id_code", wrong)
    page.click("#confirm-code")
    page.wait_for_selector("[role=alert]")
    _assert_german(page, "second factor, wrong code")
    time.sleep(2.5)  # django-otp makes a device wait a little after a wrong code
    page.fill("#id_code", totp_code(device))
    page.click("#confirm-code")
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
    _log_out(page, "moderator logged out")

    # A new moderator sets up the authenticator app by the administrator's link.
    newcomer = moderator_create(email="neu-moderation@example.com", password=PASSWORD)
    link = two_factor_link_url(user=newcomer, base_url=base)
    _log_in(page, base, "neu-moderation@example.com")
    page.goto(link)
    page.wait_for_selector("#totp-secret")
    _assert_german(page, "authenticator set-up")
    page.fill("#id_code", totp_code(newcomer.totpdevice_set.get(confirmed=False)))
    page.click("main button[type=submit]")
    page.wait_for_url("**/moderation/")
    _assert_german(page, "moderation queue after the set-up")


def test_sign_up_consent_creator_moderator_and_verify_flows_in_german(
    german_page, live_server, celery_worker, mailoutbox, tmp_path
):
    page, base = german_page, live_server.url
    assert ENGLISH and "Verify a file" in ENGLISH and "Check your inbox" in ENGLISH

    # Someone new: the home page, and the language switch.
    page.goto(f"{base}/")
    _assert_german(page, "home")
    # The check can fail: after the footer's switch to English, the same page is caught.
    page.click("#language-switch button[value=en]")
    wait_until(page, "document.documentElement.lang === 'en'")
    assert {"Verify a file", "Log in", "Create an account"} <= set(_english_left(page))
    page.click("#language-switch button[value=de]")
    wait_until(page, "document.documentElement.lang === 'de'")

    _sign_up_and_record_consent(page, base, live_server, mailoutbox)

    # A creator with an enrolled face and consent makes a video.
    creator = make_creator("kreativ@example.com")
    enrol_and_consent(creator, tmp_path)
    _log_in(page, base, "kreativ@example.com")
    page.wait_for_url("**/dashboard/")
    _assert_german(page, "dashboard")
    page.goto(f"{base}/enrol/")
    _assert_german(page, "enrol, already enrolled")
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
    _log_out(page, "logged out")

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

    _moderator_confirms_with_totp_and_works_a_case(page, base, tmp_path)
