"""Sign real MP4, PNG and JPEG files with a development chain and read them back."""

import base64
import hashlib
import json
import os
import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from PIL import Image

from safety.provenance import (
    TRAINED_ALGORITHMIC_MEDIA,
    IngredientInfo,
    ManifestState,
    ProvenanceError,
    SignerConfig,
    build_manifest,
    create_development_chain,
    ingredient_from_file,
    read_manifest,
    sign_media,
)
from safety.provenance.manifest import keyed_hash

PORTRAIT = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "faces" / "obama.jpg"
WATERMARK_VALUE = "9f2c61d04a7b3e85"
HASH_KEY = b"test-manifest-hash-key"


def _write_clip(path: Path, *, size: int = 64, seconds: float = 1.0, fps: int = 25) -> Path:
    """A small H.264 + AAC MP4: a moving bar over a colour ramp and a 440 Hz tone."""
    sample_rate = 16000
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width = video.height = size
        video.pix_fmt = "yuv420p"
        audio = container.add_stream("aac", rate=sample_rate)
        for index in range(int(seconds * fps)):
            frame = np.zeros((size, size, 3), np.uint8)
            frame[..., 0] = np.linspace(0, 255, size, dtype=np.uint8)
            frame[:, (index * 3) % size, 1] = 255
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)
        t = np.arange(int(seconds * sample_rate)) / sample_rate
        samples = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None, :]
        for start in range(0, samples.shape[1], 1024):
            chunk = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(samples[:, start : start + 1024]), format="fltp", layout="mono"
            )
            chunk.sample_rate = sample_rate
            chunk.pts = start
            chunk.time_base = Fraction(1, sample_rate)
            for packet in audio.encode(chunk):
                container.mux(packet)
        for packet in audio.encode(None):
            container.mux(packet)
    return path


def _reencode(src: Path, dst: Path, *, crf: int = 28) -> Path:
    with av.open(str(src)) as source, av.open(str(dst), "w") as target:
        in_video = source.streams.video[0]
        out_video = target.add_stream("libx264", rate=25, options={"crf": str(crf)})
        out_video.width, out_video.height = in_video.width, in_video.height
        out_video.pix_fmt = "yuv420p"
        for frame in source.decode(in_video):
            for packet in out_video.encode(frame.reformat(format="yuv420p")):
                target.mux(packet)
        for packet in out_video.encode(None):
            target.mux(packet)
    return dst


def _top_level_box(data: bytes, box_type: bytes) -> tuple[int, int]:
    """(payload offset, payload end) of the first top-level MP4 box of that type."""
    offset = 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
            header = 16
        elif size == 0:
            size = len(data) - offset
        if kind == box_type:
            return offset + header, offset + size
        offset += size
    raise AssertionError(f"no {box_type!r} box")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("provenance")


@pytest.fixture(scope="module")
def chain(workdir):
    return create_development_chain(workdir / "certs")


@pytest.fixture(scope="module")
def trust_anchors(chain) -> str:
    return chain.root.read_text()


@pytest.fixture(scope="module")
def file_signer(chain) -> SignerConfig:
    return SignerConfig(chain_pem=chain.chain, key_pem=chain.key)


@pytest.fixture(scope="module")
def clip(workdir) -> Path:
    return _write_clip(workdir / "clip.mp4")


@pytest.fixture(scope="module")
def manifest(clip) -> dict:
    return build_manifest(
        claim_generator_version="0.1.0",
        title="Talking portrait",
        generation_id="gen-7c1e",
        generator_backend="landmark-animator",
        generator_version="1.0.0",
        consent_record_id="consent-42",
        consent_statement_sha256=hashlib.sha256(b"I agree to animate my own photo").hexdigest(),
        hash_key=HASH_KEY,
        watermark_alg="app.signet.watermark.v1",
        watermark_value=WATERMARK_VALUE,
        ingredients=[
            ingredient_from_file(PORTRAIT, role="portrait", media_type="image/jpeg"),
            IngredientInfo(role="audio", media_type="audio/wav", sha256="ab" * 32),
        ],
    )


