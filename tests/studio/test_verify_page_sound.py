"""The public verify page with a sound file: someone who received only the voice of a Signet
video (the audio reused without the picture) can check it there and is told what was found."""

import html
import re
import subprocess
from pathlib import Path

import pytest

from tests.studio.factories import released_job, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(consented_creator, tmp_path):
    return released_job(consented_creator, tmp_path, seconds=5.0).output


def _sound_of(video_path, target):
    subprocess.run(
        ["ffmpeg", "-y", "-v", "error", "-nostdin", "-i", str(video_path), "-vn",
         "-c:a", "libmp3lame", "-b:a", "96k", str(target)],
        check=True,
    )  # fmt: skip
    return target


def _block(page: str, block_id: str) -> str:
    found = re.search(rf'<div id="{block_id}">(.*?)</div>', page, re.S)
    assert found, f"no {block_id} on the page"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def test_the_page_says_sound_files_are_accepted(client):
    english = client.get("/verify/").content.decode()
    german = client.get("/verify/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    for page in (english, german):
        label = re.search(r'<label for="id_file">(.*?)</label>', page, re.S).group(1)
        for kind in ("MP4", "PNG", "WAV", "MP3", "M4A", "OGG", "FLAC"):
            assert kind in label, (kind, label)


def test_a_reused_voice_is_shown_as_found_by_its_sound_mark(client, released, tmp_path):
    sound = _sound_of(released.file.path, tmp_path / "voice.mp3")
    page = client.post("/verify/", {"file": upload(sound)}).content.decode()
    assert 'data-code="watermark_only"' in page
    assert _block(page, "sound-mark") == "Invisible watermark in the sound Found: yes"
    # No picture was read, so the page does not claim the picture's mark is missing.
    assert _block(page, "picture-mark") == "Invisible watermark in the picture No picture in this file"

    german = client.post(
        "/verify/", {"file": upload(sound)}, HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    assert _block(german, "sound-mark") == "Unsichtbares Wasserzeichen im Ton Gefunden: Ja"
    assert _block(german, "picture-mark") == (
        "Unsichtbares Wasserzeichen im Bild Kein Bild in dieser Datei"
    )


def test_a_sealed_video_shows_both_marks_and_an_image_has_no_sound(client, released, tmp_path):
    page = client.post("/verify/", {"file": upload(Path(released.file.path))}).content.decode()
    assert _block(page, "sound-mark") == "Invisible watermark in the sound Found: yes"
    picture = _block(page, "picture-mark")
    assert picture.startswith("Invisible watermark in the picture Found: yes · confidence")

    from PIL import Image

    still = tmp_path / "still.png"
    Image.new("RGB", (64, 64), (40, 50, 60)).save(still)
    image_page = client.post("/verify/", {"file": upload(still)}).content.decode()
    assert _block(image_page, "sound-mark") == "Invisible watermark in the sound No sound in this file"
    assert _block(image_page, "picture-mark").startswith(
        "Invisible watermark in the picture Found: no"
    )


def test_the_api_says_whether_a_sound_track_was_read(client, released, tmp_path):
    sound = _sound_of(released.file.path, tmp_path / "voice.mp3")
    answer = client.post("/api/v1/verify", {"file": upload(sound)}).json()
    assert answer["audio_watermark"]["checked"] is True and answer["audio_watermark"]["found"]
    from PIL import Image

    still = tmp_path / "still.png"
    Image.new("RGB", (64, 64), (40, 50, 60)).save(still)
    image = client.post("/api/v1/verify", {"file": upload(still)}).json()
    assert image["audio_watermark"]["checked"] is False
