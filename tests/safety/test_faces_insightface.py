"""The ONNX model-pack backend, exercised with tiny models this test builds itself.

The models are not trained: the detector always reports one face at a fixed place (plus an
overlapping duplicate that non-maximum suppression must remove), the landmark model a fixed
68-point shape, and the recogniser a fixed linear map of the aligned crop. That is enough to
check the pack loading, the coordinate mapping, alignment and the embedding's form.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from safety.faces.analysis import analyze_portrait
from safety.faces.backends import get_face_backend
from safety.faces.backends.base import FaceModelMissing
from safety.faces.backends.insightface_backend import InsightFaceBackend, five_points

DET_SIZE = 64  # detector input; a real SCRFD takes 640
EMBEDDING_SIZE = 512


def _save(path: Path, input_shape: list[int], outputs: dict[str, np.ndarray]) -> None:
    """A model whose outputs are constants (made to depend on the input so no runtime prunes
    the input away)."""
    nodes = [
        helper.make_node("ReduceMean", ["image"], ["mean"], keepdims=0),
        helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
    ]
    initializers = [numpy_helper.from_array(np.zeros((), np.float32), "zero")]
    for name, value in outputs.items():
        initializers.append(numpy_helper.from_array(value.astype(np.float32), f"{name}_value"))
        nodes.append(helper.make_node("Add", [f"{name}_value", "nothing"], [name]))
    graph = helper.make_graph(
        nodes,
        "test_model",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, input_shape)],
        [
            helper.make_tensor_value_info(n, TensorProto.FLOAT, list(v.shape))
            for n, v in outputs.items()
        ],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=9)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def _detector(path: Path) -> None:
    # SCRFD's output order: the scores of strides 8, 16, 32, then their boxes, then keypoints.
    scores, boxes, keypoints = {}, {}, {}
    for stride in (8, 16, 32):
        anchors = (DET_SIZE // stride) ** 2 * 2
        level_scores = np.full((1, anchors, 1), 0.01)
        distances = np.ones((1, anchors, 4))
        if stride == 8:
            cell = (4 * (DET_SIZE // 8) + 4) * 2  # the cell centred at (32, 32)
            level_scores[0, cell] = 0.9
            distances[0, cell] = [2.5, 3.0, 2.5, 3.0]  # a 40x48 box around the centre
            level_scores[0, cell + 1] = 0.8  # the same face again, slightly larger: NMS drops it
            distances[0, cell + 1] = [2.6, 3.1, 2.6, 3.1]
        scores[f"score_{stride}"] = level_scores
        boxes[f"bbox_{stride}"] = distances
        keypoints[f"kps_{stride}"] = np.zeros((1, anchors, 10))
    _save(path, [1, 3, DET_SIZE, DET_SIZE], {**scores, **boxes, **keypoints})


def _face_shape() -> np.ndarray:
    """68 plausible iBUG points in [-1, 1] crop coordinates (the crop is 1.5x the face box)."""
    jaw_angles = np.linspace(np.pi * 0.95, np.pi * 0.05, 17)
    jaw = np.stack([0.45 * np.cos(jaw_angles), 0.05 + 0.5 * np.sin(jaw_angles)], axis=1)
    brows = np.stack(
        [np.r_[np.linspace(-0.4, -0.1, 5), np.linspace(0.1, 0.4, 5)], np.full(10, -0.35)], axis=1
    )
    nose = np.r_[
        np.stack([np.zeros(4), np.linspace(-0.25, 0.05, 4)], axis=1),
        np.stack([np.linspace(-0.1, 0.1, 5), np.full(5, 0.12)], axis=1),
    ]
    eye_angles = np.linspace(0, 2 * np.pi, 6, endpoint=False)
    eye = np.stack([0.08 * np.cos(eye_angles), 0.04 * np.sin(eye_angles)], axis=1)
    mouth_angles = np.linspace(0, 2 * np.pi, 20, endpoint=False) + np.pi
    mouth = np.stack([0.2 * np.cos(mouth_angles), 0.35 + 0.07 * np.sin(mouth_angles)], axis=1)
    return np.r_[jaw, brows, nose, eye + [-0.22, -0.2], eye + [0.22, -0.2], mouth]


def _landmark_model(path: Path) -> None:
    values = np.zeros((1103, 3))
    values[-68:, :2] = _face_shape()
    _save(path, [1, 3, 192, 192], {"fc1": values.reshape(1, 3309)})


def _recognition_model(path: Path) -> None:
    rng = np.random.default_rng(3)
    weights = numpy_helper.from_array(
        rng.normal(size=(147, EMBEDDING_SIZE)).astype(np.float32), "w"
    )
    graph = helper.make_graph(
        [
            helper.make_node(
                "AveragePool", ["input.1"], ["pooled"], kernel_shape=[16, 16], strides=[16, 16]
            ),
            helper.make_node("Flatten", ["pooled"], ["flat"]),
            helper.make_node("MatMul", ["flat", "w"], ["683"]),
        ],
        "recognition",
        [helper.make_tensor_value_info("input.1", TensorProto.FLOAT, [1, 3, 112, 112])],
        [helper.make_tensor_value_info("683", TensorProto.FLOAT, [1, EMBEDDING_SIZE])],
        [weights],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=9)
    onnx.checker.check_model(model)
    onnx.save(model, path)


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    # Odd file names on purpose: models are recognised by their inputs and outputs.
    folder = tmp_path_factory.mktemp("pack")
    _detector(folder / "a_detector.onnx")
    _landmark_model(folder / "b_points.onnx")
    _recognition_model(folder / "c_identity.onnx")
    return folder


def _test_image(size: int = 256, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (size, size, 3), dtype=np.uint8)


def test_pack_members_are_recognised_by_their_shapes(pack):
    backend = InsightFaceBackend(pack)
    assert backend.model_paths == {
        "detector": pack / "a_detector.onnx",
        "landmarks": pack / "b_points.onnx",
        "recognition": pack / "c_identity.onnx",
    }
    assert backend.embedding_size == EMBEDDING_SIZE


def test_detection_maps_the_box_and_landmarks_back_to_the_image(pack):
    faces = InsightFaceBackend(pack).detect(_test_image(256))
    # The model saw the image at 64 px (scale 1/4) and one face (the duplicate suppressed).
    assert len(faces) == 1
    box = faces[0].box
    assert (box.left, box.top, box.right, box.bottom) == (48, 32, 208, 224)
    assert faces[0].detector_score == pytest.approx(0.9)
    landmarks = faces[0].landmarks
    assert landmarks.shape == (68, 2)
    # Crop is 1.5 x 192 px around the centre (128, 128): [-1, 1] maps to [-16, 272].
    np.testing.assert_allclose(landmarks, 128 + _face_shape() * 144, atol=1e-3)


def test_embedding_is_a_unit_vector_of_the_recogniser_size(pack):
    backend = InsightFaceBackend(pack)
    image = _test_image(256)
    face = backend.detect(image)[0]
    embedding = backend.embed(image, face)
    assert embedding.shape == (EMBEDDING_SIZE,)
    assert np.linalg.norm(embedding) == pytest.approx(1.0)
    np.testing.assert_allclose(backend.embed(image, face), embedding)
    other = backend.embed(_test_image(256, seed=1), face)
    assert np.linalg.norm(other - embedding) > 0.1


def test_analysis_runs_on_the_pack_through_the_factory(pack):
    backend = get_face_backend("insightface", model_dir=pack)
    assert get_face_backend("insightface", model_dir=pack) is backend
    analysis = analyze_portrait(_test_image(256), backend=backend)
    assert analysis.problems == ()
    assert analysis.face.embedding.shape == (EMBEDDING_SIZE,)
    assert backend.default_thresholds.accept > 1.0  # unit vectors: a different scale from dlib


def test_alignment_points_follow_the_arcface_order():
    points = five_points(128 + _face_shape() * 144)
    left_eye, right_eye, nose, mouth_left, mouth_right = points
    assert left_eye[0] < nose[0] < right_eye[0]
    assert mouth_left[0] < mouth_right[0]
    assert left_eye[1] < nose[1] < mouth_left[1]


def test_missing_model_is_named(pack, tmp_path):
    shutil.copy(pack / "a_detector.onnx", tmp_path / "det_10g.onnx")
    shutil.copy(pack / "c_identity.onnx", tmp_path / "w600k_r50.onnx")
    with pytest.raises(FaceModelMissing, match="68-point landmark model") as error:
        InsightFaceBackend(tmp_path)
    assert "1k3d68.onnx" in str(error.value)
    assert "detector" not in str(error.value)


def test_empty_or_absent_folder_names_every_model(tmp_path):
    with pytest.raises(FaceModelMissing) as error:
        InsightFaceBackend(tmp_path)
    assert all(part in str(error.value) for part in ("face detector", "landmark", "recognition"))
    with pytest.raises(FileNotFoundError, match="not found"):
        InsightFaceBackend(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="needs model_dir"):
        get_face_backend("insightface")
