"""The audit chain's HMAC key: a file outside the database, like the signing key.

Whoever can write to the database but cannot read this file cannot re-compute the chain after
editing an event. Production points SIGNET_AUDIT_KEY at a key file (or a secret mount); the
development default is `audit.key` in SIGNET_KEYS_DIR, made (0600) the first time it is needed.
"""

import os
import secrets
import tempfile
from pathlib import Path

from django.conf import settings

_KEY_BYTES = 32


def audit_key_path() -> Path:
    return Path(settings.SIGNET_AUDIT_KEY or Path(settings.SIGNET_KEYS_DIR) / "audit.key")


def _create_key_file(path: Path) -> None:
    """Put a fresh key at `path` unless another process got there first.

    The key is written to a private temporary file and then hard-linked into place: the link
    appears with its content complete or not at all, so a process starting at the same moment
    reads either nothing (and links its own) or the whole key. (O_EXCL on the final path left a
    moment where the file existed but was still empty, and a second process read that.)
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".audit-key-")
    try:
        with os.fdopen(handle, "w") as out:
            out.write(secrets.token_hex(_KEY_BYTES))
        os.chmod(temporary, 0o600)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)


def audit_key() -> bytes:
    path = audit_key_path()
    if not path.exists():
        _create_key_file(path)
    key = bytes.fromhex(path.read_text().strip())
    if len(key) < 16:
        raise RuntimeError(f"The audit key in {path} is too short (at least 16 bytes, as hex).")
    return key
