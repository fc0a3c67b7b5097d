"""The C2PA Soft Binding Resolution API as the C2PA specifies it, and byContent finding a copy
whose manifest and watermark are both gone."""

import base64
import io
import json
import subprocess

import c2pa
import pytest

from safety.watermark import read_watermark_from_file
from studio.models import OutputFingerprint
from studio.provenance_config import watermark_codec
from tests.studio.factories import released_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(consented_creator, tmp_path):
    return released_job(consented_creator, tmp_path, seconds=5.0).output


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-y", "-v", "error", "-nostdin", *args], check=True)


def test_by_binding_takes_a_base64_value_by_get_and_by_post(client, released):
    alg, value = released.watermark_alg, str(released.watermark_id)
    wrong = client.get("/api/v1/matches/byBinding", {"alg": alg, "value": _b64("12345")})
    assert wrong.json() == {"matches": []}
    other_alg = client.get("/api/v1/matches/byBinding", {"alg": "x.y.1", "value": _b64(value)})
    assert other_alg.json() == {"matches": []}
    got = client.get("/api/v1/matches/byBinding", {"alg": alg, "value": _b64(value)}).json()
    assert [m["manifestId"] for m in got["matches"]] == [released.manifest_id]
    posted = client.post(
        "/api/v1/matches/byBinding",
        json.dumps({"alg": alg, "value": _b64(value)}),
        content_type="application/json",
    ).json()
    assert posted == got
    assert client.get("/api/v1/matches/byBinding", {"alg": alg}).status_code == 400
    assert (
        client.get(
            "/api/v1/matches/byBinding", {"alg": alg, "value": _b64(value), "maxResults": 0}
        ).status_code
        == 400
    )


def test_manifests_returns_the_manifest_store_itself(client, released):
    response = client.get(f"/api/v1/manifests/{released.manifest_id}")
    assert response.status_code == 200 and response["Content-Type"] == "application/c2pa"
    reader = c2pa.Reader("application/c2pa", io.BytesIO(response.content))
    assert json.loads(reader.json())["active_manifest"] == released.manifest_id
    summary = client.get(
        f"/api/v1/manifests/{released.manifest_id}", HTTP_ACCEPT="application/json"
    ).json()
    assert summary["manifestId"] == released.manifest_id
    assert client.get("/api/v1/manifests/urn:c2pa:nothing").status_code == 404


def test_every_output_gets_a_fingerprint(released):
    stored = OutputFingerprint.objects.get(artifact=released)
    assert len(bytes(stored.video_bits)) > 0 and len(bytes(stored.audio_bits)) > 0


def test_by_content_finds_a_copy_with_manifest_and_mark_destroyed(client, released, tmp_path):
    copy = tmp_path / "copy.mp4"
    _ffmpeg(
        "-i", released.file.path, "-vf", "crop=iw*0.85:ih*0.85,scale=-2:240",
        "-c:v", "libx264", "-crf", "45", "-c:a", "aac", "-b:a", "48k", str(copy),
    )  # fmt: skip
    assert not read_watermark_from_file(copy, watermark_codec()).found
    response = client.post("/api/v1/matches/byContent", copy.read_bytes(), content_type="video/mp4")
    assert response.status_code == 200
    matches = response.json()["matches"]
    assert [m["manifestId"] for m in matches] == [released.manifest_id]
    assert 0 <= matches[0]["similarityScore"] <= 100


def test_by_content_matches_nothing_unrelated_and_refuses_unlisted_types(client, released, tmp_path):
    other = tmp_path / "other.mp4"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=512x512:rate=25:duration=5",
        "-f", "lavfi", "-i", "sine=frequency=330:duration=5",
        "-c:v", "libx264", "-crf", "30", "-c:a", "aac", "-shortest", str(other),
    )  # fmt: skip
    response = client.post(
        "/api/v1/matches/byContent", other.read_bytes(), content_type="video/mp4"
    )
    assert response.json() == {"matches": []}
    garbage = client.post("/api/v1/matches/byContent", b"not a video", content_type="video/mp4")
    assert garbage.status_code == 200 and garbage.json() == {"matches": []}
    wrong_type = client.post("/api/v1/matches/byContent", b"{}", content_type="foo/bar")
    assert wrong_type.status_code == 415


def test_supported_algorithms(client, released):
    listed = client.get("/api/v1/services/supportedAlgorithms").json()
    assert released.watermark_alg in {item["alg"] for item in listed["watermarks"]}
    assert listed["fingerprints"]


def test_verify_reads_the_audio_mark_from_the_sound_alone(client, released, tmp_path):
    sound = tmp_path / "voice.mp3"
    _ffmpeg("-i", released.file.path, "-vn", "-c:a", "libmp3lame", "-b:a", "96k", str(sound))
    with sound.open("rb") as handle:
        answer = client.post("/api/v1/verify", {"file": handle}).json()
    assert "audio_watermark" in answer, answer
    assert answer["audio_watermark"]["found"]
    assert answer["audio_watermark"]["id"] == released.watermark_id
    assert answer["record"]["id"] == str(released.public_id)
    assert answer["verdict_code"] == "watermark_only"


def test_verify_finds_no_audio_mark_in_an_unmarked_sound(client, released, tmp_path):
    sound = tmp_path / "tone.wav"
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=220:duration=4", "-ar", "48000", str(sound))
    with sound.open("rb") as handle:
        answer = client.post("/api/v1/verify", {"file": handle}).json()
    assert not answer["audio_watermark"]["found"] and answer["record"] is None


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        # The specification describes a text asset as a string: in a typed text language a
        # boolean, a number or a mapping is not one (found by schemathesis, text/x-yaml false).
        ("text/x-yaml", b"false\n", 415),
        ("text/yaml", b"a: 1\n", 415),
        ("text/yaml", b"[unclosed\n", 415),
        ("text/json", b"12", 415),
        ("text/x-yaml", b"just some words\n", 200),
        ("text/json", b'"a string"', 200),
    ],
)
def test_by_content_takes_a_typed_text_asset_only_when_it_is_a_string(
    client, content_type, body, status
):
    response = client.post("/api/v1/matches/byContent", body, content_type=content_type)

    assert response.status_code == status
    if status == 200:
        assert response.json() == {"matches": []}


def test_the_manifest_store_outlives_the_video_erased_with_the_account(
    client, released, consented_creator
):
    # Whoever holds a stripped copy finds the record by its watermark and must still get the
    # signed manifest after the creator deleted the account (the store lived only in the video).
    from studio.services.accounts import account_delete

    before = client.get(f"/api/v1/manifests/{released.manifest_id}").content
    video = released.file.name
    account_delete(user=consented_creator)
    released.refresh_from_db()
    assert not released.file and not released.file.storage.exists(video)
    after = client.get(f"/api/v1/manifests/{released.manifest_id}")
    assert after.status_code == 200 and after["Content-Type"] == "application/c2pa"
    assert after.content == before
    reader = c2pa.Reader("application/c2pa", io.BytesIO(after.content))
    assert json.loads(reader.json())["active_manifest"] == released.manifest_id
