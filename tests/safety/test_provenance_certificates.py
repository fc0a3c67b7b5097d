import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from safety.provenance import create_development_chain


def _certificates(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


def test_chain_holds_signer_then_intermediate_and_never_the_root(tmp_path):
    paths = create_development_chain(tmp_path / "certs", common_name_prefix="Acme Dev")

    signer, intermediate = _certificates(paths.chain)
    (root,) = _certificates(paths.root)
    assert signer.issuer == intermediate.subject
    assert intermediate.issuer == root.subject
    assert root.fingerprint(root.signature_hash_algorithm) not in {
        c.fingerprint(c.signature_hash_algorithm) for c in (signer, intermediate)
    }
    assert "Acme Dev" in signer.subject.rfc4514_string()
    signer.verify_directly_issued_by(intermediate)
    intermediate.verify_directly_issued_by(root)


def test_signer_certificate_has_the_profile_c2pa_requires(tmp_path):
    paths = create_development_chain(tmp_path)
    signer = _certificates(paths.chain)[0]
    extensions = signer.extensions

    assert isinstance(signer.public_key(), ec.EllipticCurvePublicKey)
    assert signer.public_key().curve.name == "secp256r1"
    assert extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    key_usage = extensions.get_extension_for_class(x509.KeyUsage).value
    assert key_usage.digital_signature and not key_usage.key_cert_sign
    eku = extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.EMAIL_PROTECTION]
    aki = extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    intermediate_ski = _certificates(paths.chain)[1].extensions.get_extension_for_class(
        x509.SubjectKeyIdentifier
    )
    assert aki.key_identifier == intermediate_ski.value.digest
    assert extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest


def test_private_key_is_readable_by_its_owner_only(tmp_path):
    paths = create_development_chain(tmp_path)

    assert stat.S_IMODE(paths.key.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in paths.key.read_bytes()
    assert b"PRIVATE KEY" not in paths.chain.read_bytes() + paths.root.read_bytes()
    assert [p.name for p in sorted(tmp_path.iterdir())] == ["chain.pem", "root.pem", "signer.key"]


def test_refuses_to_overwrite_an_existing_chain_unless_forced(tmp_path):
    first = create_development_chain(tmp_path)
    key_before = first.key.read_bytes()

    with pytest.raises(FileExistsError, match="force=True"):
        create_development_chain(tmp_path)
    assert first.key.read_bytes() == key_before

    second = create_development_chain(tmp_path, force=True)
    assert second.key.read_bytes() != key_before
    assert stat.S_IMODE(second.key.stat().st_mode) == 0o600


def test_refuses_when_only_part_of_a_chain_exists(tmp_path):
    (tmp_path / "signer.key").write_text("someone's key")

    with pytest.raises(FileExistsError):
        create_development_chain(tmp_path)
    assert (tmp_path / "signer.key").read_text() == "someone's key"
