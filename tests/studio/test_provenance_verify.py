"""Sealed outputs, the single publish path, and the public verifier."""

import io
import json
import logging
from pathlib import Path

import av
import numpy as np
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from django.utils.formats import date_format
from PIL import Image

from safety.provenance.certificates import create_development_chain
from safety.provenance.manifest import (
    TRAINED_ALGORITHMIC_MEDIA,
    IngredientInfo,
    build_manifest,
    keyed_hash,
)
from safety.provenance.reading import read_manifest
from safety.provenance.signer import SignerConfig
from safety.provenance.signing import sign_media
from safety.watermark import read_watermark_from_file
from studio.models import OutputArtifact
from studio.provenance_config import manifest_hash_key, trust_anchors_pem
from studio.services.jobs import job_render
from studio.services.publishing import UnsealedOutputRefused, output_publish
from studio.services.sealing import SealedOutput
from tests.studio.factories import released_job, submit_job, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(consented_creator, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    return released_job(consented_creator, tmp_path, seconds=1.5).output


def _verify(client, path: Path, name="file.mp4"):
    return client.post("/api/v1/verify", {"file": upload(path, name)})


def _reencode(source: Path, target: Path, *, crf: int = 28) -> Path:
    with av.open(str(source)) as src, av.open(str(target), mode="w") as dst:
        stream = dst.add_stream("libx264", rate=25)
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(crf)}
        first = True
        for frame in src.decode(video=0):
            if first:
                stream.width, stream.height = frame.width, frame.height
                first = False
            for packet in stream.encode(frame.reformat(format="yuv420p")):
                dst.mux(packet)
        for packet in stream.encode(None):
            dst.mux(packet)
    return target


def test_a_sealed_output_carries_every_assertion(released):
    report = read_manifest(
        Path(released.file.path), media_type="video/mp4", trust_anchors_pem=trust_anchors_pem()
    )
    assert report.present and report.valid and report.trusted
    assert report.claim_generator and "Signet" in report.claim_generator
    actions = {action.action: action for action in report.actions}
    assert actions["c2pa.created"].digital_source_type == TRAINED_ALGORITHMIC_MEDIA
    assert "c2pa.watermarked" in actions
    signet = report.signet_assertion
    job = released.job
    assert signet["generation_id"] == str(job.public_id)
    assert signet["generator_backend"] == job.renderer
    assert signet["consent_record_id"] == str(job.consent.public_id)
    assert job.consent.statement_sha256 not in json.dumps(signet)
    assert signet["consent_statement_hmac_sha256"] == keyed_hash(
        manifest_hash_key(), job.consent.statement_sha256
    )
    assert "moderation_state" not in signet  # the verifier reads the state from the record
    assert {i["role"] for i in signet["ingredients"]} == {"portrait", "audio"}
    assert report.soft_binding.alg == released.watermark_alg
    assert report.soft_binding.value == str(released.watermark_id)


def test_the_verifier_recognises_the_original_without_naming_the_creator(client, released):
    response = _verify(client, Path(released.file.path))
    assert response.status_code == 200
    body = response.json()
    assert body["verdict_code"] == "signed"
    assert body["c2pa"]["trusted"] and body["watermark"]["found"]
    assert body["watermark"]["id"] == released.watermark_id
    assert body["record"]["status"] == "released"
    assert body["record"]["creator"].startswith("creator-")
    text = json.dumps(body)
    creator = released.job.creator
    for personal in (creator.email, creator.username, "Test Creator"):
        assert personal not in text


def test_a_flipped_byte_reads_as_tampered(client, released, tmp_path):
    data = bytearray(Path(released.file.path).read_bytes())
    data[data.index(b"mdat") + 2000] ^= 0xFF
    tampered = tmp_path / "tampered.mp4"
    tampered.write_bytes(bytes(data))
    body = _verify(client, tampered).json()
    assert body["verdict_code"] == "tampered"
    assert body["c2pa"]["present"] and not body["c2pa"]["valid"]


