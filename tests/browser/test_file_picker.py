"""File fields speak the page's language, not the browser's: an English Chromium on a German
Signet page shows "Datei auswählen", and the field still opens the file chooser, shows the chosen
name and keeps the browser's own "required" check."""

import pytest

from tests.generation.media_factory import face_path
from tests.studio.factories import PASSWORD, enrol_and_consent, make_creator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _to_german(page, base):
    page.goto(f"{base}/verify/")
    page.click("#language-switch button[value=de]")
    page.wait_for_function("document.documentElement.lang === 'de'")


def _picker_words(page, field_id: str) -> str:
    return page.evaluate(
        f"document.getElementById('{field_id}').closest('.file-picker-field').innerText"
    )


def test_a_german_page_in_an_english_browser_words_its_file_fields_in_german(
    page, live_server, tmp_path
):
    creator = make_creator("picker@example.com")
    enrol_and_consent(creator, tmp_path)
    base = live_server.url
    assert page.evaluate("navigator.language").startswith("en")
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "picker@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/dashboard/")
    _to_german(page, base)
    page.goto(f"{base}/jobs/new/")
    for field in ("id_portrait", "id_audio"):
        words = _picker_words(page, field).split("\n")
        assert words == ["Datei auswählen", "Keine Datei ausgewählt"], field

    # Clicking the drawn button is clicking the browser's own input: the chooser opens.
    with page.expect_file_chooser() as chooser:
        # force: the drawn button lies under the invisible input, which takes the click, as a
        # person's click would.
        page.click(".file-picker-field:has(#id_portrait) .file-picker-button", force=True)
    chooser.value.set_files(str(face_path("obama2.jpg")))
    assert _picker_words(page, "id_portrait").split("\n") == ["Datei auswählen", "obama2.jpg"]
    assert _picker_words(page, "id_audio").split("\n")[1] == "Keine Datei ausgewählt"


def test_the_verify_field_keeps_its_required_check_and_takes_a_file(page, live_server):
    base = live_server.url
    _to_german(page, base)
    page.click("#verify-submit")
    # The browser refused to send an empty required field: still on the form, nothing checked.
    assert page.evaluate("document.getElementById('id_file').validity.valueMissing")
    assert page.query_selector("#verify-result") is None
    with page.expect_file_chooser() as chooser:
        page.click(".file-picker-field:has(#id_file) .file-picker-button", force=True)
    chooser.value.set_files(str(face_path("obama.jpg")))
    assert _picker_words(page, "id_file").split("\n")[1] == "obama.jpg"
    page.click("#verify-submit")
    page.wait_for_selector("#verify-result")
    assert "Keine Herkunft von Signet" in page.inner_text("#verdict")


def test_a_long_file_name_fits_a_phone(page, live_server, tmp_path):
    import shutil as files

    long_name = tmp_path / ("portrait-" + "sehr-langer-dateiname-" * 8 + ".jpg")
    files.copy(face_path("obama.jpg"), long_name)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/verify/")
    page.set_input_files("#id_file", str(long_name))
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    name = page.locator(".file-picker-field:has(#id_file) .file-picker-name")
    assert name.inner_text() == long_name.name  # all of it is there, cut short on screen with …
    assert name.bounding_box()["x"] + name.bounding_box()["width"] <= 390
