"""A complete tiny Hallo model directory for tests: the parity fixture's random weights plus a
tiny ONNX face-recognition model the test builds (Hallo's real one is non-commercial and large)."""

import shutil
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FIXTURE_MODELS = Path(__file__).resolve().parent.parent / "fixtures" / "hallo" / "pretrained_models"
TINY_IMAGE_SIZE = 128  # the fixture's working size


def tiny_recognition_model(path: Path, *, seed: int = 0) -> Path:
    """112 x 112 RGB -> 512 numbers: channel means times a random matrix."""
    weights = np.random.default_rng(seed).standard_normal((3, 512)).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("GlobalAveragePool", ["input.1"], ["pooled"]),
            helper.make_node("Flatten", ["pooled"], ["flat"]),
            helper.make_node("MatMul", ["flat", "weights"], ["683"]),
        ],
        "tiny_recognition",
        [helper.make_tensor_value_info("input.1", TensorProto.FLOAT, [1, 3, 112, 112])],
        [helper.make_tensor_value_info("683", TensorProto.FLOAT, [1, 512])],
        [numpy_helper.from_array(weights, "weights")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def tiny_model_dir(root: Path) -> Path:
    """A copy of the fixture's pretrained_models with face_analysis/models/glintr100.onnx."""
    target = Path(root) / "pretrained_models"
    shutil.copytree(FIXTURE_MODELS, target)
    tiny_recognition_model(target / "face_analysis" / "models" / "glintr100.onnx")
    return target
