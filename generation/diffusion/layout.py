"""The files of Hallo's ``pretrained_models/`` folder that Signet reads, as Hallo's users have it.

Nothing else is read and nothing is downloaded. Checked before anything is loaded, so an operator
learns every missing file at once.
"""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Required:
    """One needed file; ``choices`` are alternative names (the first present is used)."""

    what: str
    choices: tuple[str, ...]

    def find(self, root: Path) -> Path | None:
        return next((root / c for c in self.choices if (root / c).is_file()), None)


NET = Required("Hallo's trained weights", ("hallo/net.pth",))
UNET_CONFIG = Required(
    "Stable Diffusion 1.5 UNet config", ("stable-diffusion-v1-5/unet/config.json",)
)
MOTION_MODULE = Required(
    "AnimateDiff motion module", ("motion_module/mm_sd_v15_v2.ckpt",)
)
VAE_CONFIG = Required("VAE config (sd-vae-ft-mse)", ("sd-vae-ft-mse/config.json",))
VAE_WEIGHTS = Required(
    "VAE weights (sd-vae-ft-mse)",
    ("sd-vae-ft-mse/diffusion_pytorch_model.safetensors", "sd-vae-ft-mse/diffusion_pytorch_model.bin"),
)
WAV2VEC_CONFIG = Required("wav2vec2 config", ("wav2vec/wav2vec2-base-960h/config.json",))
WAV2VEC_PREPROCESSOR = Required(
    "wav2vec2 preprocessor config", ("wav2vec/wav2vec2-base-960h/preprocessor_config.json",)
)
WAV2VEC_WEIGHTS = Required(
    "wav2vec2 weights",
    ("wav2vec/wav2vec2-base-960h/model.safetensors", "wav2vec/wav2vec2-base-960h/pytorch_model.bin"),
)
FACE_RECOGNITION = Required(
    "insightface face recognition model", ("face_analysis/models/glintr100.onnx",)
)

DIFFUSION_FILES = (
    NET, UNET_CONFIG, MOTION_MODULE, VAE_CONFIG, VAE_WEIGHTS, WAV2VEC_CONFIG,
    WAV2VEC_PREPROCESSOR, WAV2VEC_WEIGHTS,
)
ALL_FILES = (*DIFFUSION_FILES, FACE_RECOGNITION)


class WeightsError(FileNotFoundError):
    """The operator's model directory does not hold what the Hallo renderer needs."""


class MissingWeightsError(WeightsError):
    """``missing`` names each absent file (relative path and what it is)."""

    def __init__(self, model_dir: Path, missing: list[str]) -> None:
        self.model_dir = Path(model_dir)
        self.missing = tuple(missing)
        super().__init__(
            f"Hallo model directory {model_dir} is incomplete; missing: {'; '.join(missing)}"
        )


class IncompatibleWeightsError(WeightsError):
    """A file is present but unsafe to read or does not fit the part it is named after."""


def missing_files(model_dir: Path, files: tuple[Required, ...] = ALL_FILES) -> list[str]:
    model_dir = Path(model_dir)
    return [
        f"{' or '.join(r.choices)} ({r.what})" for r in files if r.find(model_dir) is None
    ]


def check_model_dir(model_dir: Path, files: tuple[Required, ...] = ALL_FILES) -> None:
    missing = missing_files(model_dir, files)
    if missing:
        raise MissingWeightsError(model_dir, missing)
