"""RFC 3161 timestamps: a manifest signed through a timestamp authority stays valid after the
signing certificate expires; without one it does not. The TSA is local (tests/safety/local_tsa.py)."""

from __future__ import annotations

import datetime
import shutil
import time
from pathlib import Path

import pytest

from safety.provenance import certificates
from safety.provenance.errors import ProvenanceError
from safety.provenance.manifest import build_manifest
from safety.provenance.reading import read_manifest
from safety.provenance.signer import SignerConfig
from safety.provenance.signing import sign_media
from tests.safety.local_tsa import LocalTsa
from tests.safety.test_watermark import talking_clip, write_h264

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
LIFETIME = datetime.timedelta(seconds=6)


def _short_lived_chain(directory: Path, monkeypatch) -> certificates.CertificatePaths:
    """A development chain whose signer certificate expires a few seconds from now."""
    original = certificates._signer_certificate

    def expiring(**fields):
        fields["not_after"] = datetime.datetime.now(datetime.UTC) + LIFETIME
        return original(**fields)

    monkeypatch.setattr(certificates, "_signer_certificate", expiring)
    paths = certificates.create_development_chain(directory)
    monkeypatch.setattr(certificates, "_signer_certificate", original)
    return paths


def _manifest() -> dict:
    return build_manifest(
        claim_generator_version="1", title="t", generation_id="g", generator_backend="b",
        generator_version="1", consent_record_id="c", consent_statement_sha256="0" * 64,
        hash_key=b"k", watermark_alg="a", watermark_value="1", ingredients=[],
    )  # fmt: skip


def test_a_timestamped_manifest_outlives_its_signing_certificate(tmp_path, monkeypatch):
    paths = _short_lived_chain(tmp_path / "keys", monkeypatch)
    clip = write_h264(talking_clip(frames=10), tmp_path / "clip.mp4", 23)
    with LocalTsa(tmp_path / "tsa") as tsa:
        stamped = tmp_path / "stamped.mp4"
        sign_media(
            clip, stamped, _manifest(),
            SignerConfig(chain_pem=paths.chain, key_pem=paths.key, tsa_url=tsa.url),
        )  # fmt: skip
        assert tsa.requests == 1
        anchors = paths.root.read_text() + tsa.root_pem
    unstamped = tmp_path / "unstamped.mp4"
    sign_media(clip, unstamped, _manifest(), SignerConfig(chain_pem=paths.chain, key_pem=paths.key))
    assert read_manifest(unstamped, trust_anchors_pem=anchors).trusted

    time.sleep(LIFETIME.total_seconds() + 1)  # the signer certificate has now expired

    # Without a timestamp the expired certificate invalidates the manifest ...
    expired = read_manifest(unstamped, trust_anchors_pem=anchors)
    assert not expired.valid
    assert "signingCredential.expired" in {issue.code for issue in expired.validation_errors}
    # ... with one, the signature is judged at the certified signing time.
    report = read_manifest(stamped, trust_anchors_pem=anchors)
    assert report.valid and report.trusted, report.validation_errors


def test_an_unreachable_timestamp_authority_fails_signing(tmp_path):
    paths = certificates.create_development_chain(tmp_path / "keys")
    clip = write_h264(talking_clip(frames=5), tmp_path / "clip.mp4", 23)
    config = SignerConfig(chain_pem=paths.chain, key_pem=paths.key, tsa_url="http://127.0.0.1:9/")
    with pytest.raises(ProvenanceError):
        sign_media(clip, tmp_path / "out.mp4", _manifest(), config)
    assert not (tmp_path / "out.mp4").exists()
