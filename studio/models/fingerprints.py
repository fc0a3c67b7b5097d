from django.db import models


class OutputFingerprint(models.Model):
    """The content fingerprint of a sealed output (safety.fingerprint), for POST matches/byContent:
    it finds the record when both the manifest and the watermark are gone."""

    artifact = models.OneToOneField(
        "studio.OutputArtifact", on_delete=models.CASCADE, related_name="fingerprint"
    )
    algorithm = models.CharField(max_length=60)
    video_bits = models.BinaryField(help_text="Packed 63-bit frame hashes, two a second.")
    audio_bits = models.BinaryField(help_text="Packed 16-bit audio codes, one per 32 ms.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"fingerprint of {self.artifact_id} ({self.algorithm})"
