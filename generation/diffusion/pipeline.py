"""Hallo's sampling loop: windows of frames, each continuing from the last frames of the one
before, denoised with classifier-free guidance under DDIM (v-prediction, zero terminal SNR)."""

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from diffusers import DDIMScheduler

from generation.diffusion import configs
from generation.diffusion.audio_features import audio_windows, wav2vec_features
from generation.diffusion.denoising_unet import Conditions
from generation.diffusion.loading import HalloModules
from generation.diffusion.reference_unet import reference_tokens
from generation.diffusion.spatial import RegionMasks


@dataclass(frozen=True)
class FaceInputs:
    """What the face analysis gives the pipeline (see ``face_inputs``)."""

    image: torch.Tensor  # (3, H, W) in [-1, 1]: the reference portrait
    embedding: torch.Tensor  # (512,) face-identity embedding (ArcFace), zeros if none
    region: torch.Tensor  # (3, H, W) in [0, 1]: the face box, white on black
    masks: tuple[RegionMasks, ...]  # per UNet level, one row: (1, H/8/2**level squared)


@dataclass(frozen=True)
class Settings:
    window: int = configs.WINDOW_FRAMES
    motion_frames: int = configs.MOTION_FRAMES
    steps: int = configs.INFERENCE_STEPS
    guidance: float = configs.GUIDANCE_SCALE
    weights: tuple[float, float, float] = configs.REGION_WEIGHTS
    fps: int = 25


class HalloPipeline:
    """``token_rounding``: Hallo rounds the ReferenceNet's tokens to float16 (as its code does,
    whatever the run's precision); ``None`` keeps them at the run's precision."""

    def __init__(
        self, modules: HalloModules, token_rounding: torch.dtype | None = torch.float16
    ) -> None:
        self.modules = modules
        self.token_rounding = token_rounding
        self.scheduler = DDIMScheduler(**configs.SCHEDULER)
        self.vae_scale = 2 ** (len(modules.vae.config.block_out_channels) - 1)

    @property
    def device(self) -> torch.device:
        return next(self.modules.denoising_unet.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        return next(self.modules.denoising_unet.parameters()).dtype

    @torch.no_grad()
    def audio_tokens(self, samples: np.ndarray, settings: Settings) -> tuple[torch.Tensor, int]:
        """Projected audio tokens for every (padded) frame, and the true frame count."""
        m = self.modules
        features, frames = wav2vec_features(samples, m.wav2vec, m.feature_extractor,
                                            fps=settings.fps, window=settings.window)
        windows = audio_windows(features).to(self.device, self.dtype)
        return m.audioproj(windows[None])[0], frames

    @torch.no_grad()
    def stream(
        self,
        face: FaceInputs,
        samples: np.ndarray,
        settings: Settings,
        generator: torch.Generator,
    ) -> Iterator[torch.Tensor]:
        """Yields each window's frames, ``(frames, 3, H, W)`` in [0, 1], trimmed to the audio."""
        tokens, frames = self.audio_tokens(samples, settings)
        windows = tokens.shape[0] // settings.window
        previous = None
        done = 0
        for index in range(windows):
            chunk = tokens[index * settings.window : (index + 1) * settings.window]
            video = self.sample_window(face, chunk, previous, settings, generator)
            previous = video
            keep = min(settings.window, frames - done)
            done += keep
            yield video[:keep]

    @torch.no_grad()
    def sample_window(
        self,
        face: FaceInputs,
        audio: torch.Tensor,
        previous: torch.Tensor | None,
        settings: Settings,
        generator: torch.Generator,
    ) -> torch.Tensor:
        """One window of ``audio.shape[0]`` frames; ``previous`` is the last window's frames
        (``(frames, 3, H, W)``, [0, 1]) or None for the first."""
        m, device, dtype = self.modules, self.device, self.dtype
        frames = audio.shape[0]
        guided = settings.guidance > 1.0
        rows = 2 if guided else 1
        image = face.image.to(device, dtype)
        height, width = image.shape[-2:]

        # 1. Reference image and motion frames -> ReferenceNet tokens.
        if previous is None:
            motion = image[None].repeat(settings.motion_frames, 1, 1, 1)
        else:
            motion = previous[-settings.motion_frames :].to(device, dtype) * 2.0 - 1.0
        references = torch.cat([image[None], motion])
        if references.min() >= 0:  # diffusers' image processor rescales [0, 1] input
            references = references * 2.0 - 1.0
        latents_ref = m.vae.encode(references).latent_dist.mean * configs.VAE_SCALING
        context = m.imageproj(face.embedding.to(device, dtype)[None])
        if guided:
            context = torch.cat([m.imageproj(torch.zeros_like(face.embedding)[None]
                                             .to(device, dtype)), context])
        reference = reference_tokens(m.reference_unet, latents_ref.repeat(rows, 1, 1, 1),
                                     context, references.shape[0], self.token_rounding)

        # 2. Face region, region masks and audio, duplicated for the unconditional pass.
        region = face.region.to(device, dtype)[None, :, None].repeat(1, 1, frames, 1, 1)
        located = m.face_locator(region)
        audio = audio.to(device, dtype)[None]
        if guided:  # the unconditional pass hears silence and sees no face region
            audio = torch.cat([torch.zeros_like(audio), audio])
            located = torch.cat([torch.zeros_like(located), located])
        masks = tuple(
            RegionMasks(*(mask.to(device, dtype).repeat(frames * rows, 1)
                          for mask in (level.full, level.face, level.lip)))
            for level in face.masks
        )
        cond = Conditions(context=context, audio=audio,
                          face_features=located, masks=masks, reference=reference,
                          guided=guided, weights=settings.weights)

        # 3. Denoise.
        self.scheduler.set_timesteps(settings.steps, device=device)
        shape = (1, m.denoising_unet.config.in_channels, frames, height // self.vae_scale,
                 width // self.vae_scale)
        latents = torch.randn(shape, generator=generator, dtype=dtype,
                              device=generator.device).to(device)
        latents = latents * self.scheduler.init_noise_sigma
        for timestep in self.scheduler.timesteps:
            model_input = torch.cat([latents] * rows)
            model_input = self.scheduler.scale_model_input(model_input, timestep)
            prediction = m.denoising_unet(model_input, timestep, cond)
            if guided:
                unconditional, conditional = prediction.chunk(2)
                prediction = unconditional + settings.guidance * (conditional - unconditional)
            latents = self.scheduler.step(prediction, timestep, latents, eta=0.0,
                                          return_dict=False)[0]

        # 4. Decode frame by frame (the VAE is the memory peak at full size).
        latents = latents[0].transpose(0, 1) / configs.VAE_SCALING
        decoded = torch.cat([m.vae.decode(latents[i : i + 1]).sample for i in range(frames)])
        return (decoded / 2 + 0.5).clamp(0, 1).float()
