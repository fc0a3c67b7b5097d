"""Part configurations: a tiny random one for tests, and the production directory layout."""

from dataclasses import dataclass
from typing import Any

import torch
from diffusers import (
    AutoencoderKL,
    DDIMScheduler,
    MotionAdapter,
    UNet2DConditionModel,
    UNetMotionModel,
)
from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor, Wav2Vec2Model

from generation.diffusion.audio import AudioProjection
from generation.diffusion.face_locator import FaceLocator


@dataclass(frozen=True)
class PartSpec:
    """One part of a model directory: ``subdir`` holds ``config_file`` and, if
    ``needs_weights``, a safetensors or .bin weight file (plain or sharded)."""

    name: str
    subdir: str
    config_file: str
    needs_weights: bool
    contents: str


# What an operator puts in the model directory. The image parts start from Stable Diffusion
# 1.5 (as EMO did), the motion adapter from AnimateDiff (diffusers format), the audio encoder
# is wav2vec2-base; the EMO-specific parts are trained. Trained weights that come as PyTorch
# state dicts go in ``checkpoints/`` instead (see ``CHECKPOINT_TARGETS`` in loading.py).
MODEL_LAYOUT: tuple[PartSpec, ...] = (
    PartSpec("vae", "vae", "config.json", True, "AutoencoderKL (e.g. sd-vae-ft-mse)"),
    PartSpec(
        "reference_unet",
        "reference_unet",
        "config.json",
        True,
        "UNet2DConditionModel, the ReferenceNet (SD 1.5 UNet layout)",
    ),
    PartSpec(
        "denoising_unet",
        "denoising_unet",
        "config.json",
        True,
        "UNet2DConditionModel, the backbone's spatial layers (same layout as reference_unet)",
    ),
    PartSpec(
        "motion_adapter",
        "motion_adapter",
        "config.json",
        True,
        "MotionAdapter, the backbone's temporal layers (AnimateDiff, diffusers format)",
    ),
    PartSpec(
        "audio_encoder", "audio_encoder", "config.json", True, "Wav2Vec2Model (wav2vec2-base)"
    ),
    PartSpec(
        "audio_feature_extractor",
        "audio_encoder",
        "preprocessor_config.json",
        False,
        "Wav2Vec2FeatureExtractor of that model",
    ),
    PartSpec(
        "audio_projection",
        "audio_projection",
        "config.json",
        True,
        "AudioProjection (generation.diffusion.audio)",
    ),
    PartSpec(
        "face_locator",
        "face_locator",
        "config.json",
        True,
        "FaceLocator (generation.diffusion.face_locator)",
    ),
    PartSpec(
        "scheduler",
        "scheduler",
        "scheduler_config.json",
        False,
        "scheduler config with the training noise schedule (SD 1.5's)",
    ),
)


@dataclass(frozen=True)
class TinyParts:
    """Tiny random parts as they are stored on disk (backbone spatial layers and temporal
    layers apart); ``pipeline_kwargs`` joins them the way ``load_emo_pipeline`` does."""

    vae: AutoencoderKL
    reference_unet: UNet2DConditionModel
    denoising_unet: UNet2DConditionModel
    motion_adapter: MotionAdapter
    audio_encoder: Wav2Vec2Model
    audio_feature_extractor: Wav2Vec2FeatureExtractor
    audio_projection: AudioProjection
    face_locator: FaceLocator
    scheduler: DDIMScheduler


_TINY_CHANNELS = (16, 32)
_TINY_CONTEXT = 16  # cross-attention width shared by both UNets and the audio projection


def _tiny_unet() -> UNet2DConditionModel:
    return UNet2DConditionModel(
        sample_size=8,
        in_channels=4,
        out_channels=4,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        block_out_channels=_TINY_CHANNELS,
        layers_per_block=1,
        norm_num_groups=8,
        cross_attention_dim=_TINY_CONTEXT,
        attention_head_dim=4,
    )


def tiny_parts(seed: int = 0) -> TinyParts:
    """Randomly initialised parts small enough to run a few frames in seconds on one CPU core:
    16 px frames (8 x 8 latents), two-block UNets, a two-layer wav2vec2 of width 32."""
    torch.manual_seed(seed)
    audio_config = Wav2Vec2Config(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        conv_dim=(16,) * 7,
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=2,
    )
    return TinyParts(
        vae=AutoencoderKL(
            in_channels=3,
            out_channels=3,
            down_block_types=("DownEncoderBlock2D",) * 2,
            up_block_types=("UpDecoderBlock2D",) * 2,
            block_out_channels=(8, 16),
            layers_per_block=1,
            latent_channels=4,
            norm_num_groups=8,
            sample_size=16,
        ),
        reference_unet=_tiny_unet(),
        denoising_unet=_tiny_unet(),
        motion_adapter=MotionAdapter(
            block_out_channels=_TINY_CHANNELS,
            motion_layers_per_block=1,
            motion_norm_num_groups=8,
            motion_num_attention_heads=2,
            motion_max_seq_length=16,
        ),
        audio_encoder=Wav2Vec2Model(audio_config),
        audio_feature_extractor=Wav2Vec2FeatureExtractor(
            feature_size=1, sampling_rate=16_000, padding_value=0.0, do_normalize=True
        ),
        audio_projection=AudioProjection(
            input_dim=(audio_config.num_hidden_layers + 1) * audio_config.hidden_size,
            context_radius=2,
            hidden_dim=32,
            num_tokens=4,
            output_dim=_TINY_CONTEXT,
        ),
        face_locator=FaceLocator(latent_channels=4, block_out_channels=(4, 8)),
        scheduler=DDIMScheduler(
            beta_start=0.00085,
            beta_end=0.012,
            beta_schedule="scaled_linear",
            clip_sample=False,
            set_alpha_to_one=False,
            steps_offset=1,
        ),
    )


def pipeline_kwargs(parts: TinyParts) -> dict[str, Any]:
    """EmoPipeline constructor arguments, the backbone joined from spatial and temporal parts."""
    kwargs = {name: getattr(parts, name) for name in TinyParts.__dataclass_fields__}
    kwargs["denoising_unet"] = UNetMotionModel.from_unet2d(
        kwargs.pop("denoising_unet"), kwargs.pop("motion_adapter")
    )
    return kwargs


def tiny_config(seed: int = 0) -> dict[str, Any]:
    """Tiny random EmoPipeline parts for tests: ``EmoPipeline(**tiny_config())``."""
    return pipeline_kwargs(tiny_parts(seed))
