"""Is the face in a selfie the same person as the face in a portrait?

Thresholds (dlib's 128-d descriptor, Euclidean distance). dlib publishes 0.6 as the distance
that separates people on LFW. bench/identity_eval.py (the four test photos, each also mirrored,
JPEG q=50, half size, 30 % brighter and darker) measures the same person at 0.04-0.40 (two
different photos of one man: 0.34-0.40) and different people at 0.72-0.89. Accepting at
<= 0.50 keeps a 0.10 margin over the worst genuine pair and stays 0.10 under dlib's boundary;
refusing at >= 0.60 is dlib's boundary, 0.12 below the closest impostor pair. Distances in
between (poor light, years between photos, a lookalike) go to a moderator instead of being
decided by a hair's width. Other backends carry their own defaults
(FaceBackend.default_thresholds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from safety.faces.analysis import analyze_portrait
from safety.faces.backends import FaceBackend, get_face_backend
from safety.faces.images import ImageInput
from safety.faces.types import (
    Decision,
    IdentityMatch,
    IdentityThresholds,
    PortraitAnalysis,
    QualityLimits,
)

VERDICT_SCHEMA_VERSION = 1
DLIB_THRESHOLDS = IdentityThresholds(accept=0.50, reject=0.60)


def embedding_distance(first: np.ndarray, second: np.ndarray) -> float:
    first, second = np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)
    if first.shape != second.shape or first.ndim != 1:
        raise ValueError(
            f"embeddings must be vectors of one length, got {first.shape} and {second.shape}"
        )
    distance = float(np.linalg.norm(first - second))
    if not np.isfinite(distance):
        raise ValueError("embeddings contain NaN or infinite values")
    return distance


def match_identity(
    enrolled_embedding: np.ndarray,
    probe_embedding: np.ndarray,
    thresholds: IdentityThresholds = DLIB_THRESHOLDS,
) -> IdentityMatch:
    """Compare two embeddings: accepted at or below thresholds.accept, refused at or above
    thresholds.reject, review in between."""
    distance = embedding_distance(enrolled_embedding, probe_embedding)
    decision: Decision
    if distance <= thresholds.accept:
        decision = "accepted"
    elif distance >= thresholds.reject:
        decision = "refused"
    else:
        decision = "review"
    return IdentityMatch(distance, thresholds.accept, thresholds.reject, decision)


@dataclass(frozen=True)
class FaceVerdict:
    """The outcome of checking a selfie against a portrait; what `face_check --json` prints."""

    selfie: PortraitAnalysis
    portrait: PortraitAnalysis
    match: IdentityMatch | None
    decision: Decision
    explanation: str
    backend: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": VERDICT_SCHEMA_VERSION,
            "decision": self.decision,
            "explanation": self.explanation,
            "backend": self.backend,
            "selfie": self.selfie.to_dict(),
            "portrait": self.portrait.to_dict(),
            "match": None if self.match is None else self.match.to_dict(),
        }


def face_verdict(
    selfie: ImageInput,
    portrait: ImageInput,
    *,
    backend: FaceBackend | None = None,
    thresholds: IdentityThresholds | None = None,
    limits: QualityLimits | None = None,
) -> FaceVerdict:
    """Check both photos and compare their faces.

    Any quality problem in either photo refuses (nothing trustworthy to compare); the match is
    still reported when each photo has exactly one face, for moderators. Otherwise the decision
    is the match's.
    """
    backend = backend or get_face_backend()
    thresholds = thresholds or backend.default_thresholds
    limits = limits or QualityLimits()
    selfie_analysis = analyze_portrait(selfie, backend=backend, limits=limits)
    portrait_analysis = analyze_portrait(portrait, backend=backend, limits=limits)

    match = None
    if _embedding(selfie_analysis) is not None and _embedding(portrait_analysis) is not None:
        match = match_identity(
            _embedding(portrait_analysis), _embedding(selfie_analysis), thresholds
        )

    if selfie_analysis.problems or portrait_analysis.problems:
        decision: Decision = "refused"
        explanation = _problems_explanation(selfie_analysis, portrait_analysis)
    else:
        assert match is not None  # one face each and no problems means both were embedded
        decision, explanation = match.decision, match.explanation
    return FaceVerdict(
        selfie_analysis, portrait_analysis, match, decision, explanation, backend.name
    )


def _embedding(analysis: PortraitAnalysis) -> np.ndarray | None:
    return None if analysis.face is None else analysis.face.embedding


def _problems_explanation(selfie: PortraitAnalysis, portrait: PortraitAnalysis) -> str:
    parts = []
    for label, analysis in (("Selfie", selfie), ("Portrait", portrait)):
        for problem in analysis.problems:
            parts.append(f"{label}: {problem.message}")
    return "The faces could not be compared. " + " ".join(parts)


__all__ = [
    "FaceVerdict",
    "IdentityMatch",
    "IdentityThresholds",
    "embedding_distance",
    "face_verdict",
    "match_identity",
]
