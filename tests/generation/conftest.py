"""Fixtures shared by the animator's tests."""

import pytest

from tests.generation import face_helpers as fh

SHARED_PHOTOS = ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png")


@pytest.fixture(scope="session")
def animators() -> dict:
    """The CPU animator on each shared face photo, by file name; built once for the whole run
    (each build runs dlib and fits the face), and only read by the tests."""
    return fh.photo_animators(SHARED_PHOTOS)


def pytest_collection_modifyitems(config, items):
    """A numpy overflow or invalid value in a render is a bug that a frame hides (clipped to
    0 or 255, it looks fine): the generation tests fail on one."""
    here = str(fh.__file__).rsplit("/", 1)[0]
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.filterwarnings("error::RuntimeWarning"))
