"""Plain value types shared by the face checks.

Everything here is a frozen dataclass holding numbers, strings and read-only numpy arrays, so
results can be passed between layers (and threads) without anyone mutating them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Decision = Literal["accepted", "review", "refused"]

# Problem codes: stable strings that callers (the studio, the face_check command, JSON clients)
# may branch on. The messages that go with them live in quality.py.
UNREADABLE_IMAGE = "unreadable_image"
NO_FACE = "no_face"
SEVERAL_FACES = "several_faces"
FACE_TOO_SMALL = "face_too_small"
TOO_BLURRED = "too_blurred"
FACE_CUT_OFF = "face_cut_off"
FACE_STRETCHED = "face_stretched"


def _frozen_array(values: Any, *, shape_tail: tuple[int, ...] | None = None) -> np.ndarray:
    # A copy marked read-only: a frozen dataclass is only frozen if its arrays are too.
    array = np.array(values, dtype=np.float64, copy=True)
    if shape_tail is not None and array.shape[-len(shape_tail) :] != shape_tail:
        raise ValueError(f"expected an array ending in shape {shape_tail}, got {array.shape}")
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class FaceBox:
    """A face's bounding box in pixels; right and bottom are exclusive like Python slices."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def side(self) -> int:
        """The shorter side: what "face size" means in the quality limits."""
        return min(self.width, self.height)

    def scaled(self, factor: float) -> FaceBox:
        return FaceBox(
            left=round(self.left * factor),
            top=round(self.top * factor),
            right=round(self.right * factor),
            bottom=round(self.bottom * factor),
        )

    def to_dict(self) -> dict[str, int]:
        return {"left": self.left, "top": self.top, "right": self.right, "bottom": self.bottom}


@dataclass(frozen=True, eq=False)
class DetectedFace:
    """One face: its box, 68 landmarks in the iBUG 300-W order, and (maybe) its embedding."""

    box: FaceBox
    landmarks: np.ndarray
    embedding: np.ndarray | None = None
    detector_score: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "landmarks", _frozen_array(self.landmarks, shape_tail=(68, 2)))
        if self.landmarks.shape != (68, 2):
            raise ValueError(f"landmarks must have shape (68, 2), got {self.landmarks.shape}")
        if self.embedding is not None:
            object.__setattr__(self, "embedding", _frozen_array(self.embedding))
            if self.embedding.ndim != 1:
                raise ValueError(f"an embedding is a vector, got shape {self.embedding.shape}")

    def with_embedding(self, embedding: np.ndarray) -> DetectedFace:
        return DetectedFace(self.box, self.landmarks, embedding, self.detector_score)

    def scaled(self, factor: float) -> DetectedFace:
        """The same face in an image resized by `factor` (embeddings do not depend on scale)."""
        return DetectedFace(
            self.box.scaled(factor), self.landmarks * factor, self.embedding, self.detector_score
        )

    def to_dict(self) -> dict[str, Any]:
        # Landmarks and embedding are left out on purpose: the embedding is biometric data and
        # has no place in logs or command output; the box is enough to show what was found.
        return {
            "box": self.box.to_dict(),
            "detector_score": None
            if self.detector_score is None
            else round(self.detector_score, 3),
            "has_embedding": self.embedding is not None,
        }


@dataclass(frozen=True)
class QualityProblem:
    code: str
    message: str
    # The numbers in the message by name, so a caller can word it in another language:
    # several_faces has "count"; face_too_small has "side" and "minimum", and
    # "found_when_enlarged" when the face was only found in an enlarged copy of the photo.
    figures: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class PortraitAnalysis:
    """What was found in one photo: faces (image coordinates), problems, and (width, height)."""

    faces: tuple[DetectedFace, ...]
    problems: tuple[QualityProblem, ...]
    image_size: tuple[int, int] | None

    @property
    def face(self) -> DetectedFace | None:
        """The face, when there is exactly one; None for zero or several."""
        return self.faces[0] if len(self.faces) == 1 else None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem_codes(self) -> tuple[str, ...]:
        return tuple(problem.code for problem in self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "image_size": None if self.image_size is None else list(self.image_size),
            "faces_found": len(self.faces),
            "faces": [face.to_dict() for face in self.faces],
            "problems": [problem.to_dict() for problem in self.problems],
        }


@dataclass(frozen=True)
class IdentityThresholds:
    """Embedding distances: at or below `accept` is the same person, at or above `reject` is not;
    in between goes to a moderator. Defaults are calibrated for the dlib backend (see identity.py).
    """

    accept: float = 0.50
    reject: float = 0.60

    def __post_init__(self) -> None:
        if not 0 < self.accept <= self.reject:
            raise ValueError(
                f"thresholds need 0 < accept <= reject, got accept={self.accept}, "
                f"reject={self.reject}"
            )


@dataclass(frozen=True)
class IdentityMatch:
    distance: float
    accept_threshold: float
    reject_threshold: float
    decision: Decision

    @property
    def explanation(self) -> str:
        d = f"{self.distance:.2f}"
        if self.decision == "accepted":
            return (
                f"The two faces belong to the same person: their distance {d} is at or below "
                f"the acceptance threshold {self.accept_threshold:.2f}."
            )
        if self.decision == "refused":
            return (
                f"The two faces look like different people: their distance {d} is at or above "
                f"the refusal threshold {self.reject_threshold:.2f}."
            )
        return (
            f"The two faces may or may not be the same person: their distance {d} lies between "
            f"{self.accept_threshold:.2f} and {self.reject_threshold:.2f}, so a moderator will "
            "compare them."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "distance": round(self.distance, 4),
            "accept_threshold": self.accept_threshold,
            "reject_threshold": self.reject_threshold,
            "decision": self.decision,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class QualityLimits:
    """What a usable portrait or selfie must meet. All sizes are pixels in the original image."""

    min_face_px: int = 80
    # Contrast-normalised Laplacian variance of the face (quality.face_sharpness). The test
    # photos measure >= 0.060 (also after JPEG q=50, half size, brightness +/-30 %), copies
    # blurred with a Gaussian of sigma 3-4 px measure <= 0.022.
    min_sharpness: float = 0.03
    # Landmarks closer than this to the border count as touching it.
    edge_margin_px: int = 1