@pytest.fixture(scope="module")
def signed_clip(workdir, clip, manifest, file_signer) -> Path:
    signed = workdir / "signed.mp4"
    sign_media(clip, signed, manifest, file_signer)
    return signed


def test_signed_mp4_reads_trusted_with_every_signet_claim(signed_clip, trust_anchors):
    report = read_manifest(signed_clip, trust_anchors_pem=trust_anchors)

    assert (report.present, report.valid, report.trusted) == (True, True, True)
    assert report.state is ManifestState.TRUSTED
    assert report.validation_errors == ()
    assert report.manifest_id.startswith("urn:c2pa:")
    assert report.claim_generator == "Signet 0.1.0"
    assert report.signer.common_name == "Signet Dev Signer"
    actions = {a.action: a.digital_source_type for a in report.actions}
    assert actions["c2pa.created"] == TRAINED_ALGORITHMIC_MEDIA
    assert "c2pa.watermarked" in actions
    assert report.soft_binding.alg == "app.signet.watermark.v1"
    assert report.soft_binding.value == WATERMARK_VALUE
    signet = report.signet_assertion
    assert signet["generation_id"] == "gen-7c1e"
    assert signet["generator_backend"] == "landmark-animator"
    assert signet["generator_version"] == "1.0.0"
    assert signet["consent_record_id"] == "consent-42"
    # Keyed hashes only: holding the photo (or guessing the statement) does not link it to the
    # video without the server's key; nothing mutable (moderation state) is sealed.
    statement_sha256 = hashlib.sha256(b"I agree to animate my own photo").hexdigest()
    photo_sha256 = hashlib.sha256(PORTRAIT.read_bytes()).hexdigest()
    published = json.dumps(signet)
    assert statement_sha256 not in published and photo_sha256 not in published
    assert "moderation_state" not in signet
    assert signet["consent_statement_hmac_sha256"] == keyed_hash(HASH_KEY, statement_sha256)
    assert signet["consent_statement_hmac_sha256"] != keyed_hash(b"guess", statement_sha256)
    assert {i["role"] for i in signet["ingredients"]} == {"portrait", "audio"}
    portrait = next(i for i in signet["ingredients"] if i["role"] == "portrait")
    assert portrait["hmac_sha256"] == keyed_hash(HASH_KEY, photo_sha256)
    json.dumps(report.to_dict())  # JSON-ready


