"""Face analysis and identity matching for the consent gate (framework-free).

Typical use:
    verdict = face_verdict(selfie_path, portrait_path)   # accepted / review / refused
    analysis = analyze_portrait(photo_bytes)             # faces, problems, embedding
"""

from safety.faces.analysis import analyze_portrait
from safety.faces.backends import FaceBackend, get_face_backend
from safety.faces.frames import FrameMatchReport, faces_match_across_frames
from safety.faces.gallery import closest_gallery_match
from safety.faces.identity import FaceVerdict, face_verdict, match_identity
from safety.faces.types import (
    DetectedFace,
    FaceBox,
    IdentityMatch,
    IdentityThresholds,
    PortraitAnalysis,
    QualityLimits,
    QualityProblem,
)

__all__ = [
    "DetectedFace",
    "FaceBackend",
    "FaceBox",
    "FaceVerdict",
    "FrameMatchReport",
    "IdentityMatch",
    "IdentityThresholds",
    "PortraitAnalysis",
    "QualityLimits",
    "QualityProblem",
    "analyze_portrait",
    "closest_gallery_match",
    "face_verdict",
    "faces_match_across_frames",
    "get_face_backend",
    "match_identity",
]
