"""EMO-style diffusion animation (GPU option). Imports torch: keep it off the CPU animator path."""

from generation.diffusion.configs import MODEL_LAYOUT, tiny_config
from generation.diffusion.face_mask import face_mask_from_landmarks
from generation.diffusion.loading import (
    IncompatibleWeightsError,
    MissingWeightsError,
    load_emo_pipeline,
    save_tiny_pipeline,
)
from generation.diffusion.pipeline import (
    DenoiseProgress,
    EmoPipeline,
    EmoPipelineOutput,
    GeneratedWindow,
)

__all__ = [
    "MODEL_LAYOUT",
    "DenoiseProgress",
    "EmoPipeline",
    "EmoPipelineOutput",
    "GeneratedWindow",
    "IncompatibleWeightsError",
    "MissingWeightsError",
    "face_mask_from_landmarks",
    "load_emo_pipeline",
    "save_tiny_pipeline",
    "tiny_config",
]
