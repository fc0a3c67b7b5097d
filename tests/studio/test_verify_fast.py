"""The fast verifier: cheapest checks first, a per-file-hash cache that forged bytes cannot hit,
and a bounded pool that answers a crowd with 503 + Retry-After instead of timing out."""

import threading
from pathlib import Path

import numpy as np
import pytest

from studio.models import OutputArtifact
from studio.services import verification, verify_pool
from tests.generation import media_factory
from tests.studio.factories import released_job, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_pool():
    verify_pool._pool = None
    yield
    verify_pool._pool = None


@pytest.fixture
def released(consented_creator, tmp_path):
    return released_job(consented_creator, tmp_path, seconds=1.5).output


def _png(tmp_path: Path) -> Path:
    path = tmp_path / "picture.png"
    media_factory.gradient_image(96, 96).save(path)
    return path


def _count_analyses(monkeypatch) -> list[Path]:
    seen: list[Path] = []
    real = verification.file_analyse

    def counting(path, media_type):
        seen.append(path)
        return real(path, media_type)

    monkeypatch.setattr(verification, "file_analyse", counting)
    return seen


def test_a_crowd_is_told_to_retry_after_not_kept_waiting(client, tmp_path, settings, monkeypatch):
    settings.SIGNET_VERIFY_WORKERS = 1
    settings.SIGNET_VERIFY_QUEUE = 0
    settings.SIGNET_VERIFY_RETRY_AFTER_SECONDS = 3
    entered, release = threading.Event(), threading.Event()
    real = verification.file_analyse

    def slow(path, media_type):
        entered.set()
        release.wait(30)
        return real(path, media_type)

    monkeypatch.setattr(verification, "file_analyse", slow)
    picture = _png(tmp_path)
    holder = threading.Thread(target=lambda: verification.verify_upload(picture))
    holder.start()
    try:
        assert entered.wait(30)
        busy = client.post("/api/v1/verify", {"file": upload(picture)})
        assert busy.status_code == 503
        assert busy["Retry-After"] == "3"
        assert busy.json()["error"]["code"] == "busy"
    finally:
        release.set()
        holder.join(30)
    assert client.post("/api/v1/verify", {"file": upload(picture)}).status_code == 200


def test_a_waiting_request_gets_the_next_free_slot(tmp_path, settings, monkeypatch):
    settings.SIGNET_VERIFY_WORKERS = 1
    settings.SIGNET_VERIFY_QUEUE = 1
    pool = verify_pool.verify_pool()
    order = []

    def wait_then_enter():
        with pool.slot():
            order.append("in")

    with pool.slot():
        waiter = threading.Thread(target=wait_then_enter)
        waiter.start()
        waiter.join(0.3)
        assert order == []  # queued, not refused, while the slot is taken
        order.append("released")
    waiter.join(5)
    assert order == ["released", "in"]


def test_the_same_file_is_analysed_once_and_its_record_read_afresh(
    client, released, monkeypatch
):
    seen = _count_analyses(monkeypatch)
    path = Path(released.file.path)
    first = client.post("/api/v1/verify", {"file": upload(path, "a.mp4")}).json()
    assert first["verdict_code"] == "signed" and first["watermark"]["found"]
    assert not first["watermark"]["full_search"]  # the quick read sufficed

    OutputArtifact.objects.filter(pk=released.pk).update(status="revoked")
    second = client.post("/api/v1/verify", {"file": upload(path, "b.mp4")}).json()
    assert len(seen) == 1  # the bytes were not analysed again
    assert second["record"]["status"] == "revoked"  # but the record is today's


def test_changed_bytes_never_get_the_cached_answer(client, released, tmp_path, monkeypatch):
    seen = _count_analyses(monkeypatch)
    original = Path(released.file.path)
    assert client.post("/api/v1/verify", {"file": upload(original)}).json()[
        "verdict_code"
    ] == "signed"
    forged = tmp_path / "forged.mp4"
    data = bytearray(original.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the media
    forged.write_bytes(bytes(data))
    answer = client.post("/api/v1/verify", {"file": upload(forged)}).json()
    assert len(seen) == 2
    assert answer["verdict_code"] == "tampered"


def test_the_full_search_runs_only_when_the_quick_read_finds_nothing(tmp_path):
    from generation.media import DecodedAudio, Mp4Writer

    plain = tmp_path / "plain.mp4"
    picture = np.asarray(media_factory.gradient_image(256, 256).convert("RGB")) // 2
    audio = DecodedAudio.from_samples(media_factory.tone(1.0), 16_000)
    with Mp4Writer(plain, width=256, height=256, audio=audio) as writer:
        for index in range(25):
            writer.write((picture + index).astype(np.uint8))
    result = verification.verify_upload(plain)
    assert result["verdict_code"] == "no_provenance"
    assert not result["watermark"]["found"] and result["watermark"]["full_search"]


def test_a_trusted_manifest_naming_no_job_of_ours_is_answered_not_crashed(tmp_path):
    from generation.media import DecodedAudio, Mp4Writer
    from safety.provenance.manifest import IngredientInfo, build_manifest
    from safety.provenance.signing import sign_media
    from studio.provenance_config import signer_config

    plain = tmp_path / "plain.mp4"
    picture = np.asarray(media_factory.gradient_image(128, 128).convert("RGB"))
    audio = DecodedAudio.from_samples(media_factory.tone(0.5), 16_000)
    with Mp4Writer(plain, width=128, height=128, audio=audio) as writer:
        for _ in range(12):
            writer.write(picture)
    manifest = build_manifest(
        claim_generator_version="t", title="t", generation_id="not-a-job-id",
        generator_backend="still", generator_version="1", consent_record_id="c",
        consent_statement_sha256="a" * 64, hash_key=b"k" * 32, watermark_alg="none",
        watermark_value="0",
        ingredients=[IngredientInfo(role="portrait", media_type="image/png", sha256="b" * 64)],
    )  # fmt: skip
    signed = tmp_path / "signed.mp4"
    sign_media(plain, signed, manifest, signer_config(), media_type="video/mp4")
    result = verification.verify_upload(signed)
    assert result["c2pa"]["trusted"] and result["record"] is None
    assert result["verdict_code"] == "signed_elsewhere"
