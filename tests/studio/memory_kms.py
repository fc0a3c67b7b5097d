"""A stand-in for a KMS or HSM in tests: it holds the signing key in its own memory and signs what
it is given. Signet's settings name only this callable, never the key."""

from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

SIGNED: list[int] = []  # sizes of what was signed, so a test can see the KMS was used
_KEY = None


def load(key_path: Path) -> None:
    global _KEY
    _KEY = serialization.load_pem_private_key(Path(key_path).read_bytes(), password=None)


def sign(data: bytes) -> bytes:
    SIGNED.append(len(data))
    return _KEY.sign(data, ec.ECDSA(hashes.SHA256()))
