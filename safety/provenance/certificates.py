"""A development certificate chain that C2PA accepts: root CA -> intermediate CA -> signer.

For local runs and tests only. A production deployment signs with a certificate from a CA on
the C2PA trust list, usually through a KMS/HSM callback (see `signer.py`).

The end-entity profile is what c2pa-rs 0.91 requires of a signing certificate: ECDSA P-256,
CA:FALSE, KeyUsage digitalSignature, EKU emailProtection (documentSigning alone, serverAuth
alone and anyExtendedKeyUsage are refused), Authority and Subject Key Identifiers.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT_FILENAME = "root.pem"
CHAIN_FILENAME = "chain.pem"
KEY_FILENAME = "signer.key"

# Backdate "not before" a little so a clock that runs slightly behind on a verifier does not
# reject a certificate minted seconds ago.
_CLOCK_SKEW = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class CertificatePaths:
    """Where a development chain was written.

    root: the trust anchor, for verifiers only (never embedded in a manifest).
    chain: end-entity then intermediate, the chain a signer embeds.
    key: the end-entity's private key (PKCS#8 PEM, file mode 0600).
    """

    root: Path
    chain: Path
    key: Path


def create_development_chain(
    directory: Path,
    *,
    common_name_prefix: str = "Signet Dev",
    valid_days: int = 365,
    force: bool = False,
) -> CertificatePaths:
    """Write a fresh ES256 root -> intermediate -> signer chain into `directory`.

    Creates `directory` if needed. Raises FileExistsError if any of root.pem, chain.pem or
    signer.key already exists there, unless `force=True`, which replaces all three.
    The signer certificate is valid for `valid_days`; the CAs outlive it. Without a timestamp
    authority, verifiers check the signature against the certificate's validity at reading
    time, so files signed with an expired development certificate stop validating.
    """
    if valid_days < 1:
        raise ValueError("valid_days must be at least 1")
    directory = Path(directory)
    paths = CertificatePaths(
        root=directory / ROOT_FILENAME,
        chain=directory / CHAIN_FILENAME,
        key=directory / KEY_FILENAME,
    )
    existing = [p.name for p in (paths.root, paths.chain, paths.key) if p.exists()]
    if existing and not force:
        raise FileExistsError(
            f"a development chain already exists in {directory} ({', '.join(existing)}); "
            "pass force=True to replace it"
        )
    directory.mkdir(parents=True, exist_ok=True)

    now = datetime.datetime.now(datetime.UTC)
    signer_days = datetime.timedelta(days=valid_days)

    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(common_name_prefix, "Root CA")
    root_cert = _ca_certificate(
        subject=root_name,
        subject_key=root_key,
        issuer=root_name,
        issuer_key=root_key,
        path_length=1,
        not_before=now - _CLOCK_SKEW,
        not_after=now + 4 * signer_days,
    )

    intermediate_key = ec.generate_private_key(ec.SECP256R1())
    intermediate_name = _name(common_name_prefix, "Intermediate CA")
    intermediate_cert = _ca_certificate(
        subject=intermediate_name,
        subject_key=intermediate_key,
        issuer=root_name,
        issuer_key=root_key,
        path_length=0,
        not_before=now - _CLOCK_SKEW,
        not_after=now + 2 * signer_days,
    )

    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer_cert = _signer_certificate(
        subject=_name(common_name_prefix, "Signer"),
        subject_key=signer_key,
        issuer=intermediate_name,
        issuer_key=intermediate_key,
        not_before=now - _CLOCK_SKEW,
        not_after=now + signer_days,
    )

    key_pem = signer_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # The key goes first so that a failure leaves no public half without its private half.
    _write_atomically(paths.key, key_pem, mode=0o600)
    _write_atomically(paths.chain, _pem(signer_cert) + _pem(intermediate_cert), mode=0o644)
    _write_atomically(paths.root, _pem(root_cert), mode=0o644)
    return paths


def _name(prefix: str, role: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, prefix),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{prefix} {role}"),
        ]
    )


def _base_builder(
    *,
    subject: x509.Name,
    subject_key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(subject_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )


def _ca_certificate(
    *,
    subject: x509.Name,
    subject_key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    path_length: int,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
) -> x509.Certificate:
    builder = (
        _base_builder(
            subject=subject,
            subject_key=subject_key,
            issuer=issuer,
            issuer_key=issuer_key,
            not_before=not_before,
            not_after=not_after,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(_key_usage(key_cert_sign=True), critical=True)
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _signer_certificate(
    *,
    subject: x509.Name,
    subject_key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
) -> x509.Certificate:
    builder = (
        _base_builder(
            subject=subject,
            subject_key=subject_key,
            issuer=issuer,
            issuer_key=issuer_key,
            not_before=not_before,
            not_after=not_after,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _key_usage(*, digital_signature: bool = False, key_cert_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=key_cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _write_atomically(path: Path, data: bytes, *, mode: int) -> None:
    # mkstemp creates the file 0600 from the start, so the key is never readable by others,
    # not even between creation and chmod; the rename replaces any old file in one step.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
