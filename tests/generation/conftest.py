"""Fixtures shared by the animator's tests."""

import pytest

from tests.generation import face_helpers as fh

SHARED_PHOTOS = ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png")


@pytest.fixture(scope="session")
def animators() -> dict:
    """The CPU animator on each shared face photo, by file name; built once for the whole run
    (each build runs dlib and fits the face), and only read by the tests."""
    return fh.photo_animators(SHARED_PHOTOS)
