"""Sizes of Hallo's parts, read from the files an operator has (never guessed from a name).

Stable Diffusion 1.5's ``unet/config.json`` gives the UNets' widths; the shapes inside
``hallo/net.pth`` give the projections' and the face locator's; wav2vec2's ``config.json`` its
depth and width. Only what no file tells is fixed here, as Hallo fixes it in its code.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import torch

AUDIO_CONTEXT = 5  # wav2vec frames around each video frame (Hallo: -2..+2)
# Hallo's configs/inference/default.yaml
SCHEDULER = {
    "beta_start": 0.00085,
    "beta_end": 0.012,
    "beta_schedule": "linear",
    "clip_sample": False,
    "steps_offset": 1,
    "prediction_type": "v_prediction",
    "rescale_betas_zero_snr": True,
    "timestep_spacing": "trailing",
}
WINDOW_FRAMES = 16
MOTION_FRAMES = 2
INFERENCE_STEPS = 40
GUIDANCE_SCALE = 3.5
FACE_EXPAND_RATIO = 1.2
REGION_WEIGHTS = (1.0, 1.0, 1.0)  # pose (whole image), face, lip
VAE_SCALING = 0.18215


@dataclass(frozen=True)
class UNetConfig:
    """The subset of a diffusers UNet config that Hallo's two UNets use."""

    block_out_channels: tuple[int, ...]
    layers_per_block: int
    cross_attention_dim: int
    heads: int  # SD 1.5 calls it ``attention_head_dim``; it is the number of heads
    norm_num_groups: int = 32
    norm_eps: float = 1e-5
    in_channels: int = 4
    out_channels: int = 4
    flip_sin_to_cos: bool = True
    freq_shift: int = 0

    @classmethod
    def from_json(cls, path: Path) -> "UNetConfig":
        raw = json.loads(Path(path).read_text())
        heads = raw.get("attention_head_dim", 8)
        if not isinstance(heads, int):
            if len(set(heads)) != 1:
                raise ValueError(f"{path}: per-block head counts are not supported")
            heads = heads[0]
        return cls(
            block_out_channels=tuple(raw["block_out_channels"]),
            layers_per_block=raw.get("layers_per_block", 2),
            cross_attention_dim=raw.get("cross_attention_dim", 768),
            heads=heads,
            norm_num_groups=raw.get("norm_num_groups", 32),
            norm_eps=raw.get("norm_eps", 1e-5),
            in_channels=raw.get("in_channels", 4),
            out_channels=raw.get("out_channels", 4),
            flip_sin_to_cos=raw.get("flip_sin_to_cos", True),
            freq_shift=raw.get("freq_shift", 0),
        )

    def diffusers_config(self) -> dict:
        """The same UNet as a diffusers ``UNet2DConditionModel`` config (the ReferenceNet)."""
        levels = len(self.block_out_channels)
        return {
            "sample_size": 64,
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "block_out_channels": list(self.block_out_channels),
            "down_block_types": ["CrossAttnDownBlock2D"] * (levels - 1) + ["DownBlock2D"],
            "up_block_types": ["UpBlock2D"] + ["CrossAttnUpBlock2D"] * (levels - 1),
            "layers_per_block": self.layers_per_block,
            "cross_attention_dim": self.cross_attention_dim,
            "attention_head_dim": self.heads,
            "norm_num_groups": self.norm_num_groups,
            "norm_eps": self.norm_eps,
            "flip_sin_to_cos": self.flip_sin_to_cos,
            "freq_shift": self.freq_shift,
        }


@dataclass(frozen=True)
class ProjectionConfig:
    """Sizes of the audio and image projections and the face locator, read from ``net.pth``."""

    audio_layers: int
    audio_width: int
    audio_hidden: int
    audio_dim: int
    audio_tokens: int
    face_embedding: int
    image_tokens: int
    face_locator_channels: tuple[int, ...]

    @classmethod
    def from_state(cls, state: dict[str, torch.Tensor], audio_layers: int, audio_width: int):
        def shape(key: str) -> tuple[int, ...]:
            if key not in state:
                raise KeyError(key)
            return tuple(state[key].shape)

        audio_dim = shape("audioproj.norm.weight")[0]
        hidden, flat = shape("audioproj.proj1.weight")
        if flat != AUDIO_CONTEXT * audio_layers * audio_width:
            raise ValueError(
                f"audioproj takes {flat} inputs, but wav2vec gives {AUDIO_CONTEXT} x "
                f"{audio_layers} layers x {audio_width} = {AUDIO_CONTEXT * audio_layers * audio_width}"
            )
        cross = shape("imageproj.norm.weight")[0]
        image_out, face_embedding = shape("imageproj.proj.weight")
        channels = [shape("face_locator.conv_in.weight")[0]]
        index = 1
        while f"face_locator.blocks.{index}.weight" in state:
            channels.append(shape(f"face_locator.blocks.{index}.weight")[0])
            index += 2
        return cls(
            audio_layers=audio_layers,
            audio_width=audio_width,
            audio_hidden=hidden,
            audio_dim=audio_dim,
            audio_tokens=shape("audioproj.proj3.weight")[0] // audio_dim,
            face_embedding=face_embedding,
            image_tokens=image_out // cross,
            face_locator_channels=tuple(channels),
        )


def sd15_unet() -> UNetConfig:
    """Stable Diffusion 1.5's UNet (what Hallo's published weights are sized for)."""
    return UNetConfig(
        block_out_channels=(320, 640, 1280, 1280),
        layers_per_block=2,
        cross_attention_dim=768,
        heads=8,
    )


def hallo_projections() -> ProjectionConfig:
    """Hallo's published sizes (scripts/inference.py)."""
    return ProjectionConfig(
        audio_layers=12,
        audio_width=768,
        audio_hidden=512,
        audio_dim=768,
        audio_tokens=32,
        face_embedding=512,
        image_tokens=4,
        face_locator_channels=(16, 32, 64, 128),
    )
