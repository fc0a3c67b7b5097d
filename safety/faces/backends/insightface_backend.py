"""A backend for an operator-supplied InsightFace-style ONNX model pack, run with onnxruntime.

Nothing is downloaded: the operator puts the pack's files in a folder (e.g. buffalo_l:
det_10g.onnx, 1k3d68.onnx, w600k_r50.onnx; mind the licence, InsightFace's released models are
for non-commercial research). Three models are needed and recognised by their inputs and outputs,
not their file names:

- face detector, SCRFD layout: one image input, 6/9 outputs (3 strides) or 10/15 (5 strides):
  scores, box distances and (optionally) 5 keypoints per anchor;
- 68-point landmark model: 192x192 input, 3309 outputs (1k3d68: 68 3-D points at the end) or
  136 (68 2-D points), coordinates in [-1, 1] over the crop;
- recognition model (ArcFace): 112x112 aligned face in, one embedding vector out.

The pre- and post-processing follows the published conventions of these models (SCRFD anchor
layout, 1.5x landmark crop, the ArcFace 112x112 five-point template); the insightface package
itself is not used because its FaceAnalysis downloads packs and its import pulls extra
dependencies, while onnxruntime is already here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import onnx
import onnxruntime as ort

from safety.faces.backends.base import FaceBackend, FaceModelMissing
from safety.faces.types import DetectedFace, FaceBox, IdentityThresholds

# Detector input size used when the model accepts any size (det_10g does).
DEFAULT_DETECTION_SIZE = (640, 640)
DETECTION_SCORE_THRESHOLD = 0.5
NMS_IOU_THRESHOLD = 0.4
LANDMARK_CROP_FACTOR = 1.5

# Where ArcFace models expect the eyes, nose tip and mouth corners in their 112x112 input.
ARCFACE_TEMPLATE = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ]
)

_ROLE_DESCRIPTIONS = {
    "detector": "face detector (SCRFD, e.g. det_10g.onnx: one image input, 6/9/10/15 outputs)",
    "landmarks": "68-point landmark model (e.g. 1k3d68.onnx: 192x192 input, 3309 or 136 outputs)",
    "recognition": "recognition model (ArcFace, e.g. w600k_r50.onnx: 112x112 input, 1 output)",
}


@dataclass(frozen=True)
class _Model:
    path: Path
    session: ort.InferenceSession
    input_name: str
    input_size: tuple[int, int] | None  # (width, height); None when the model takes any size
    mean: float
    std: float


class InsightFaceBackend(FaceBackend):
    name = "insightface"
    # Embeddings are scaled to unit length, so distance = sqrt(2 - 2 cos). accept 1.10 is a
    # cosine similarity of 0.40, reject 1.22 one of 0.25: common operating points for ArcFace
    # models, NOT calibrated here (no pack ships on PyPI); run bench/identity_eval.py
    # --backend insightface --model-dir DIR with the real pack before relying on them.
    default_thresholds = IdentityThresholds(accept=1.10, reject=1.22)

    def __init__(self, model_dir: Path) -> None:
        model_dir = Path(model_dir)
        if not model_dir.is_dir():
            raise FaceModelMissing(f"face model folder not found: {model_dir}")
        found = _identify_models(sorted(model_dir.glob("*.onnx")))
        missing = [role for role in _ROLE_DESCRIPTIONS if role not in found]
        if missing:
            raise FaceModelMissing(
                f"{model_dir} lacks: " + "; ".join(_ROLE_DESCRIPTIONS[role] for role in missing)
            )
        self._detector = found["detector"]
        self._landmarks = found["landmarks"]
        self._recognition = found["recognition"]
        self.embedding_size = int(self._recognition.session.get_outputs()[0].shape[-1])
        # onnxruntime sessions may run concurrently, but one lock keeps CPU use predictable
        # beside the other per-frame work, as for dlib.
        self._lock = threading.Lock()

    @property
    def model_paths(self) -> dict[str, Path]:
        return {
            "detector": self._detector.path,
            "landmarks": self._landmarks.path,
            "recognition": self._recognition.path,
        }

    def detect(self, rgb: np.ndarray) -> list[DetectedFace]:
        with self._lock:
            detections = _run_detector(self._detector, rgb)
            faces = []
            for box, score in detections:
                landmarks = _run_landmarks(self._landmarks, rgb, box)
                left, top, right, bottom = (round(value) for value in box)
                faces.append(
                    DetectedFace(FaceBox(left, top, right, bottom), landmarks, detector_score=score)
                )
        return faces

    def embed(self, rgb: np.ndarray, face: DetectedFace) -> np.ndarray:
        model = self._recognition
        size = model.input_size or (112, 112)
        template = ARCFACE_TEMPLATE * (size[0] / 112.0)
        matrix = similarity_transform(five_points(face.landmarks), template)
        crop = cv2.warpAffine(rgb, matrix, size, borderValue=0)
        with self._lock:
            output = model.session.run(None, {model.input_name: _blob(crop, model.mean, model.std)})
        embedding = np.asarray(output[0], dtype=np.float64).ravel()
        norm = np.linalg.norm(embedding)
        return embedding / norm if norm > 0 else embedding


def five_points(landmarks: np.ndarray) -> np.ndarray:
    """Eye centres, nose tip and mouth corners from 68 iBUG points, in ArcFace template order
    (image-left eye first)."""
    return np.array(
        [
            landmarks[36:42].mean(axis=0),
            landmarks[42:48].mean(axis=0),
            landmarks[30],
            landmarks[48],
            landmarks[54],
        ]
    )


def similarity_transform(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 2x3 rotation + uniform scale + shift mapping `source` points closest to `target`
    (least squares). Written out because OpenCV's estimateAffinePartial2D fits robustly
    (RANSAC/LMedS) rather than by plain least squares, which is what the template assumes.
    """
    rows = []
    values = []
    for (x, y), (u, v) in zip(source, target, strict=True):
        rows += [[x, -y, 1.0, 0.0], [y, x, 0.0, 1.0]]
        values += [u, v]
    (a, b, tx, ty), *_ = np.linalg.lstsq(np.array(rows), np.array(values), rcond=None)
    return np.array([[a, -b, tx], [b, a, ty]])


