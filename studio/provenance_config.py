"""The signing chain, trust anchors and watermark codec this process uses, from settings.

The private key is read from a file by the signer and never passes through here as text.
"""

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from safety.provenance.certificates import create_development_chain
from safety.provenance.signer import SignerConfig
from safety.watermark import default_codec


class SigningNotConfigured(Exception):
    pass


def _keys_dir() -> Path:
    return Path(settings.SIGNET_KEYS_DIR)


def signer_config() -> SignerConfig:
    """The chain and either the key file or the KMS/HSM callback named in settings."""
    chain = Path(settings.SIGNET_SIGNING_CHAIN or _keys_dir() / "chain.pem")
    if settings.SIGNET_SIGNING_CALLBACK:
        callback = import_string(settings.SIGNET_SIGNING_CALLBACK)
        return SignerConfig(
            chain_pem=chain,
            sign_callback=callback,
            alg=settings.SIGNET_SIGNING_ALG,
            tsa_url=settings.SIGNET_TSA_URL or None,
        )
    key = Path(settings.SIGNET_SIGNING_KEY or _keys_dir() / "signer.key")
    if not chain.exists() or not key.exists():
        raise SigningNotConfigured(
            f"No signing certificate chain at {chain.parent}. "
            "Run `python manage.py create_signing_chain` (development) or configure "
            "SIGNET_SIGNING_CHAIN and SIGNET_SIGNING_KEY."
        )
    return SignerConfig(
        chain_pem=chain,
        key_pem=key,
        alg=settings.SIGNET_SIGNING_ALG,
        tsa_url=settings.SIGNET_TSA_URL or None,
    )


def trust_anchors_pem() -> str | None:
    """The root certificate(s) the verifier trusts, concatenated PEM."""
    path = Path(settings.SIGNET_TRUST_ANCHORS or _keys_dir() / "root.pem")
    return path.read_text() if path.exists() else None


def ensure_development_chain() -> Path:
    """Create a development chain in SIGNET_KEYS_DIR unless one is there already."""
    directory = _keys_dir()
    if not (directory / "chain.pem").exists():
        create_development_chain(directory)
    return directory


def _watermark_key() -> bytes:
    key = settings.SIGNET_WATERMARK_KEY
    if not key:
        key_file = _keys_dir() / "watermark.key"
        if not key_file.exists():
            raise SigningNotConfigured(
                "No watermark key: set SIGNET_WATERMARK_KEY or run `python manage.py create_signing_chain`."
            )
        key = key_file.read_text().strip()
    return hashlib.sha256(key.encode()).digest()


@cache
def watermark_codec():
    return default_codec(key=_watermark_key())


def manifest_hash_key() -> bytes:
    """The server secret under which manifests publish input and statement hashes (HMAC)."""
    return hashlib.sha256(b"signet-manifest-hash-key\x00" + _watermark_key()).digest()


@cache
def audio_watermark():
    """The audio mark, keyed by the same server secret as the video mark."""
    from safety.audio_watermark import AudioWatermark

    return AudioWatermark(key=_watermark_key())
