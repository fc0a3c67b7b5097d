"""The face-identity embedding Hallo's image projection expects: insightface's recognition
model (``glintr100.onnx`` from the operator's ``face_analysis/models``) run with onnxruntime on
a 112 x 112 crop aligned from five points that Signet's 68 landmarks give (eye centres, nose tip,
mouth corners). insightface itself is not needed: its detector is replaced by Signet's own face
analysis, its alignment by OpenCV's similarity fit.
"""

from pathlib import Path

import cv2
import numpy as np
import onnx
import onnxruntime

# insightface's arcface_dst: where the five points sit in a 112 x 112 crop
ARCFACE_POINTS = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
     [41.5493, 92.3655], [70.7299, 92.2041]], dtype=np.float32,
)


def five_points(landmarks: np.ndarray) -> np.ndarray:
    """Image-left eye, image-right eye, nose tip, mouth corners, from dlib's 68-point order."""
    points = np.asarray(landmarks, dtype=np.float32)
    return np.stack([points[36:42].mean(axis=0), points[42:48].mean(axis=0), points[30],
                     points[48], points[54]])


def similarity(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The least-squares rotation + uniform scale + shift taking ``source`` onto ``target``
    (Umeyama's closed form; what insightface's alignment fits), as a 2 x 3 matrix."""
    src_mean, dst_mean = source.mean(axis=0), target.mean(axis=0)
    src, dst = source - src_mean, target - dst_mean
    u, singular, vt = np.linalg.svd(dst.T @ src / len(source))
    sign = np.diag([1.0, np.sign(np.linalg.det(u @ vt))])
    rotation = u @ sign @ vt
    scale = (singular * np.diag(sign)).sum() / src.var(axis=0).sum()
    shift = dst_mean - scale * rotation @ src_mean
    return np.hstack([scale * rotation, shift[:, None]]).astype(np.float32)


class FaceEmbedder:
    """Loads a local ONNX recognition model; ``embed`` returns its raw output vector."""

    def __init__(self, model_path: Path) -> None:
        self.model_path = Path(model_path)
        graph = onnx.load(str(self.model_path)).graph
        # insightface's rule: a model that subtracts and scales inside takes raw pixels
        first = {node.op_type for node in graph.node[:8]}
        inside = {"Sub", "Mul"} <= first
        self.mean, self.std = (0.0, 1.0) if inside else (127.5, 127.5)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(self.model_path), options, providers=["CPUExecutionProvider"]
        )
        shape = self.session.get_inputs()[0].shape
        self.side = int(shape[2]) if isinstance(shape[2], int) else 112
        self.input = self.session.get_inputs()[0].name

    def aligned(self, image_rgb: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
        matrix = similarity(five_points(landmarks), ARCFACE_POINTS * (self.side / 112.0))
        return cv2.warpAffine(image_rgb, matrix, (self.side, self.side), borderValue=0)

    def embed(self, image_rgb: np.ndarray, landmarks: np.ndarray | None) -> np.ndarray:
        """The embedding of the face at ``landmarks``; zeros without landmarks (Hallo's choice
        when it finds no face)."""
        outputs = self.session.get_outputs()[0].shape[-1]
        if landmarks is None:
            return np.zeros(outputs if isinstance(outputs, int) else 512, np.float32)
        crop = self.aligned(image_rgb, landmarks).astype(np.float32)
        blob = ((crop - self.mean) / self.std).transpose(2, 0, 1)[None]
        return self.session.run(None, {self.input: blob})[0].reshape(-1).astype(np.float32)