def test_a_reencoded_copy_has_no_manifest_but_the_watermark_finds_the_record(
    client, released, tmp_path
):
    copy = _reencode(Path(released.file.path), tmp_path / "copy.mp4", crf=28)
    body = _verify(client, copy).json()
    assert not body["c2pa"]["present"]
    assert body["watermark"]["found"] and body["watermark"]["id"] == released.watermark_id
    assert body["verdict_code"] == "watermark_only"
    assert body["record"]["id"] == str(released.public_id)


def test_an_unmarked_video_has_no_signet_provenance(client, tmp_path):
    path = tmp_path / "plain.mp4"
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width = stream.height = 256
        stream.pix_fmt = "yuv420p"
        rng = np.random.default_rng(3)
        base = rng.integers(0, 255, (256, 256, 3), dtype=np.uint8)
        for index in range(50):
            frame = np.roll(base, index, axis=1)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    body = _verify(client, path).json()
    assert body["verdict_code"] == "no_provenance" and body["record"] is None
    assert "No Signet provenance" in body["verdict"]


def test_publish_refuses_an_unsealed_file(released, tmp_path):
    job = released.job
    unsealed = _reencode(Path(released.file.path), tmp_path / "unsealed.mp4", crf=18)
    forged = SealedOutput(
        path=unsealed,
        sha256="0" * 64,
        poster_path=Path(released.poster.path),
        poster_sha256=released.poster_sha256,
        watermark_id=job.watermark_id,
        watermark_alg=released.watermark_alg,
        manifest_id="x",
        manifest={},
        review_reason="",
        hold_for_review=False,
        duration_seconds=1.0,
        width=512,
        height=512,
    )
    with pytest.raises(UnsealedOutputRefused):
        output_publish(job, forged)
    from studio.services.sealing import file_sha256

    honest_hash = SealedOutput(**{**forged.__dict__, "sha256": file_sha256(unsealed)})
    with pytest.raises(UnsealedOutputRefused, match="not published|did not verify"):
        output_publish(job, honest_hash)
    with pytest.raises(UnsealedOutputRefused):
        output_publish(job, unsealed)  # a bare path is not a sealed output
    assert OutputArtifact.objects.count() == 1


def test_the_signing_key_never_leaves(client, released, caplog, tmp_path):
    from django.conf import settings

    key_pem = (Path(settings.SIGNET_KEYS_DIR) / "signer.key").read_text()
    key_body = "".join(key_pem.strip().splitlines()[1:-1])
    responses = [
        _verify(client, Path(released.file.path)).content,
        client.get(f"/api/v1/manifests/{released.manifest_id}").content,
        client.post(
            "/api/v1/matches/byBinding",
            json.dumps({"alg": released.watermark_alg, "value": str(released.watermark_id)}),
            content_type="application/json",
        ).content,
    ]
    for payload in responses + [Path(released.file.path).read_bytes()]:
        assert key_body[:40].encode() not in payload and b"PRIVATE KEY" not in payload
    assert key_body[:40] not in caplog.text and "PRIVATE KEY" not in caplog.text


def test_soft_binding_resolution(client, released):
    matches = client.post(
        "/api/v1/matches/byBinding",
        json.dumps({"alg": released.watermark_alg, "value": str(released.watermark_id)}),
        content_type="application/json",
    ).json()["matches"]
    assert [match["manifestId"] for match in matches] == [released.manifest_id]
    manifest = client.get(
        f"/api/v1/manifests/{released.manifest_id}", HTTP_ACCEPT="application/json"
    ).json()
    assert manifest["manifest"]["signet_assertion"]["generation_id"] == str(released.job.public_id)
    assert client.get("/api/v1/manifests/urn:c2pa:nothing").status_code == 404
    assert (
        client.post(
            "/api/v1/matches/byBinding", "not json", content_type="application/json"
        ).status_code
        == 400
    )


