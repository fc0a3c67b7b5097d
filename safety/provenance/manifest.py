"""The manifest definition Signet seals into every output: plain JSON data for c2pa's Builder.

What it says about an output:
- `c2pa.actions`: created by a trained model (IPTC digitalSourceType trainedAlgorithmicMedia,
  with the generator as softwareAgent), then watermarked.
- `c2pa.soft-binding`: the invisible watermark's algorithm and value, so a copy stripped of its
  manifest (any re-encode strips it) can be matched back to this manifest.
- `app.signet.generation`: Signet's own record: generation ID, generator, consent record, and
  keyed hashes (HMAC-SHA256 under a server secret) of the consent statement and of each input.

Why keyed: a plain SHA-256 of the portrait lets anyone holding the photo link it to the video,
and a plain hash of the consent statement (which contains the typed name) lets a guessed name
be tested. Under HMAC only the server, holding the key, can confirm that an input or statement
was the one used. Nothing mutable is sealed: the moderation state changes after sealing (a
released output would keep saying "in review"), so verifiers read it from Signet's record.

Inputs are not embedded as c2pa ingredients read from their files: c2pa would copy the
portrait's own metadata (and, with thumbnails on, a picture of it) into every published
output. They are listed instead as ingredient assertions that carry only a role title
("portrait", "audio"), a media type and the relationship `inputTo`, while their hashes live in
the signed Signet assertion. No file names are recorded: they may contain personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SIGNET_ASSERTION_LABEL = "app.signet.generation"
TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_ROLE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_MEDIA_TYPE = re.compile(r"[a-z]+/[a-z0-9.+-]+")
_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class IngredientInfo:
    """One input of a generation, described without its content or its file name.

    role: a short lowercase word, e.g. "portrait" or "audio" (it becomes the ingredient title).
    media_type: e.g. "image/jpeg", "audio/wav".
    sha256: lowercase hex digest of the input file's bytes.
    """

    role: str
    media_type: str
    sha256: str

    def __post_init__(self) -> None:
        if not _ROLE.fullmatch(self.role):
            raise ValueError(f"ingredient role must be a short lowercase word, got {self.role!r}")
        if not _MEDIA_TYPE.fullmatch(self.media_type):
            raise ValueError(f"not a media type: {self.media_type!r}")
        if not _SHA256_HEX.fullmatch(self.sha256):
            raise ValueError("sha256 must be 64 lowercase hex digits")


def ingredient_from_file(path: Path, *, role: str, media_type: str) -> IngredientInfo:
    """Hash `path` in 1 MiB chunks and describe it as an ingredient (the path is not kept)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return IngredientInfo(role=role, media_type=media_type, sha256=digest.hexdigest())


def keyed_hash(key: bytes, sha256_hex: str) -> str:
    """HMAC-SHA256 under ``key`` of a SHA-256 digest (hex): what the manifest publishes."""
    return hmac.new(key, bytes.fromhex(sha256_hex), hashlib.sha256).hexdigest()


def build_manifest(
    *,
    claim_generator_name: str = "Signet",
    claim_generator_version: str,
    title: str,
    generation_id: str,
    generator_backend: str,
    generator_version: str,
    consent_record_id: str,
    consent_statement_sha256: str,
    hash_key: bytes,
    watermark_alg: str,
    watermark_value: str,
    ingredients: list[IngredientInfo],
) -> dict[str, Any]:
    """Return the manifest definition (a JSON-ready dict) for one generated output.

    `title` is shown by every C2PA viewer: keep personal data out of it.
    Raises ValueError for an empty required field or a malformed statement hash.
    """
    required = {
        "claim_generator_name": claim_generator_name,
        "claim_generator_version": claim_generator_version,
        "title": title,
        "generation_id": generation_id,
        "generator_backend": generator_backend,
        "generator_version": generator_version,
        "consent_record_id": consent_record_id,
        "hash_key": hash_key,
        "watermark_alg": watermark_alg,
        "watermark_value": watermark_value,
    }
    empty = [name for name, value in required.items() if not value]
    if empty:
        raise ValueError(f"build_manifest needs non-empty {', '.join(empty)}")
    if not _SHA256_HEX.fullmatch(consent_statement_sha256):
        raise ValueError("consent_statement_sha256 must be 64 lowercase hex digits")

    return {
        "claim_generator_info": [
            {"name": claim_generator_name, "version": claim_generator_version}
        ],
        "title": title,
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
                            "softwareAgent": {
                                "name": generator_backend,
                                "version": generator_version,
                            },
                        },
                        {"action": "c2pa.watermarked"},
                    ]
                },
            },
            {
                "label": "c2pa.soft-binding",
                "data": {
                    "alg": watermark_alg,
                    "blocks": [{"scope": {}, "value": watermark_value}],
                },
            },
            {
                "label": SIGNET_ASSERTION_LABEL,
                "data": {
                    "generation_id": generation_id,
                    "generator_backend": generator_backend,
                    "generator_version": generator_version,
                    "consent_record_id": consent_record_id,
                    "consent_statement_hmac_sha256": keyed_hash(hash_key, consent_statement_sha256),
                    "ingredients": [
                        {
                            "role": i.role,
                            "media_type": i.media_type,
                            "hmac_sha256": keyed_hash(hash_key, i.sha256),
                        }
                        for i in ingredients
                    ],
                },
            },
        ],
        "ingredients": [
            {"title": i.role, "format": i.media_type, "relationship": "inputTo"}
            for i in ingredients
        ],
    }
