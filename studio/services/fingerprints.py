"""Storing each output's content fingerprint (safety.fingerprint) for POST matches/byContent."""

from pathlib import Path

from safety.fingerprint import ALGORITHM, fingerprint_file
from studio.models import OutputArtifact, OutputFingerprint


def output_fingerprint_store(*, artifact: OutputArtifact, path: Path) -> OutputFingerprint:
    """Fingerprint the sealed file at ``path`` and keep it beside ``artifact`` (replacing any)."""
    video, audio = fingerprint_file(path).to_bytes()
    fingerprint, _ = OutputFingerprint.objects.update_or_create(
        artifact=artifact,
        defaults={"algorithm": ALGORITHM, "video_bits": video, "audio_bits": audio},
    )
    return fingerprint
