"""The interface every face backend implements.

A backend finds faces with 68 landmarks and turns one face into an identity embedding. It knows
nothing about files, quality rules or thresholds policy: analysis.py decodes and resizes images,
quality.py judges them, identity.py compares embeddings.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from safety.faces.types import DetectedFace, IdentityThresholds


class FaceBackend(ABC):
    #: Short name, as accepted by get_face_backend() and reported in verdicts.
    name: str
    #: Length of the vectors embed() returns.
    embedding_size: int
    #: Distances this backend's embeddings are calibrated for; each backend measures differently.
    default_thresholds: IdentityThresholds

    @abstractmethod
    def detect(self, rgb: np.ndarray) -> list[DetectedFace]:
        """Faces in an RGB uint8 image (H, W, 3), with 68 landmarks each and no embedding,
        in that image's pixel coordinates, most confident first."""

    @abstractmethod
    def embed(self, rgb: np.ndarray, face: DetectedFace) -> np.ndarray:
        """The identity embedding (1-D float vector) of `face`, found in this same image."""


class FaceModelMissing(FileNotFoundError):
    """A model file the backend needs is not where it was looked for; the message names it."""
