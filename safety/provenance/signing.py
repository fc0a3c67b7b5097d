"""Seal a finished file with a signed C2PA manifest."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Literal

import c2pa

from safety.provenance.errors import ProvenanceError
from safety.provenance.signer import SignerConfig, open_signer

SignableMediaType = Literal["video/mp4", "image/png", "image/jpeg"]
SIGNABLE_MEDIA_TYPES: frozenset[str] = frozenset({"video/mp4", "image/png", "image/jpeg"})

# Thumbnails off: on, c2pa embeds a JPEG preview in every signed image (about 30 KB even for a
# 64x64 PNG; this c2pa build makes none for MP4), and an ingredient read from a file would carry
# a preview of the creator's photo.
# verify_after_sign asks c2pa to validate what it just wrote (well under a millisecond here), so a
# file whose credentials would not validate (a known risk with some MP4 layouts) fails here
# instead of being published.
_SIGNING_SETTINGS: dict[str, Any] = {
    "builder": {"thumbnail": {"enabled": False}},
    "verify": {"verify_after_sign": True},
}


def sign_media(
    src: Path,
    dst: Path,
    manifest: dict[str, Any],
    signer_config: SignerConfig,
    *,
    media_type: SignableMediaType = "video/mp4",
) -> None:
    """Write `src` with `manifest` signed into it to `dst`.

    The signed file is written beside `dst` and renamed over it in one step, so `dst` is either
    the complete signed file or untouched (an existing `dst` is replaced only on success;
    `src` may equal `dst`). Files are passed to c2pa as real files, not in-memory streams
    (c2pa's MP4 handling has had stream-only bugs).
    Raises ProvenanceError if the media type is not signable, `src` is missing or not of
    that type, the signer cannot be built, or c2pa refuses to sign.
    """
    src, dst = Path(src), Path(dst)
    if media_type not in SIGNABLE_MEDIA_TYPES:
        raise ProvenanceError(
            f"cannot sign {media_type!r}; signable types: {sorted(SIGNABLE_MEDIA_TYPES)}"
        )
    if not src.is_file():
        raise ProvenanceError(f"nothing to sign: {src} is not a file")
    if not dst.parent.is_dir():
        raise ProvenanceError(f"cannot write {dst}: {dst.parent} is not a directory")

    fd, tmp_name = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.", suffix=".signing")
    os.close(fd)
    tmp_path = Path(tmp_name)
    try:
        _sign_into(src, tmp_path, manifest, signer_config, media_type)
        os.chmod(tmp_path, 0o644)  # mkstemp made it 0600; the result is a public file
        os.replace(tmp_path, dst)
    except BaseException as error:
        tmp_path.unlink(missing_ok=True)
        if isinstance(error, c2pa.C2paError | OSError):
            raise ProvenanceError(f"signing {src.name} as {media_type} failed: {error}") from error
        raise


def _sign_into(
    src: Path,
    out: Path,
    manifest: dict[str, Any],
    signer_config: SignerConfig,
    media_type: str,
) -> None:
    signer = open_signer(signer_config)
    try:
        # The Context takes ownership of the signer; closing it afterwards is a no-op.
        context = c2pa.Context.from_dict(_SIGNING_SETTINGS, signer=signer)
    finally:
        signer.close()
    with context, c2pa.Builder(manifest, context) as builder:
        with src.open("rb") as source, out.open("w+b") as destination:
            builder.sign(media_type, source, destination)
            destination.flush()
            os.fsync(destination.fileno())
