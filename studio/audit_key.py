"""The audit chain's HMAC key: a file outside the database, like the signing key.

Whoever can write to the database but cannot read this file cannot re-compute the chain after
editing an event. Production points SIGNET_AUDIT_KEY at a key file (or a secret mount); the
development default is `audit.key` in SIGNET_KEYS_DIR, made (0600) the first time it is needed.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings

_KEY_BYTES = 32


def audit_key_path() -> Path:
    return Path(settings.SIGNET_AUDIT_KEY or Path(settings.SIGNET_KEYS_DIR) / "audit.key")


def audit_key() -> bytes:
    path = audit_key_path()
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            # O_EXCL: two processes starting at once agree on one key.
            handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(handle, "w") as out:
                out.write(secrets.token_hex(_KEY_BYTES))
    key = bytes.fromhex(path.read_text().strip())
    if len(key) < 16:
        raise RuntimeError(f"The audit key in {path} is too short (at least 16 bytes, as hex).")
    return key
