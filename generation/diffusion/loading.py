"""Loading Hallo's published weights into Signet's modules, strictly.

Every file is read locally (``local_files_only``, offline hub), PyTorch files with
``weights_only=True`` so a tampered file cannot run code. Every key of ``net.pth`` must fit a
parameter and every parameter must get one; the motion module file must fit the motion modules.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch
from diffusers import AutoencoderKL, UNet2DConditionModel
from torch import nn
from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor, Wav2Vec2Model

from generation.diffusion import layout
from generation.diffusion.configs import ProjectionConfig, UNetConfig
from generation.diffusion.denoising_unet import DenoisingUNet
from generation.diffusion.layout import IncompatibleWeightsError
from generation.diffusion.projections import AudioProjection, FaceLocator, ImageProjection

NET_PARTS = ("reference_unet", "denoising_unet", "face_locator", "imageproj", "audioproj")


@dataclass
class HalloModules:
    reference_unet: UNet2DConditionModel
    denoising_unet: DenoisingUNet
    face_locator: FaceLocator
    imageproj: ImageProjection
    audioproj: AudioProjection
    vae: AutoencoderKL
    wav2vec: Wav2Vec2Model
    feature_extractor: Wav2Vec2FeatureExtractor

    def to(self, device: torch.device, dtype: torch.dtype) -> "HalloModules":
        for name in ("reference_unet", "denoising_unet", "face_locator", "imageproj",
                     "audioproj", "vae", "wav2vec"):
            module = getattr(self, name)
            if next(module.parameters()).dtype != dtype:  # diffusers warns on any dtype move
                module.to(dtype=dtype)
            module.to(device=device).eval().requires_grad_(False)
        return self


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


def read_state(path: Path) -> dict[str, torch.Tensor]:
    """A state dict of tensors from a .pth/.ckpt file, refusing anything that is not plain data."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # UnpicklingError, RuntimeError, ... for bad or hostile files
        raise IncompatibleWeightsError(f"{path} is not a plain weights file: {error}") from error
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not state or not all(
        isinstance(v, torch.Tensor) for v in state.values()
    ):
        raise IncompatibleWeightsError(f"{path} does not hold a state dict of tensors")
    return state


def load_strict(module: nn.Module, state: dict[str, torch.Tensor], source: Path, part: str,
                *, complete: bool = True) -> None:
    """Copy ``state`` into ``module``: every key must exist with its shape, and with
    ``complete`` every parameter and buffer of the module must be given."""
    own = module.state_dict()
    unexpected = [k for k in state if k not in own]
    wrong = [f"{k} {tuple(state[k].shape)} != {tuple(own[k].shape)}"
             for k in state if k in own and state[k].shape != own[k].shape]
    missing = [k for k in own if k not in state] if complete else []
    if unexpected or wrong or missing:
        details = []
        for label, keys in (("unknown keys", unexpected), ("wrong shapes", wrong),
                            ("missing keys", missing)):
            if keys:
                details.append(f"{len(keys)} {label}, e.g. {', '.join(keys[:3])}")
        raise IncompatibleWeightsError(f"{source} does not fit {part}: {'; '.join(details)}")
    module.load_state_dict(state, strict=complete)


def split_net(state: dict[str, torch.Tensor], source: Path) -> dict[str, dict[str, torch.Tensor]]:
    parts: dict[str, dict[str, torch.Tensor]] = {name: {} for name in NET_PARTS}
    for key, value in state.items():
        head, _, rest = key.partition(".")
        if head not in parts:
            raise IncompatibleWeightsError(f"{source}: unknown part in key {key!r}")
        parts[head][rest] = value
    empty = [name for name, part in parts.items() if not part]
    if empty:
        raise IncompatibleWeightsError(f"{source} holds no weights for {', '.join(empty)}")
    return parts


def reference_unet(config: UNetConfig) -> UNet2DConditionModel:
    """SD 1.5's UNet without its output layers: Hallo's ReferenceNet has none (only the tokens
    its attention layers see are used), so neither do its weights."""
    unet = UNet2DConditionModel.from_config(config.diffusers_config())
    unet.conv_norm_out = nn.Identity()
    unet.conv_out = nn.Identity()
    return unet


def build_modules(unet: UNetConfig, projections: ProjectionConfig) -> dict[str, nn.Module]:
    """The five parts ``net.pth`` holds, unloaded (call under ``torch.device('meta')`` to size)."""
    return {
        "reference_unet": reference_unet(unet),
        "denoising_unet": DenoisingUNet(unet, projections.audio_dim),
        "face_locator": FaceLocator(projections, unet.block_out_channels[0]),
        "imageproj": ImageProjection(projections, unet.cross_attention_dim),
        "audioproj": AudioProjection(projections),
    }


def load_hallo(model_dir: Path, *, device: str | torch.device = "cpu",
               dtype: torch.dtype = torch.float32) -> HalloModules:
    """Hallo's parts from its ``pretrained_models`` folder. Raises MissingWeightsError naming
    every absent file before reading any, and IncompatibleWeightsError for a file that does not
    fit (unknown, missing or mis-shaped keys)."""
    root = Path(model_dir)
    layout.check_model_dir(root, layout.DIFFUSION_FILES)
    found = {r: r.find(root) for r in layout.DIFFUSION_FILES}
    with offline_hub():
        wav_dir = found[layout.WAV2VEC_CONFIG].parent
        wav_config = Wav2Vec2Config.from_pretrained(wav_dir, local_files_only=True)
        wav2vec = Wav2Vec2Model.from_pretrained(wav_dir, local_files_only=True)
        extractor = Wav2Vec2FeatureExtractor.from_pretrained(wav_dir, local_files_only=True)
        vae = AutoencoderKL.from_pretrained(found[layout.VAE_CONFIG].parent, local_files_only=True,
                                            low_cpu_mem_usage=False)  # accelerate: not needed
    net_path = found[layout.NET]
    parts = split_net(read_state(net_path), net_path)
    try:
        projections = ProjectionConfig.from_state(
            {f"{p}.{k}": v for p in ("audioproj", "imageproj", "face_locator")
             for k, v in parts[p].items()},
            wav_config.num_hidden_layers, wav_config.hidden_size,
        )
        unet_config = UNetConfig.from_json(found[layout.UNET_CONFIG])
    except (KeyError, ValueError) as error:
        raise IncompatibleWeightsError(f"{net_path}: {error}") from error
    modules = build_modules(unet_config, projections)
    motion_path = found[layout.MOTION_MODULE]
    motion = read_state(motion_path)
    if not all(".motion_modules." in key for key in motion):
        raise IncompatibleWeightsError(f"{motion_path} holds more than motion modules")
    load_strict(modules["denoising_unet"], motion, motion_path, "the motion modules",
                complete=False)
    for name, module in modules.items():
        load_strict(module, parts[name], net_path, name)
    return HalloModules(**modules, vae=vae, wav2vec=wav2vec,
                        feature_extractor=extractor).to(torch.device(device), dtype)
