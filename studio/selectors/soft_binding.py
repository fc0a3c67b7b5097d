"""Reads behind the C2PA Soft Binding Resolution API: binding or content -> manifest IDs."""

import base64
import binascii
from dataclasses import dataclass
from pathlib import Path

from safety.fingerprint import ALGORITHM as FINGERPRINT_ALG
from safety.fingerprint import Fingerprint, fingerprint_distance, fingerprint_file
from safety.provenance.store import manifest_store_bytes
from safety.watermark import WatermarkReadError, read_watermark_from_file
from studio.models import OutputArtifact, OutputFingerprint
from studio.provenance_config import audio_watermark, watermark_codec


class UnreadableAsset(Exception):
    """Neither a picture nor a sound could be decoded from the asset."""


@dataclass(frozen=True)
class Match:
    manifest_id: str
    similarity: int  # 0..100

    def as_dict(self) -> dict:
        return {"manifestId": self.manifest_id, "similarityScore": self.similarity}


def supported_algorithms() -> dict:
    # The published schema (c2pa.softBindingAlgList) puts `oneOf: required watermarks |
    # required fingerprints` inside each *watermark item*, so a conforming watermark item must
    # carry one of those keys: each names its kind that way.
    return {
        "watermarks": [
            {"alg": watermark_codec().name, "watermarks": "video"},
            {"alg": audio_watermark().name, "watermarks": "audio"},
        ],
        "fingerprints": [{"alg": FINGERPRINT_ALG}],
    }


def binding_ids(value: str) -> set[int]:
    """Watermark IDs a query value names.

    The C2PA API sends the value base64-encoded; Signet's soft-binding value (as in its
    manifests) is the decimal ID, so base64("123") names ID 123. A bare decimal value (what this
    endpoint took before it followed the specification) is still understood.
    """
    ids: set[int] = set()
    try:
        decoded = base64.b64decode(value, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    for candidate in (decoded, value):
        if candidate.isascii() and candidate.isdigit() and len(candidate) <= 10:
            ids.add(int(candidate))
    return ids


def matches_by_binding(alg: str, value: str, max_results: int) -> list[Match]:
    known = {watermark_codec().name, audio_watermark().name}
    if alg not in known:
        return []
    ids = binding_ids(value)
    found = OutputArtifact.objects.filter(watermark_id__in=ids).values_list(
        "manifest_id", flat=True
    )
    return [Match(manifest_id, 100) for manifest_id in found[:max_results]]


def matches_by_content(path: Path, max_results: int) -> list[Match]:
    """Mark first (video, then audio); failing that, the nearest stored fingerprints."""
    ids = set()
    try:
        reading = read_watermark_from_file(path, watermark_codec())
        if reading.found:
            ids.add(reading.payload_id)
    except WatermarkReadError:
        pass
    if not ids:
        from safety.audio_watermark import read_audio_watermark_from_file
        from safety.audio_watermark.files import AudioWatermarkReadError

        try:
            audio_reading = read_audio_watermark_from_file(path, audio_watermark())
            if audio_reading.found:
                ids.add(audio_reading.payload_id)
        except AudioWatermarkReadError:
            pass
    matches = [
        Match(manifest_id, 100)
        for manifest_id in OutputArtifact.objects.filter(watermark_id__in=ids).values_list(
            "manifest_id", flat=True
        )
    ]
    if matches:
        return matches[:max_results]
    try:
        query = fingerprint_file(path)
    except Exception as error:  # PyAV raises many kinds for garbage input
        raise UnreadableAsset(str(error)) from error
    if len(query.video) == 0 and len(query.audio) == 0:
        raise UnreadableAsset("no frames and no sound")
    return _fingerprint_matches(query, max_results)


def _fingerprint_matches(query: Fingerprint, max_results: int) -> list[Match]:
    # A linear scan: fine for thousands of outputs; an index (LSH on the frame hashes) would be
    # needed beyond that.
    scored = []
    for stored in OutputFingerprint.objects.select_related("artifact").iterator():
        distance = fingerprint_distance(
            query, Fingerprint.from_bytes(bytes(stored.video_bits), bytes(stored.audio_bits))
        )
        if distance.matches:
            scored.append(Match(stored.artifact.manifest_id, round(100 * distance.score)))
    scored.sort(key=lambda match: match.similarity, reverse=True)
    return scored[:max_results]


def manifest_store_for(manifest_id: str) -> bytes | None:
    artifact = OutputArtifact.objects.filter(manifest_id=manifest_id).first()
    if artifact is None:
        return None
    if artifact.manifest_store:
        return bytes(artifact.manifest_store)
    if not artifact.file:  # published before the store was kept, and the video erased since
        return None
    try:
        # Through the storage API, never `.path`: object storage has no path on this disk.
        with artifact.file.open("rb") as handle:
            return manifest_store_bytes(handle)
    except OSError:
        return None
