"""safety.sealing: a sealed file exists only if it read back signed, trusted and marked."""

import hashlib
from pathlib import Path

import numpy as np
import pytest

from generation.media import DecodedAudio, Mp4Writer
from safety.disclosure import DisclosureLabel
from safety.provenance.certificates import create_development_chain
from safety.provenance.manifest import IngredientInfo, build_manifest
from safety.provenance.signer import SignerConfig
from safety.sealing import SealingCancelled, SealingFailed, seal_still, seal_video
from safety.watermark import default_codec
from tests.generation.media_factory import tone

WATERMARK_ID = 987_654_321


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    paths = create_development_chain(tmp_path_factory.mktemp("keys"))
    return SignerConfig(chain_pem=paths.chain, key_pem=paths.key), paths.root.read_text()


@pytest.fixture
def render(tmp_path):
    rng = np.random.default_rng(5)
    texture = rng.integers(30, 220, (320, 320, 3), dtype=np.uint8)
    path = tmp_path / "render.mp4"
    with Mp4Writer(
        path, width=256, height=256, audio=DecodedAudio.from_samples(tone(1.6), 16_000), crf=12
    ) as out:
        for index in range(40):
            out.write(np.ascontiguousarray(texture[index % 30 : index % 30 + 256, 10:266]))
    return path


def _manifest(codec, watermark_id=WATERMARK_ID):
    return build_manifest(
        claim_generator_version="test", title="test", generation_id="g", generator_backend="still",
        generator_version="1", consent_record_id="c", consent_statement_sha256="a" * 64,
        hash_key=b"k", watermark_alg=codec.name, watermark_value=str(watermark_id),
        ingredients=[IngredientInfo(role="portrait", media_type="image/png", sha256="b" * 64)],
    )  # fmt: skip


def _seal(render, keys, **overrides):
    codec = default_codec(hashlib.sha256(b"k").digest())
    signer, root = keys
    arguments = dict(
        codec=codec, watermark_id=WATERMARK_ID, label=DisclosureLabel("top-left"),
        audio=DecodedAudio.from_samples(tone(1.6), 16_000), manifest=_manifest(codec),
        signer=signer, trust_anchors_pem=root,
    )  # fmt: skip
    arguments.update(overrides)
    return seal_video(render, render.with_name("sealed.mp4"), **arguments)


def test_a_sealed_video_is_signed_trusted_and_marked(render, keys):
    report = _seal(render, keys)
    assert report.path.exists() and report.frame_count == 40
    assert report.manifest.trusted and report.manifest.soft_binding.value == str(WATERMARK_ID)
    assert report.watermark_confidence > 0
    assert not list(render.parent.glob("*.unsigned.*"))


def test_a_seal_that_does_not_verify_leaves_nothing(render, keys):
    with pytest.raises(SealingFailed, match="did not verify"):
        _seal(render, keys, trust_anchors_pem=None)
    assert sorted(p.name for p in render.parent.iterdir()) == ["render.mp4"]


def test_a_manifest_naming_another_watermark_is_refused(render, keys):
    codec = default_codec(hashlib.sha256(b"k").digest())
    with pytest.raises(SealingFailed, match="wrong watermark"):
        _seal(render, keys, manifest=_manifest(codec, watermark_id=1))
    assert not render.with_name("sealed.mp4").exists()


def test_cancelling_while_sealing_leaves_nothing(render, keys):
    with pytest.raises(SealingCancelled):
        _seal(render, keys, should_cancel=lambda: True)
    assert sorted(p.name for p in render.parent.iterdir()) == ["render.mp4"]


def test_a_still_is_sealed_like_the_video(tmp_path, keys):
    codec = default_codec(hashlib.sha256(b"k").digest())
    # A poster is a 512x512 frame: smooth shading with some fine texture, like a face on a wall.
    y, x = np.mgrid[0:512, 0:512]
    noise = np.random.default_rng(1).normal(0, 12, (512, 512, 1))
    frame = np.clip(
        np.stack([x / 3 + 40, y / 3 + 40, (x + y) / 6 + 60], -1) + noise, 0, 255
    ).astype(np.uint8)
    signer, root = keys
    report = seal_still(
        frame, tmp_path / "poster.jpg", codec=codec, watermark_id=WATERMARK_ID,
        label=DisclosureLabel(), manifest=_manifest(codec), signer=signer, trust_anchors_pem=root,
    )  # fmt: skip
    assert report.manifest.trusted and Path(report.path).read_bytes()[:3] == b"\xff\xd8\xff"
