"""When no face is found, the creator is told why: stretched, cut off, too small; else "no face"."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from safety.faces.analysis import analyze_portrait
from safety.faces.types import FACE_CUT_OFF, FACE_STRETCHED, NO_FACE


def _photo(faces_dir, name="obama.jpg") -> np.ndarray:
    return np.asarray(Image.open(faces_dir / name).convert("RGB"))


def _webcam_frame(rgb: np.ndarray, *, squash_y: float, scale: float) -> np.ndarray:
    """The photo shrunk and squashed vertically, centred in a grey 640x480 frame."""
    small = cv2.resize(
        rgb,
        (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale * squash_y)),
        interpolation=cv2.INTER_AREA,
    )[:480, :640]
    frame = np.full((480, 640, 3), 190, np.uint8)
    top, left = (480 - small.shape[0]) // 2, (640 - small.shape[1]) // 2
    frame[top : top + small.shape[0], left : left + small.shape[1]] = small
    return frame


def test_a_squashed_webcam_frame_is_called_stretched(faces_dir, dlib_backend):
    # The case a user met: a frame drawn into a canvas of the wrong shape.
    frame = _webcam_frame(_photo(faces_dir), squash_y=0.5, scale=0.5)
    problems = analyze_portrait(frame, backend=dlib_backend).problems
    assert [problem.code for problem in problems] == [FACE_STRETCHED]
    assert "stretched or squashed" in problems[0].message
    # The same frame at its proper shape is fine: the message is about shape, not the person.
    proper = _webcam_frame(_photo(faces_dir), squash_y=1.0, scale=0.5)
    assert analyze_portrait(proper, backend=dlib_backend).problems == ()


def test_a_face_cut_by_the_top_edge_is_called_cut_off(faces_dir, dlib_backend):
    problems = analyze_portrait(_photo(faces_dir)[200:], backend=dlib_backend).problems
    assert [problem.code for problem in problems] == [FACE_CUT_OFF]


def test_a_photo_without_a_face_is_not_given_an_invented_reason(faces_dir, dlib_backend):
    suit_only = _photo(faces_dir)[700:]
    grey = np.full((480, 640, 3), 128, np.uint8)
    for image in (suit_only, grey):
        problems = analyze_portrait(image, backend=dlib_backend).problems
        assert [problem.code for problem in problems] == [NO_FACE]
