"""German and English: Accept-Language, the switch, complete translations, localised dates."""

import re
import subprocess
from pathlib import Path

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile

from studio.services import signup as signup_service
from tests.studio.factories import PASSWORD
from tests.studio.german_catalogue import PO, german_pairs


@pytest.mark.django_db
def test_accept_language_de_gives_german_pages_and_html_lang(client):
    english = client.get("/").content.decode()
    assert '<html lang="en">' in english and "Verify a file" in english
    german = client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5").content.decode()
    assert '<html lang="de">' in german
    assert "Datei prüfen" in german and "Sprechende Porträts" in german
    assert "Verify a file" not in german and "Log in" not in german


@pytest.mark.django_db
def test_the_language_switch_remembers_the_choice(client):
    page = client.get("/").content.decode()
    assert 'id="language-switch"' in page and 'value="de"' in page
    response = client.post("/i18n/setlang/", {"language": "de", "next": "/verify/"})
    assert response.status_code == 302 and response["Location"] == "/verify/"
    assert "Ein Video, Bild oder eine Tonaufnahme prüfen" in client.get("/verify/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Verify a video, image or sound" in client.get("/verify/").content.decode()


@pytest.mark.django_db
def test_djangos_own_messages_are_german_too(client):
    response = client.post(
        "/accounts/signup/", {"email": "not-an-address"}, HTTP_ACCEPT_LANGUAGE="de"
    )
    page = response.content.decode()
    assert "Bitte gültige E-Mail-Adresse eingeben." in page  # Django's own catalogue
    assert "Enter a valid email address." not in page

    token = signing.dumps({"email": "neu@example.com"}, salt=signup_service._SALT)
    response = client.post(
        f"/accounts/signup/{token}/",
        {"password1": "ein-langes-passwort-1", "password2": "ein-anderes-passwort-2"},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    page = response.content.decode()
    assert "Die beiden Passwörter sind nicht identisch." in page
    assert "The two password fields didn" not in page


def test_the_german_catalogue_is_complete_and_keeps_placeholders():
    statistics = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    assert "untranslated" not in statistics and "fuzzy" not in statistics, statistics
    pairs = german_pairs()
    assert len(pairs) > 350
    for english, german in pairs:
        assert german, english
        assert sorted(re.findall(r"%\(\w+\)", english)) == sorted(re.findall(r"%\(\w+\)", german))


@pytest.mark.django_db
def test_dates_and_numbers_follow_the_language(client, consented_creator, tmp_path):
    from tests.studio.factories import submit_job

    submit_job(consented_creator, tmp_path, seconds=1.5)
    client.login(username=consented_creator.username, password=PASSWORD)
    english = client.get("/dashboard/").content.decode()
    german = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert re.search(r"\d\d/\d\d/\d{4}", english) and "1.5 s" in english
    assert re.search(r"\d\d\.\d\d\.\d{4}", german) and "1,5 s" in german
    assert "In der Warteschlange" in german or "Wird gerendert" in german


@pytest.mark.django_db
def test_the_verify_pages_words_are_the_services_words_in_english(
    client, consented_creator, tmp_path
):
    """The page words its verdict itself (to translate it); in English it must say exactly what
    the verifier service says, for a signed file and for a file with no provenance."""
    import html

    from studio.services.jobs import job_render
    from tests.studio.factories import submit_job, upload

    job = submit_job(consented_creator, tmp_path, seconds=1.2)
    job_render(job.pk)
    job.refresh_from_db()
    plain = tmp_path / "plain.png"
    from PIL import Image

    Image.new("RGB", (48, 48), (10, 20, 30)).save(plain)
    for path in (Path(job.output.file.path), plain):
        api = client.post("/api/v1/verify", {"file": upload(path)}).json()
        page = client.post("/verify/", {"file": upload(path)}).content.decode()
        shown = re.search(r'id="verdict" data-code="[^"]*">(.*?)</div>', page, re.S).group(1)
        assert html.unescape(shown) == api["verdict"]
        if api["record"]:
            assert api["record"]["status_explained"] in html.unescape(page)
        german = client.post("/verify/", {"file": upload(path)}, HTTP_ACCEPT_LANGUAGE="de")
        german_verdict = re.search(
            r'id="verdict" data-code="[^"]*">(.*?)</div>', german.content.decode(), re.S
        ).group(1)
        assert german_verdict and html.unescape(german_verdict) != api["verdict"]


@pytest.mark.django_db
def test_sign_up_by_link_in_german_page_and_e_mail(client, mailoutbox):
    page = client.post(
        "/accounts/signup/", {"email": "neu@example.com"}, HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    assert "Sehen Sie in Ihr Postfach" in page and "Check your inbox" not in page
    (mail,) = mailoutbox
    assert mail.subject == "Registrierung bei Signet abschließen"
    assert mail.body.startswith("Öffnen Sie diesen Link, um Ihr Passwort zu wählen")


@pytest.mark.django_db
def test_the_consent_sentence_follows_the_pages_language(client, creator, tmp_path):
    from studio.services.consent import identity_enrol
    from tests.generation.media_factory import face_path

    identity_enrol(creator=creator, selfie=face_path("obama.jpg"))
    client.login(username=creator.username, password=PASSWORD)
    german = client.get("/consent/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'id="language-de" aria-current="true"' in german and "Ich, [Ihr vollständiger" in german
    assert "Aufnahme starten" in german and "Start recording" not in german
    english = client.get("/consent/").content.decode()
    assert 'id="language-en" aria-current="true"' in english and "Start recording" in english
    chosen = client.get("/consent/?language=en", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'id="language-en" aria-current="true"' in chosen and "Aufnahme starten" in chosen


@pytest.mark.django_db
def test_the_second_factor_and_refusals_in_german(client):
    from studio.services.accounts import moderator_create
    from tests.studio.two_factor import totp_device

    moderator = moderator_create(email="moderation@example.com", password=PASSWORD)
    totp_device(moderator)
    client.login(username=moderator.username, password=PASSWORD)
    page = client.get("/accounts/two-factor/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Anmeldung bestätigen" in page and "Confirm your login" not in page
    wrong = client.post("/accounts/two-factor/", {"code": "12"}, HTTP_ACCEPT_LANGUAGE="de")
    assert "Dieser Code stimmt nicht" in wrong.content.decode()
    refused = client.get(
        "/moderation/", HTTP_ACCEPT_LANGUAGE="de", HTTP_ACCEPT="application/json"
    ).json()
    assert refused["error"]["message"] == (
        "Bestätigen Sie zuerst Ihre Anmeldung mit Ihrer Authenticator-App."
    )
    empty = client.post(
        "/verify/", {"file": SimpleUploadedFile("leer.png", b"")}, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert "Die Datei ist leer." in empty.content.decode()


@pytest.mark.django_db
def test_the_apis_error_messages_follow_accept_language(client):
    german = {"HTTP_ACCEPT_LANGUAGE": "de"}
    no_token = client.post("/api/v1/jobs", {}, **german).json()["error"]
    assert no_token["code"] == "unauthenticated"  # the code stays the same for programs
    assert no_token["message"].startswith("Senden Sie Ihr API-Token")
    bad_token = client.post("/api/v1/jobs", {}, HTTP_AUTHORIZATION="Bearer nope", **german)
    assert bad_token.json()["error"]["message"] == "Dieses API-Token ist nicht gültig."
    missing = client.post("/api/v1/verify", {}, **german).json()["error"]
    assert missing["message"] == "Senden Sie die zu prüfende Datei im Multipart-Feld `file`."
    lookup = client.get("/api/v1/matches/byBinding", **german)
    assert lookup.status_code == 400
    assert "Abfrageparameter `alg` und `value`" in lookup.content.decode()
    english = client.post("/api/v1/jobs", {}).json()["error"]["message"]
    assert english.startswith("Send your API token")


@pytest.mark.django_db
def test_revoking_consent_and_a_late_cancel_answer_in_german(
    creator_client, consented_creator, tmp_path
):
    from tests.studio.factories import submit_job

    german = {"HTTP_ACCEPT_LANGUAGE": "de"}
    job = submit_job(consented_creator, tmp_path)
    creator_client.post(f"/jobs/{job.public_id}/cancel", **german)
    late = creator_client.post(f"/jobs/{job.public_id}/cancel", **german)
    assert "kann nicht mehr abgebrochen werden" in late.content.decode()
    assert "„abgebrochen“" in late.content.decode()
    revoked = creator_client.post(
        "/consent/revoke/", {"confirm": "yes"}, follow=True, **german
    ).content.decode()
    assert "Ihre Einwilligung ist widerrufen." in revoked and "Your consent" not in revoked
