"""Shared fixtures for the face tests: the real test photos and one dlib backend per session."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

FACES_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "faces"


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    assert FACES_DIR.is_dir(), f"test photos missing: {FACES_DIR}"
    return FACES_DIR


@pytest.fixture(scope="session")
def dlib_backend():
    from safety.faces.backends import get_face_backend

    backend = get_face_backend("dlib")
    backend.load()
    return backend


@pytest.fixture(scope="session")
def photo(faces_dir):
    """photo("obama.jpg") -> the decoded upright RGB array, decoded once per session."""
    from safety.faces.images import decode_rgb

    cache: dict[str, np.ndarray] = {}

    def load(name: str) -> np.ndarray:
        if name not in cache:
            cache[name] = decode_rgb(faces_dir / name)
            cache[name].setflags(write=False)
        return cache[name]

    return load


@pytest.fixture(scope="session")
def analysed(photo, dlib_backend):
    """analysed("obama.jpg") -> its PortraitAnalysis, computed once per session."""
    from safety.faces.analysis import analyze_portrait

    cache = {}

    def analyse(name: str):
        if name not in cache:
            cache[name] = analyze_portrait(photo(name), backend=dlib_backend)
        return cache[name]

    return analyse