def _identify_models(paths: list[Path]) -> dict[str, _Model]:
    found: dict[str, _Model] = {}
    for path in paths:
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        role = _role_of(session)
        if role is None or role in found:
            continue  # other pack members (gender/age, 106-point landmarks) are not needed
        found[role] = _model(path, session, role)
    return found


def _role_of(session: ort.InferenceSession) -> str | None:
    inputs, outputs = session.get_inputs(), session.get_outputs()
    if len(inputs) != 1 or len(inputs[0].shape) != 4:
        return None
    height, width = inputs[0].shape[2:]
    if len(outputs) in (6, 9, 10, 15):
        return "detector"
    if len(outputs) != 1:
        return None
    out_size = outputs[0].shape[-1]
    if (height, width) == (112, 112) and isinstance(out_size, int):
        return "recognition"
    if (height, width) == (192, 192) and out_size in (3309, 136):
        return "landmarks"
    return None


def _model(path: Path, session: ort.InferenceSession, role: str) -> _Model:
    model_input = session.get_inputs()[0]
    height, width = model_input.shape[2:]
    size = (width, height) if isinstance(width, int) and isinstance(height, int) else None
    if role == "detector":
        mean, std = 127.5, 128.0
    elif _normalises_itself(path):
        mean, std = 0.0, 1.0
    else:
        # ArcFace recognisers are trained on (x - 127.5) / 127.5, landmark nets on / 128.
        mean, std = 127.5, 127.5 if role == "recognition" else 128.0
    return _Model(path, session, model_input.name, size, mean, std)


