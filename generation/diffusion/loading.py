"""Loading an EmoPipeline from an operator-supplied local directory, and writing a tiny one.

Nothing here reaches the network: every part is read with ``local_files_only=True`` under
offline hub settings, and PyTorch checkpoints are unpickled with ``weights_only=True`` so a
tampered file cannot run code.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from diffusers import (
    AutoencoderKL,
    DDIMScheduler,
    MotionAdapter,
    UNet2DConditionModel,
    UNetMotionModel,
)
from transformers import Wav2Vec2FeatureExtractor, Wav2Vec2Model

from generation.diffusion.audio import AudioProjection
from generation.diffusion.configs import MODEL_LAYOUT, PartSpec, tiny_parts
from generation.diffusion.face_locator import FaceLocator
from generation.diffusion.pipeline import EmoPipeline

_WEIGHT_PATTERNS = ("*.safetensors", "*.bin", "*.safetensors.index.json", "*.bin.index.json")
_LOADERS: dict[str, Any] = {
    "vae": AutoencoderKL,
    "reference_unet": UNet2DConditionModel,
    "denoising_unet": UNet2DConditionModel,
    "motion_adapter": MotionAdapter,
    "audio_encoder": Wav2Vec2Model,
    "audio_feature_extractor": Wav2Vec2FeatureExtractor,
    "audio_projection": AudioProjection,
    "face_locator": FaceLocator,
    "scheduler": DDIMScheduler,
}
_WITHOUT_WEIGHTS = {"audio_feature_extractor", "scheduler"}  # configs only: no torch_dtype

CHECKPOINT_DIR = "checkpoints"
CHECKPOINT_SUFFIXES = (".pth", ".pt", ".ckpt")
# Checkpoint file stem -> pipeline part it updates. Keys must use diffusers' module names;
# ``motion_module`` holds only the backbone's temporal layers.
CHECKPOINT_TARGETS = {
    "reference_unet": "reference_unet",
    "denoising_unet": "denoising_unet",
    "motion_module": "denoising_unet",
    "audio_projection": "audio_projection",
    "face_locator": "face_locator",
}


class MissingWeightsError(FileNotFoundError):
    """The model directory lacks parts; ``missing`` lists each as "subdir/ (what is absent)"."""

    def __init__(self, model_dir: Path, missing: list[str]) -> None:
        self.model_dir = model_dir
        self.missing = tuple(missing)
        super().__init__(
            f"EMO model directory {model_dir} is incomplete; missing: {'; '.join(missing)}"
        )


class IncompatibleWeightsError(ValueError):
    """A checkpoint file is unsafe to unpickle or does not fit the part it is named after."""


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def find_missing_parts(model_dir: Path) -> list[str]:
    """Every absent part of ``MODEL_LAYOUT``, checked before anything is loaded."""
    missing = []
    for spec in MODEL_LAYOUT:
        folder = model_dir / spec.subdir
        absent = []
        if not (folder / spec.config_file).is_file():
            absent.append(spec.config_file)
        if spec.needs_weights and not any(
            path.is_file() for pattern in _WEIGHT_PATTERNS for path in folder.glob(pattern)
        ):
            absent.append("weights (*.safetensors or *.bin)")
        if absent:
            missing.append(f"{spec.subdir}/ ({', '.join(absent)}: {spec.contents})")
    return missing


@contextmanager
def offline_hub() -> Iterator[None]:
    """Tell huggingface_hub and transformers not to reach the network, then restore."""
    names = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update({name: "1" for name in names})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _load_part(spec: PartSpec, model_dir: Path, dtype: torch.dtype) -> Any:
    options: dict[str, Any] = {"local_files_only": True}
    if spec.name not in _WITHOUT_WEIGHTS:
        options["torch_dtype"] = dtype
    return _LOADERS[spec.name].from_pretrained(model_dir / spec.subdir, **options)


def load_checkpoint(path: Path) -> dict[str, torch.Tensor]:
    """A state dict from a .pth/.pt/.ckpt file, refusing anything but tensors and plain data."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises UnpicklingError, RuntimeError, ... for bad files
        raise IncompatibleWeightsError(f"{path} is not a plain weights file: {error}") from error
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]  # Lightning-style checkpoints wrap the weights
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise IncompatibleWeightsError(f"{path} does not hold a state dict of tensors")
    return state


def apply_checkpoints(folder: Path, parts: dict[str, Any]) -> list[Path]:
    """Load every checkpoint in ``folder`` into the part it is named after; returns those used."""
    if not folder.is_dir():
        return []
    applied = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in CHECKPOINT_SUFFIXES:
            continue
        if path.stem not in CHECKPOINT_TARGETS:
            raise IncompatibleWeightsError(
                f"{path}: unknown checkpoint; expected one of "
                f"{', '.join(stem + '.pth' for stem in CHECKPOINT_TARGETS)}"
            )
        state = load_checkpoint(path)
        target = parts[CHECKPOINT_TARGETS[path.stem]]
        result = target.load_state_dict(state, strict=False)
        if result.unexpected_keys or not state:
            raise IncompatibleWeightsError(
                f"{path} does not fit {CHECKPOINT_TARGETS[path.stem]}: "
                f"{len(result.unexpected_keys)} unknown keys, e.g. {result.unexpected_keys[:3]}"
            )
        applied.append(path)
    return applied


def load_emo_pipeline(
    model_dir: Path,
    *,
    device: str | torch.device | None = None,
    dtype: torch.dtype | None = None,
    scheduler: str = "ddim",
) -> EmoPipeline:
    """Build the pipeline from ``model_dir`` (layout: ``MODEL_LAYOUT``, plus optional
    ``checkpoints/``). Device defaults to CUDA when present, else CPU; dtype to float16 on
    CUDA and float32 elsewhere.

    Raises MissingWeightsError (naming every absent part) before loading anything, and
    IncompatibleWeightsError for a checkpoint that is unsafe or does not fit.
    """
    model_dir = Path(model_dir)
    missing = find_missing_parts(model_dir)
    if missing:
        raise MissingWeightsError(model_dir, missing)
    device = torch.device(device) if device is not None else default_device()
    dtype = dtype or (torch.float16 if device.type == "cuda" else torch.float32)

    with offline_hub():
        parts = {spec.name: _load_part(spec, model_dir, dtype) for spec in MODEL_LAYOUT}
    parts["denoising_unet"] = UNetMotionModel.from_unet2d(
        parts["denoising_unet"], parts.pop("motion_adapter")
    )
    apply_checkpoints(model_dir / CHECKPOINT_DIR, parts)

    pipeline = EmoPipeline(**parts)
    pipeline.use_scheduler(scheduler)
    return pipeline.to(device)


def save_tiny_pipeline(model_dir: Path, *, seed: int = 0) -> Path:
    """Write tiny random parts in the production layout (for tests of the loading path)."""
    model_dir = Path(model_dir)
    parts = tiny_parts(seed)
    for spec in MODEL_LAYOUT:
        getattr(parts, spec.name).save_pretrained(model_dir / spec.subdir)
    return model_dir


__all__ = [
    "CHECKPOINT_TARGETS",
    "IncompatibleWeightsError",
    "MissingWeightsError",
    "apply_checkpoints",
    "find_missing_parts",
    "load_checkpoint",
    "load_emo_pipeline",
    "save_tiny_pipeline",
]
