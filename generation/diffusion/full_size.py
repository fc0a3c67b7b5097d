"""Hallo's full-size architecture with random weights, built from no file at all.

For measuring speed and memory where Hallo's weights cannot be (a lent GPU machine has no
network and takes a few MiB of files): both depend on the architecture, not on the weight
values. Frames rendered with these modules are noise; nothing here is for producing video.
"""

import torch
from diffusers import AutoencoderKL
from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor, Wav2Vec2Model

from generation.diffusion.configs import VAE_SCALING, hallo_projections, sd15_unet
from generation.diffusion.loading import HalloModules, build_modules

# sd-vae-ft-mse, the VAE Hallo loads (Stable Diffusion 1.5's architecture). ``sample_size``
# only steers tiled decoding, which the pipeline does not use.
SD15_VAE = {
    "in_channels": 3,
    "out_channels": 3,
    "down_block_types": ["DownEncoderBlock2D"] * 4,
    "up_block_types": ["UpDecoderBlock2D"] * 4,
    "block_out_channels": [128, 256, 512, 512],
    "layers_per_block": 2,
    "act_fn": "silu",
    "latent_channels": 4,
    "norm_num_groups": 32,
    "sample_size": 512,
    "scaling_factor": VAE_SCALING,
}

# wav2vec2-base-960h, the audio encoder Hallo loads: its audio projection takes all 12 hidden
# layers of width 768 (hallo_projections()).
WAV2VEC2_BASE = {
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3072,
    "hidden_act": "gelu",
    "feat_extract_norm": "group",
    "feat_extract_activation": "gelu",
    "conv_dim": [512] * 7,
    "conv_kernel": [10, 3, 3, 3, 3, 2, 2],
    "conv_stride": [5, 2, 2, 2, 2, 2, 2],
    "conv_bias": False,
    "num_conv_pos_embeddings": 128,
    "num_conv_pos_embedding_groups": 16,
    "do_stable_layer_norm": False,
    "layer_norm_eps": 1e-5,
    "vocab_size": 32,
}


def random_full_size_modules(
    device: str | torch.device = "cpu", dtype: torch.dtype = torch.float32
) -> HalloModules:
    """Every part Hallo runs, at Hallo's published sizes, with default-initialised random
    weights: the ReferenceNet and denoising UNet (SD 1.5 widths, audio and motion modules),
    face locator, image and audio projections, the SD 1.5 VAE and wav2vec2-base. Built
    directly on ``device`` (no full-size copy through CPU memory when it is a GPU)."""
    projections = hallo_projections()
    with torch.device(device):
        parts = build_modules(sd15_unet(), projections)
        vae = AutoencoderKL.from_config(SD15_VAE)
        wav2vec = Wav2Vec2Model(Wav2Vec2Config(**WAV2VEC2_BASE))
    extractor = Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=16_000, padding_value=0.0,
                                         do_normalize=True, return_attention_mask=False)
    return HalloModules(**parts, vae=vae, wav2vec=wav2vec,
                        feature_extractor=extractor).to(torch.device(device), dtype)
