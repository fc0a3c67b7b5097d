"""Does the person in a consent recording match the enrolled selfie, frame after frame?"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from safety.faces.analysis import analyze_portrait
from safety.faces.backends import FaceBackend, get_face_backend
from safety.faces.identity import match_identity
from safety.faces.types import Decision, IdentityThresholds, QualityLimits


@dataclass(frozen=True)
class FrameMatchReport:
    """Per-frame results (in the order given) and the overall decision.

    `distances[i]` is None when frame i was unusable: not exactly one face, or a quality
    problem (its codes are in `frame_problems[i]`).
    """

    distances: tuple[float | None, ...]
    frame_problems: tuple[tuple[str, ...], ...]
    accepted_frames: int
    review_frames: int
    refused_frames: int
    min_frames: int
    accept_threshold: float
    reject_threshold: float
    decision: Decision

    @property
    def frames_checked(self) -> int:
        return len(self.distances)

    @property
    def usable_frames(self) -> int:
        return sum(distance is not None for distance in self.distances)

    @property
    def matched(self) -> bool:
        return self.decision == "accepted"

    @property
    def explanation(self) -> str:
        counts = (
            f"{self.accepted_frames} of {self.frames_checked} frames matched the selfie, "
            f"{self.refused_frames} showed someone else, {self.review_frames} were uncertain and "
            f"{self.frames_checked - self.usable_frames} had no single clear face"
        )
        if self.decision == "accepted":
            return f"The recording shows the enrolled person: {counts}."
        if self.decision == "refused":
            if self.usable_frames == 0:
                return f"No frame of the recording showed one clear face ({counts})."
            return f"The recording shows a different person from the selfie: {counts}."
        return (
            f"The recording needs a moderator: {counts}; at least {self.min_frames} matching "
            "frames and none showing someone else are needed to accept it."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "explanation": self.explanation,
            "frames_checked": self.frames_checked,
            "usable_frames": self.usable_frames,
            "accepted_frames": self.accepted_frames,
            "review_frames": self.review_frames,
            "refused_frames": self.refused_frames,
            "min_frames": self.min_frames,
            "accept_threshold": self.accept_threshold,
            "reject_threshold": self.reject_threshold,
            "distances": [None if d is None else round(d, 4) for d in self.distances],
            "frame_problems": [list(codes) for codes in self.frame_problems],
        }


def faces_match_across_frames(
    reference_embedding: np.ndarray,
    frames: Sequence[np.ndarray],
    backend: FaceBackend | None = None,
    thresholds: IdentityThresholds | None = None,
    min_frames: int = 3,
    *,
    limits: QualityLimits | None = None,
) -> FrameMatchReport:
    """Match each RGB frame's face against the reference (the enrolled selfie's embedding).

    Accepted when at least `min_frames` frames match and no usable frame shows someone else;
    refused when frames show someone else and none match, or when no frame is usable; review
    for everything in between (too few clear frames, a mix, uncertain distances).
    """
    if min_frames < 1:
        raise ValueError("min_frames must be at least 1")
    backend = backend or get_face_backend()
    thresholds = thresholds or backend.default_thresholds
    limits = limits or QualityLimits()

    distances: list[float | None] = []
    problems: list[tuple[str, ...]] = []
    decisions: list[Decision] = []
    for frame in frames:
        analysis = analyze_portrait(frame, backend=backend, limits=limits)
        problems.append(analysis.problem_codes)
        face = analysis.face
        if analysis.problems or face is None or face.embedding is None:
            distances.append(None)
            continue
        match = match_identity(reference_embedding, face.embedding, thresholds)
        distances.append(match.distance)
        decisions.append(match.decision)

    accepted, review, refused = (decisions.count(d) for d in ("accepted", "review", "refused"))
    decision: Decision
    if accepted >= min_frames and refused == 0:
        decision = "accepted"
    elif not decisions or (refused > 0 and accepted == 0):
        decision = "refused"
    else:
        decision = "review"
    return FrameMatchReport(
        distances=tuple(distances),
        frame_problems=tuple(problems),
        accepted_frames=accepted,
        review_frames=review,
        refused_frames=refused,
        min_frames=min_frames,
        accept_threshold=thresholds.accept,
        reject_threshold=thresholds.reject,
        decision=decision,
    )
