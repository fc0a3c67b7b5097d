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


def _frames(count=40, size=256):
    """A moving picture with shading and soft texture (per-pixel colour noise is nothing a
    renderer makes, and 4:2:0 video cannot carry it)."""
    import cv2

    rng = np.random.default_rng(5)
    noise = cv2.GaussianBlur(rng.normal(0, 40, (size + 64, size + 64)).astype(np.float32), (0, 0), 2)
    y, x = np.mgrid[0 : size + 64, 0 : size + 64]
    shade = np.stack([x / 3 + 40, y / 3 + 40, (x + y) / 6 + 60], -1) + noise[..., None]
    texture = np.clip(shade, 0, 255).astype(np.uint8)
    for index in range(count):
        yield np.ascontiguousarray(texture[index % 30 : index % 30 + size, 10 : 10 + size])


def _seal_frames(frames, tmp_path, keys, **overrides):
    from generation.media.audio import AudioTrack
    from safety.sealing import seal_frames

    codec = default_codec(hashlib.sha256(b"k").digest())
    signer, root = keys
    stereo = np.stack([tone(1.6, sample_rate=44_100), tone(1.6, sample_rate=44_100, seed=3)])
    arguments = dict(
        fps=25, codec=codec, watermark_id=WATERMARK_ID, label=DisclosureLabel("top-left"),
        audio=AudioTrack(samples=stereo, sample_rate=44_100), manifest=_manifest(codec),
        signer=signer, trust_anchors_pem=root,
    )  # fmt: skip
    arguments.update(overrides)
    return seal_frames(frames, tmp_path / "sealed.mp4", **arguments)


def test_frames_are_sealed_in_one_pass_with_no_intermediate_file(tmp_path, keys):
    import av

    seen_files = []

    def watching(frames):
        for frame in frames:
            seen_files.append(sorted(p.name for p in tmp_path.iterdir()))
            yield frame

    report = _seal_frames(watching(_frames()), tmp_path, keys)
    assert report.manifest.trusted and report.frame_count == 40
    # While frames arrived, the only file was the one being encoded: no render file before it.
    assert all(names in ([], ["sealed.unsigned.mp4"]) for names in seen_files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sealed.mp4"]
    # The poster is the renderer's own frame 12, unlabelled and unmarked, kept from memory.
    assert np.array_equal(report.poster_rgb, list(_frames())[12])
    with av.open(str(report.path)) as container:
        audio = container.streams.audio[0].codec_context
        assert (audio.sample_rate, audio.channels) == (44_100, 2)


def test_one_encode_keeps_the_renderers_frames_close(tmp_path, keys):
    from generation.media.video import iter_video_frames

    label = DisclosureLabel("top-left")
    report = _seal_frames(_frames(), tmp_path, keys, label=label)
    errors = [
        np.mean((label.apply(original).astype(np.float32) - delivered) ** 2)
        for original, delivered in zip(_frames(), iter_video_frames(report.path), strict=True)
    ]
    psnr = 10 * np.log10(255.0**2 / np.mean(errors))
    assert psnr > 34, psnr  # watermark (~40 dB) plus a single CRF 18 encode of noisy texture


def test_a_render_cancelled_mid_stream_leaves_nothing(tmp_path, keys):
    from generation.render_job import RenderCancelled

    def cancelled_after_ten(frames):
        for index, frame in enumerate(frames):
            if index == 10:
                raise RenderCancelled("stop")
            yield frame

    with pytest.raises(RenderCancelled):
        _seal_frames(cancelled_after_ten(_frames()), tmp_path, keys)
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_does_not_read_back_is_removed(tmp_path, keys):
    with pytest.raises(SealingFailed, match="did not verify"):
        _seal_frames(_frames(), tmp_path, keys, trust_anchors_pem=None)
    assert list(tmp_path.iterdir()) == []