def _normalises_itself(path: Path) -> bool:
    # Some released models (MXNet conversions) begin with their own Sub and Mul (or a
    # "bn_data" batch norm) on the raw pixels; feeding them pre-normalised input would
    # normalise twice.
    graph = onnx.load(str(path), load_external_data=False).graph
    names = [node.name for node in graph.node[:8]]
    if any(name == "bn_data" for name in names[:3]):
        return True
    has_sub = any(name.startswith(("Sub", "_minus")) for name in names)
    has_mul = any(name.startswith(("Mul", "_mul")) for name in names)
    return has_sub and has_mul


def _blob(rgb: np.ndarray, mean: float, std: float) -> np.ndarray:
    return ((rgb.astype(np.float32) - mean) / std).transpose(2, 0, 1)[None]


def _run_detector(model: _Model, rgb: np.ndarray) -> list[tuple[tuple[float, ...], float]]:
    width, height = model.input_size or DEFAULT_DETECTION_SIZE
    scale = min(width / rgb.shape[1], height / rgb.shape[0])
    resized = cv2.resize(
        rgb, (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
    )
    canvas = np.zeros((height, width, 3), np.uint8)
    canvas[: resized.shape[0], : resized.shape[1]] = resized[:height, :width]
    outputs = model.session.run(None, {model.input_name: _blob(canvas, model.mean, model.std)})

    levels = 3 if len(outputs) in (6, 9) else 5
    strides = [8, 16, 32, 64, 128][:levels]
    anchors_per_cell = 2 if levels == 3 else 1
    boxes, scores = [], []
    for level, stride in enumerate(strides):
        level_scores = np.asarray(outputs[level]).reshape(-1)
        distances = np.asarray(outputs[level + levels]).reshape(-1, 4) * stride
        ys, xs = np.mgrid[: height // stride, : width // stride]
        centres = np.stack([xs, ys], axis=-1).reshape(-1, 2).astype(np.float32) * stride
        centres = np.repeat(centres, anchors_per_cell, axis=0)
        keep = level_scores >= DETECTION_SCORE_THRESHOLD
        corners = np.hstack(
            [centres[keep] - distances[keep, :2], centres[keep] + distances[keep, 2:]]
        )
        boxes.extend(corners / scale)
        scores.extend(level_scores[keep])
    if not boxes:
        return []
    xywh = [[float(x1), float(y1), float(x2 - x1), float(y2 - y1)] for x1, y1, x2, y2 in boxes]
    kept = cv2.dnn.NMSBoxes(
        xywh, [float(s) for s in scores], DETECTION_SCORE_THRESHOLD, NMS_IOU_THRESHOLD
    )
    order = sorted(np.asarray(kept).reshape(-1).tolist(), key=lambda i: -scores[i])
    return [(tuple(float(v) for v in boxes[i]), float(scores[i])) for i in order]


def _run_landmarks(model: _Model, rgb: np.ndarray, box: tuple[float, ...]) -> np.ndarray:
    size = (model.input_size or (192, 192))[0]
    left, top, right, bottom = box
    centre_x, centre_y = (left + right) / 2, (top + bottom) / 2
    scale = size / (max(right - left, bottom - top) * LANDMARK_CROP_FACTOR)
    matrix = np.array(
        [[scale, 0.0, size / 2 - scale * centre_x], [0.0, scale, size / 2 - scale * centre_y]]
    )
    crop = cv2.warpAffine(rgb, matrix, (size, size), borderValue=0)
    output = np.asarray(
        model.session.run(None, {model.input_name: _blob(crop, model.mean, model.std)})[0]
    ).reshape(-1)
    dims = 3 if output.size == 3309 else 2
    points = output.reshape(-1, dims)[-68:, :2]  # 1k3d68 puts the 68 points last
    in_crop = (points + 1.0) * (size // 2)
    inverse = cv2.invertAffineTransform(matrix)
    return in_crop @ inverse[:, :2].T + inverse[:, 2]