def test_the_command_prints_what_the_api_answers(client, released, capsys):
    call_command("verify", released.file.path, "--json")
    printed = json.loads(capsys.readouterr().out)
    answered = _verify(client, Path(released.file.path)).json()
    answered.pop("report_token")
    answered.pop("file_name")  # the API names the upload it was sent; the command has a path
    assert printed == answered


def _broken_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 200, 30)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    data[33:45] = b"\x00" * 12  # smash the first chunk after IHDR, CRC and all
    data[16:20] = b"\xff\xff\xff\xff"  # and an impossible width
    return bytes(data)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("random.mp4", lambda released: np.random.default_rng(1).bytes(50_000)),
        ("truncated.mp4", lambda released: Path(released.file.path).read_bytes()[:3000]),
        ("broken.png", lambda released: _broken_png()),
        ("empty.mp4", lambda released: b""),
    ],
)
def test_malformed_files_get_a_4xx_with_a_message(client, released, tmp_path, name, make):
    path = tmp_path / name
    path.write_bytes(make(released))
    response = _verify(client, path, name)
    assert 400 <= response.status_code < 500, response.content[:500]
    assert response.json()["error"]["message"]


@override_settings(SIGNET_VERIFY_RATE_LIMIT_PER_MINUTE=3)
def test_verification_is_rate_limited_per_client(client, tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"hello")
    codes = [_verify(client, path, "x.txt").status_code for _ in range(5)]
    assert codes[:3] == [400, 400, 400] and codes[3:] == [429, 429]


def test_the_verify_page_shows_the_verdict(client, released):
    response = client.post("/verify/", {"file": upload(Path(released.file.path), "v.mp4")})
    assert response.status_code == 200
    assert "Made with Signet, signed and unaltered" in response.content.decode()


def test_the_verify_page_says_the_date_the_readers_way(client, released):
    published = released.published_at.date()
    english = client.post("/verify/", {"file": upload(Path(released.file.path), "v.mp4")})
    assert date_format(published, "DATE_FORMAT") in english.content.decode()
    with translation.override("de"):
        german_date = date_format(published, "DATE_FORMAT")  # "6. Dezember 2026"
    german = client.post(
        "/verify/",
        {"file": upload(Path(released.file.path), "v.mp4")},
        HTTP_ACCEPT_LANGUAGE="de",
    ).content.decode()
    assert f"Erstellt am {german_date}" in german
    # The ISO date stays in the machine-readable answer only.
    assert f"Erstellt am {published.isoformat()}" not in german


def test_the_preview_still_is_sealed_like_the_video(client, released, consented_creator):
    from studio.provenance_config import watermark_codec

    poster = Path(released.poster.path)
    report = read_manifest(poster, media_type="image/jpeg", trust_anchors_pem=trust_anchors_pem())
    assert report.present and report.valid and report.trusted
    assert report.soft_binding.value == str(released.watermark_id)
    reading = read_watermark_from_file(poster, watermark_codec())
    assert reading.found and reading.payload_id == released.watermark_id
    body = client.post("/api/v1/verify", {"file": upload(poster, "p.jpg")}).json()
    assert body["verdict_code"] == "signed" and body["record"]["id"] == str(released.public_id)
    from tests.studio.factories import PASSWORD

    client.login(username=consented_creator.username, password=PASSWORD)
    served = client.get(f"/outputs/{released.public_id}/poster.jpg")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    status = client.get(f"/jobs/{released.job.public_id}/status").json()
    assert status["poster_url"] == f"/outputs/{released.public_id}/poster.jpg"


