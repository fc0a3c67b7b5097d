"""Portrait quality checks on real photos and on bad copies made from them."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from safety.faces.analysis import analyze_portrait
from safety.faces.types import (
    FACE_CUT_OFF,
    FACE_TOO_SMALL,
    NO_FACE,
    SEVERAL_FACES,
    TOO_BLURRED,
    UNREADABLE_IMAGE,
    QualityLimits,
)


def _fit_height(rgb: np.ndarray, height: int) -> np.ndarray:
    width = round(rgb.shape[1] * height / rgb.shape[0])
    return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)


def _jpeg_bytes(rgb: np.ndarray, **save_args) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=90, **save_args)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png"])
def test_real_portraits_pass_every_check(analysed, name):
    analysis = analysed(name)
    assert analysis.problems == ()
    assert analysis.face is not None
    assert analysis.face.embedding is not None and analysis.face.embedding.shape == (128,)
    assert analysis.face.landmarks.shape == (68, 2)


def test_photo_without_a_face_is_refused_as_no_face(dlib_backend):
    rng = np.random.default_rng(0)
    ramp = np.linspace(40, 220, 640)[None, :, None]
    scenery = (ramp + rng.normal(0, 12, (480, 640, 3))).clip(0, 255).astype(np.uint8)
    analysis = analyze_portrait(scenery, backend=dlib_backend)
    assert analysis.problem_codes == (NO_FACE,)
    assert analysis.face is None
    assert "could not find a face" in analysis.problems[0].message


def test_two_people_side_by_side_are_refused_with_the_count(photo, dlib_backend):
    pair = np.concatenate(
        [_fit_height(photo("obama.jpg"), 600), _fit_height(photo("biden.jpg")[:1100], 600)],
        axis=1,
    )
    analysis = analyze_portrait(pair, backend=dlib_backend)
    assert analysis.problem_codes == (SEVERAL_FACES,)
    assert len(analysis.faces) == 2
    assert "2 faces" in analysis.problems[0].message
    assert analysis.face is None  # no embedding for an ambiguous photo
    assert all(face.embedding is None for face in analysis.faces)


def test_tiny_face_in_a_big_frame_is_too_small(photo, dlib_backend):
    portrait = photo("obama.jpg")
    small = cv2.resize(
        portrait, (portrait.shape[1] // 5, portrait.shape[0] // 5), interpolation=cv2.INTER_AREA
    )
    canvas = np.full((480, 640, 3), 200, np.uint8)
    canvas[100 : 100 + small.shape[0], 200 : 200 + small.shape[1]] = small
    analysis = analyze_portrait(canvas, backend=dlib_backend)
    assert FACE_TOO_SMALL in analysis.problem_codes
    assert len(analysis.faces) == 1
    problem = next(p for p in analysis.problems if p.code == FACE_TOO_SMALL)
    assert f"at least {QualityLimits().min_face_px}" in problem.message
    assert f"about {analysis.face.box.side} pixels" in problem.message


def test_blurred_copy_is_too_blurred_while_the_original_is_not(photo, analysed, dlib_backend):
    blurred = cv2.GaussianBlur(photo("obama.jpg"), (0, 0), 4)
    analysis = analyze_portrait(blurred, backend=dlib_backend)
    assert analysis.problem_codes == (TOO_BLURRED,)
    assert "blurry" in analysis.problems[0].message
    assert analysed("obama.jpg").problem_codes == ()


def test_face_cropped_through_the_middle_is_cut_off(photo, analysed, dlib_backend):
    box = analysed("obama.jpg").face.box
    cropped = np.ascontiguousarray(photo("obama.jpg")[:, box.left + box.width // 4 :])
    analysis = analyze_portrait(cropped, backend=dlib_backend)
    assert analysis.problem_codes == (FACE_CUT_OFF,)
    assert "cut off" in analysis.problems[0].message


def test_chin_cropped_away_is_cut_off(photo, analysed, dlib_backend):
    box = analysed("obama2.jpg").face.box
    cropped = np.ascontiguousarray(photo("obama2.jpg")[: box.bottom - box.height // 5])
    assert FACE_CUT_OFF in analyze_portrait(cropped, backend=dlib_backend).problem_codes


@pytest.mark.parametrize(
    "content",
    [b"definitely not a picture", b"", b"\xff\xd8\xff\xe0" + bytes(300)],
    ids=["text", "empty", "jpeg-header-then-zeros"],
)
def test_corrupt_bytes_are_unreadable(content, dlib_backend):
    analysis = analyze_portrait(content, backend=dlib_backend)
    assert analysis.problem_codes == (UNREADABLE_IMAGE,)
    assert analysis.image_size is None
    assert analysis.problems[0].message == (
        "We could not read this file as a picture. Please upload a JPEG or PNG photo."
    )


def test_truncated_jpeg_is_unreadable(faces_dir, dlib_backend):
    content = (faces_dir / "obama.jpg").read_bytes()
    analysis = analyze_portrait(content[: len(content) // 3], backend=dlib_backend)
    assert analysis.problem_codes == (UNREADABLE_IMAGE,)


def test_every_problem_has_its_own_message(photo, dlib_backend):
    # One photo per problem; the messages a creator sees must all differ.
    portrait = photo("obama.jpg")
    cases = [
        b"nope",
        np.full((300, 300, 3), 128, np.uint8),
        np.concatenate([portrait, portrait], axis=1),
        cv2.GaussianBlur(portrait, (0, 0), 4),
    ]
    messages = {}
    for case in cases:
        for problem in analyze_portrait(case, backend=dlib_backend).problems:
            messages[problem.code] = problem.message
    assert set(messages) == {UNREADABLE_IMAGE, NO_FACE, SEVERAL_FACES, TOO_BLURRED}
    assert len(set(messages.values())) == 4


def test_exif_rotated_upload_is_analysed_upright(photo, analysed, dlib_backend):
    upright = photo("obama.jpg")
    # Stored sideways, with EXIF orientation 6 ("rotate 90 degrees clockwise to view"),
    # as phones do. Without honouring the tag the detector would see a sideways face.
    exif = Image.Exif()
    exif[0x0112] = 6
    content = _jpeg_bytes(np.ascontiguousarray(np.rot90(upright, 1)), exif=exif)
    analysis = analyze_portrait(content, backend=dlib_backend)
    assert analysis.image_size == (upright.shape[1], upright.shape[0])
    assert analysis.problems == ()
    expected = analysed("obama.jpg").face.box
    assert abs(analysis.face.box.left - expected.left) < 15
    assert abs(analysis.face.box.top - expected.top) < 15


def test_large_photo_is_detected_small_and_mapped_back(photo, analysed, dlib_backend):
    large = cv2.resize(photo("obama.jpg"), None, fx=2.5, fy=2.5, interpolation=cv2.INTER_CUBIC)
    analysis = analyze_portrait(large, backend=dlib_backend)
    assert analysis.problems == ()
    assert analysis.image_size == (large.shape[1], large.shape[0])
    box, original = analysis.face.box, analysed("obama.jpg").face.box
    assert abs(box.left - 2.5 * original.left) < 20 and abs(box.right - 2.5 * original.right) < 20
    # Landmarks land on the face in full-resolution coordinates.
    assert box.left - 40 <= analysis.face.landmarks[:, 0].min()
    assert analysis.face.landmarks[:, 0].max() <= box.right + 40


def test_minimum_face_size_is_configurable(analysed, photo, dlib_backend):
    side = analysed("astronaut.png").face.box.side
    strict = QualityLimits(min_face_px=side + 1)
    analysis = analyze_portrait(photo("astronaut.png"), backend=dlib_backend, limits=strict)
    assert analysis.problem_codes == (FACE_TOO_SMALL,)


def test_compressed_copy_of_a_portrait_still_has_one_face(photo, dlib_backend):
    # After JPEG compression a patch of the astronaut's suit looks faintly face-like to the
    # detector (score ~0.1); it must not turn her portrait into "several faces".
    compressed = Image.open(io.BytesIO(_jpeg_bytes(photo("astronaut.png")))).convert("RGB")
    buffer = io.BytesIO()
    compressed.save(buffer, "JPEG", quality=50)
    analysis = analyze_portrait(buffer.getvalue(), backend=dlib_backend)
    assert analysis.problems == ()
    assert len(analysis.faces) == 1


def test_dim_or_low_contrast_photo_is_not_called_blurry(photo, dlib_backend):
    darker = (photo("astronaut.png").astype(np.float32) * 0.6).astype(np.uint8)
    flatter = (128 + (photo("obama2.jpg").astype(np.float32) - 128) * 0.5).astype(np.uint8)
    for image in (darker, flatter):
        analysis = analyze_portrait(image, backend=dlib_backend)
        assert TOO_BLURRED not in analysis.problem_codes
        assert len(analysis.faces) == 1