def test_signed_video_still_plays(signed_clip):
    with av.open(str(signed_clip)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == 25


def test_video_manifest_is_small_and_names_no_files(clip, signed_clip):
    # No thumbnails and no embedded ingredients: the manifest stays a few kilobytes.
    assert signed_clip.stat().st_size - clip.stat().st_size < 10_000
    signed_bytes = signed_clip.read_bytes()
    assert b"obama" not in signed_bytes
    assert b"image/jpeg" in signed_bytes  # the portrait is described by its type, not content


def test_bytes_and_path_read_the_same(signed_clip, trust_anchors):
    from_path = read_manifest(signed_clip, trust_anchors_pem=trust_anchors)
    from_bytes = read_manifest(
        signed_clip.read_bytes(), media_type="video/mp4", trust_anchors_pem=trust_anchors
    )
    assert from_bytes == from_path


def test_without_trust_anchors_a_good_signature_is_valid_but_not_trusted(signed_clip):
    report = read_manifest(signed_clip)

    assert (report.present, report.valid, report.trusted) == (True, True, False)
    assert report.state is ManifestState.VALID
    assert "signingCredential.untrusted" in {e.code for e in report.validation_errors}


def test_a_different_root_does_not_make_the_signer_trusted(signed_clip, tmp_path):
    stranger = create_development_chain(tmp_path, common_name_prefix="Someone Else")

    report = read_manifest(signed_clip, trust_anchors_pem=stranger.root.read_text())

    assert report.valid and not report.trusted


def test_one_flipped_media_byte_reads_invalid(signed_clip, trust_anchors, tmp_path):
    data = bytearray(signed_clip.read_bytes())
    start, end = _top_level_box(bytes(data), b"mdat")
    data[(start + end) // 2] ^= 0x01
    tampered = tmp_path / "tampered.mp4"
    tampered.write_bytes(bytes(data))

    report = read_manifest(tampered, trust_anchors_pem=trust_anchors)

    assert report.present and not report.valid and not report.trusted
    assert report.state is ManifestState.INVALID
    assert report.validation_errors


def test_reencoding_strips_the_manifest(signed_clip, trust_anchors, tmp_path):
    reencoded = _reencode(signed_clip, tmp_path / "reencoded.mp4", crf=28)

    report = read_manifest(reencoded, trust_anchors_pem=trust_anchors)

    assert not report.present and report.state is ManifestState.ABSENT


def test_unsigned_file_has_no_manifest(clip):
    report = read_manifest(clip)

    assert not report.present and not report.valid
    assert report.state is ManifestState.ABSENT
    assert report.validation_errors == ()


@pytest.mark.parametrize("media_type", [None, "video/mp4", "image/png"])
def test_random_bytes_are_reported_not_raised(media_type):
    report = read_manifest(os.urandom(4096), media_type=media_type)

    assert not report.present and not report.valid
    assert report.state in (ManifestState.UNREADABLE, ManifestState.ABSENT)


@pytest.mark.parametrize("keep", [0.05, 0.5, 0.95])
def test_truncated_signed_mp4_never_reads_valid(signed_clip, trust_anchors, keep):
    data = signed_clip.read_bytes()

    report = read_manifest(
        data[: int(len(data) * keep)], media_type="video/mp4", trust_anchors_pem=trust_anchors
    )

    assert not report.valid and not report.trusted


def test_empty_input_is_unreadable():
    assert read_manifest(b"").state is ManifestState.UNREADABLE


def test_a_path_that_cannot_be_opened_raises(tmp_path):
    with pytest.raises(ProvenanceError, match="cannot open"):
        read_manifest(tmp_path / "missing.mp4")


def test_private_key_never_leaves_the_key_file(chain, signed_clip, trust_anchors):
    key_pem = chain.key.read_text()
    key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    secret_scalar = key.private_numbers().private_value.to_bytes(32, "big")
    key_body = "".join(key_pem.strip().splitlines()[1:-1])
    signed_bytes = signed_clip.read_bytes()
    report_json = json.dumps(read_manifest(signed_clip, trust_anchors_pem=trust_anchors).to_dict())

    for needle in (key_body[:40], key_body[-40:]):
        assert needle not in report_json
        assert needle.encode() not in signed_bytes
    assert secret_scalar not in signed_bytes
    assert base64.b64encode(secret_scalar).decode() not in report_json


@pytest.mark.parametrize("media_type,suffix", [("image/png", ".png"), ("image/jpeg", ".jpg")])
def test_images_sign_and_read_trusted(
    tmp_path, manifest, file_signer, trust_anchors, media_type, suffix
):
    image = tmp_path / f"still{suffix}"
    Image.fromarray(np.full((48, 48, 3), (30, 120, 200), np.uint8)).save(image)
    signed = tmp_path / f"signed{suffix}"

    sign_media(image, signed, manifest, file_signer, media_type=media_type)
    report = read_manifest(signed, trust_anchors_pem=trust_anchors)

    assert report.trusted and report.soft_binding.value == WATERMARK_VALUE
    assert Image.open(signed).size == (48, 48)
    # No preview thumbnail: with one, c2pa adds about 30 KB to an image this small.
    assert signed.stat().st_size - image.stat().st_size < 10_000
    flipped = bytearray(signed.read_bytes())
    flipped[-20] ^= 0x01  # inside the image data, past the manifest
    assert not read_manifest(bytes(flipped), trust_anchors_pem=trust_anchors).valid


def test_callback_signer_signs_like_a_kms(tmp_path, clip, manifest, chain, trust_anchors):
    # The key lives only in this process's memory, as it would inside a KMS; the callback
    # returns a DER ECDSA signature, the shape AWS/GCP KMS return.
    in_memory_key = serialization.load_pem_private_key(chain.key.read_bytes(), password=None)
    seen: list[int] = []

    def kms_sign(payload: bytes) -> bytes:
        seen.append(len(payload))
        return in_memory_key.sign(payload, ec.ECDSA(hashes.SHA256()))

    config = SignerConfig(chain_pem=chain.chain, sign_callback=kms_sign)
    signed = tmp_path / "kms.mp4"

    sign_media(clip, signed, manifest, config)

    assert seen, "the callback was never asked to sign"
    assert read_manifest(signed, trust_anchors_pem=trust_anchors).trusted


def test_failing_callback_leaves_nothing_behind(tmp_path, clip, manifest, chain):
    def kms_down(payload: bytes) -> bytes:
        raise ConnectionError("KMS unreachable")

    out_dir = tmp_path / "out"
    out_dir.mkdir()
    config = SignerConfig(chain_pem=chain.chain, sign_callback=kms_down)

    with pytest.raises(ProvenanceError, match="signing clip.mp4"):
        sign_media(clip, out_dir / "signed.mp4", manifest, config)
    assert list(out_dir.iterdir()) == []


def test_content_that_is_not_the_declared_type_fails_cleanly(tmp_path, manifest, file_signer):
    not_a_video = tmp_path / "photo.png"
    Image.new("RGB", (16, 16)).save(not_a_video)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "keep.mp4").write_bytes(b"previous version")

    with pytest.raises(ProvenanceError):
        sign_media(not_a_video, out_dir / "keep.mp4", manifest, file_signer)
    with pytest.raises(ProvenanceError, match="cannot sign"):
        sign_media(not_a_video, out_dir / "x.gif", manifest, file_signer, media_type="image/gif")
    assert [p.name for p in out_dir.iterdir()] == ["keep.mp4"]
    assert (out_dir / "keep.mp4").read_bytes() == b"previous version"


def test_signer_with_a_key_that_does_not_match_the_chain_is_refused(
    tmp_path, clip, manifest, chain
):
    other = create_development_chain(tmp_path / "other")
    config = SignerConfig(chain_pem=chain.chain, key_pem=other.key)

    # c2pa notices the mismatch when it signs, not when the signer is built.
    with pytest.raises(ProvenanceError, match="does not match"):
        sign_media(clip, tmp_path / "signed.mp4", manifest, config)
    assert not (tmp_path / "signed.mp4").exists()


def test_signing_in_place_replaces_the_file(tmp_path, manifest, file_signer, trust_anchors):
    video = _write_clip(tmp_path / "render.mp4", seconds=0.4)

    sign_media(video, video, manifest, file_signer)

    assert read_manifest(video, trust_anchors_pem=trust_anchors).trusted
    assert sorted(p.name for p in tmp_path.iterdir()) == ["render.mp4"]


def test_signer_config_needs_exactly_one_way_to_sign(chain):
    with pytest.raises(ValueError, match="exactly one"):
        SignerConfig(chain_pem=chain.chain)
    with pytest.raises(ValueError, match="exactly one"):
        SignerConfig(chain_pem=chain.chain, key_pem=chain.key, sign_callback=lambda b: b)
    with pytest.raises(ValueError, match="unsupported signing algorithm"):
        SignerConfig(chain_pem=chain.chain, key_pem=chain.key, alg="rs1")


def test_build_manifest_rejects_missing_or_malformed_fields():
    fields = dict(
        claim_generator_version="0.1.0",
        title="t",
        generation_id="g",
        generator_backend="b",
        generator_version="1",
        consent_record_id="c",
        consent_statement_sha256="0" * 64,
        hash_key=b"k",
        watermark_alg="a",
        watermark_value="v",
        ingredients=[],
    )
    build_manifest(**fields)
    with pytest.raises(ValueError, match="generation_id"):
        build_manifest(**{**fields, "generation_id": ""})
    with pytest.raises(ValueError, match="consent_statement_sha256"):
        build_manifest(**{**fields, "consent_statement_sha256": "not-a-hash"})
    with pytest.raises(ValueError, match="role"):
        IngredientInfo(role="/home/ana/Ana selfie.jpg", media_type="image/jpeg", sha256="0" * 64)