def test_sealing_can_sign_through_a_kms_callback(consented_creator, tmp_path, settings, client):
    from tests.studio import memory_kms

    memory_kms.load(Path(settings.SIGNET_KEYS_DIR) / "signer.key")
    memory_kms.SIGNED.clear()
    settings.SIGNET_SIGNING_CALLBACK = "tests.studio.memory_kms.sign"
    settings.SIGNET_SIGNING_KEY = str(tmp_path / "no-key-here.pem")  # the key file is not used
    job = submit_job(consented_creator, tmp_path, seconds=1.0)
    job_render(job.pk)
    job.refresh_from_db()
    assert job.state == "released", job.failure_reason
    assert memory_kms.SIGNED, "the KMS callback was never asked to sign"
    body = _verify(client, Path(job.output.file.path)).json()
    assert body["c2pa"]["trusted"] and body["verdict_code"] == "signed"


def test_a_manifest_moved_onto_another_video_does_not_borrow_its_record(client, released, tmp_path):
    """Someone pastes a Signet manifest onto an unmarked video: tampered, and no record vouched for."""
    signed = Path(released.file.path).read_bytes()
    plain = tmp_path / "plain.mp4"
    _reencode(
        Path(released.file.path), plain, crf=51
    )  # no manifest, watermark gone at this quality
    start = signed.index(b"uuid") - 4  # the C2PA manifest store box, copied byte for byte
    size = int.from_bytes(signed[start : start + 4], "big")
    forged = tmp_path / "forged.mp4"
    plain_bytes = plain.read_bytes()
    moov = plain_bytes.index(b"moov") - 4
    forged.write_bytes(plain_bytes[:moov] + signed[start : start + size] + plain_bytes[moov:])
    body = _verify(client, forged).json()
    assert body["c2pa"]["present"] and not body["c2pa"]["valid"]
    assert not body["watermark"]["found"]  # CRF 51 wiped the mark from this copy
    assert body["verdict_code"] == "tampered" and body["record"] is None


def _signed_by_mallory(source: Path, tmp_path: Path, *, claim: dict) -> Path:
    """`source` signed with a chain of someone else's: valid C2PA, but not trusted by Signet."""
    mallory = create_development_chain(tmp_path / "mallory", common_name_prefix="Mallory")
    signed = tmp_path / "mallory.mp4"
    sign_media(source, signed, claim, SignerConfig(chain_pem=mallory.chain, key_pem=mallory.key))
    return signed


def _claim(**fields) -> dict:
    defaults = dict(
        claim_generator_version="1", title="looks official", generation_id="x", generator_backend="x",
        generator_version="1", consent_record_id="x", consent_statement_sha256="d" * 64,
        hash_key=b"k", watermark_alg="none", watermark_value="0",
        ingredients=[IngredientInfo(role="portrait", media_type="image/jpeg", sha256="c" * 64)],
    )  # fmt: skip
    return build_manifest(**{**defaults, **fields})


def test_a_manifest_signed_by_someone_else_cannot_claim_a_signet_record(client, released, tmp_path):
    ours = read_manifest(Path(released.file.path), media_type="video/mp4").signet_assertion
    copy = _reencode(Path(released.file.path), tmp_path / "copy.mp4", crf=51)  # watermark wiped
    claim = _claim(
        generation_id=ours["generation_id"], consent_record_id=ours["consent_record_id"],
        consent_statement_sha256=ours["consent_statement_hmac_sha256"],
        watermark_alg=released.watermark_alg, watermark_value=str(released.watermark_id),
    )  # fmt: skip
    body = _verify(client, _signed_by_mallory(copy, tmp_path, claim=claim)).json()
    assert body["c2pa"]["valid"] and not body["c2pa"]["trusted"]
    assert body["record"] is None
    assert body["verdict_code"] == "signed_elsewhere"


def test_our_video_re_signed_by_someone_else_is_named_as_such(client, released, tmp_path):
    copy = _reencode(Path(released.file.path), tmp_path / "copy.mp4", crf=23)  # watermark survives
    body = _verify(
        client, _signed_by_mallory(copy, tmp_path, claim=_claim(title="mine now"))
    ).json()
    assert body["watermark"]["found"] and body["record"]["id"] == str(released.public_id)
    assert body["verdict_code"] == "re_signed"
    assert "signed by someone this verifier does not trust" in body["verdict"]
