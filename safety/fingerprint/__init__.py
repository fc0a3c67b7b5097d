"""Content fingerprints: find a Signet output again when its manifest and its mark are both gone.

    fp = fingerprint_file(path)                  # any video, audio-only file or still FFmpeg reads
    distance = fingerprint_distance(fp, stored)  # 0 (same) .. 1; None when nothing to compare

See ``hashing`` for the design and measured limits.
"""

from .hashing import (
    ALGORITHM,
    Fingerprint,
    FingerprintDistance,
    fingerprint_distance,
    fingerprint_file,
    fingerprint_media,
)

__all__ = [
    "ALGORITHM",
    "Fingerprint",
    "FingerprintDistance",
    "fingerprint_distance",
    "fingerprint_file",
    "fingerprint_media",
]
