"""EMO-style audio-driven portrait animation assembled from diffusers and transformers parts."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from diffusers import AutoencoderKL, DiffusionPipeline, UNet2DConditionModel, UNetMotionModel
from diffusers.schedulers.scheduling_utils import SchedulerMixin
from diffusers.utils import BaseOutput
from diffusers.utils.torch_utils import randn_tensor
from transformers import Wav2Vec2FeatureExtractor, Wav2Vec2Model

from generation.diffusion.audio import (
    SAMPLE_RATE,
    AudioProjection,
    features_per_frame,
    neighbour_windows,
    wav2vec2_features,
)
from generation.diffusion.face_locator import FaceLocator
from generation.diffusion.motion_frames import install_motion_frames
from generation.diffusion.reference_attention import install_reference_attention
from generation.diffusion.reference_bank import ReferenceBank
from generation.diffusion.schedulers import build_scheduler
from generation.diffusion.windows import plan_windows

# VAE decoding at full size is the memory peak on a GPU; this many frames go through at once.
_DECODE_CHUNK = 8


@dataclass(frozen=True)
class DenoiseProgress:
    """Reported after every denoising step."""

    window_index: int
    window_count: int
    step_index: int
    step_count: int

    @property
    def fraction(self) -> float:
        done = self.window_index * self.step_count + self.step_index + 1
        return done / (self.window_count * self.step_count)


@dataclass(frozen=True)
class GeneratedWindow:
    """One window of finished frames: ``frames`` is (n, H, W, 3) uint8 RGB."""

    index: int
    frame_start: int
    frames: np.ndarray


@dataclass
class EmoPipelineOutput(BaseOutput):
    """``frames``: (num_frames, H, W, 3) uint8 RGB."""

    frames: np.ndarray


class EmoPipeline(DiffusionPipeline):
    """Animates one portrait to speak an audio clip, window by window.

    Parts: ``vae`` (image <-> latent), ``reference_unet`` (encodes the portrait and the motion
    frames), ``denoising_unet`` (the backbone, with temporal layers), ``audio_encoder`` and
    ``audio_feature_extractor`` (wav2vec2), ``audio_projection`` (wav2vec2 features -> the
    backbone's cross-attention tokens), ``face_locator`` (face mask -> latent offset) and
    ``scheduler``. The reference network and the backbone are wired together here, so a part
    instance belongs to one pipeline.
    """

    model_cpu_offload_seq = (
        "audio_encoder->audio_projection->face_locator->reference_unet->denoising_unet->vae"
    )

    def __init__(
        self,
        vae: AutoencoderKL,
        reference_unet: UNet2DConditionModel,
        denoising_unet: UNetMotionModel,
        audio_encoder: Wav2Vec2Model,
        audio_feature_extractor: Wav2Vec2FeatureExtractor,
        audio_projection: AudioProjection,
        face_locator: FaceLocator,
        scheduler: SchedulerMixin,
    ) -> None:
        super().__init__()
        self.register_modules(
            vae=vae,
            reference_unet=reference_unet,
            denoising_unet=denoising_unet,
            audio_encoder=audio_encoder,
            audio_feature_extractor=audio_feature_extractor,
            audio_projection=audio_projection,
            face_locator=face_locator,
            scheduler=scheduler,
        )
        self.vae_scale_factor = 2 ** (len(vae.config.block_out_channels) - 1)
        self._check_parts_fit()
        for part in (
            vae,
            reference_unet,
            denoising_unet,
            audio_encoder,
            audio_projection,
            face_locator,
        ):
            part.eval()  # inference only: wav2vec2's dropout would otherwise break determinism
        self.reference_bank = ReferenceBank()
        install_reference_attention(reference_unet, denoising_unet, self.reference_bank)
        install_motion_frames(reference_unet, denoising_unet, self.reference_bank)

    def _check_parts_fit(self) -> None:
        encoder = self.audio_encoder.config
        audio_dim = (encoder.num_hidden_layers + 1) * encoder.hidden_size
        problems = []
        if self.audio_projection.config.input_dim != audio_dim:
            problems.append(
                f"audio_projection takes {self.audio_projection.config.input_dim} features, "
                f"audio_encoder gives {audio_dim}"
            )
        for unet in ("reference_unet", "denoising_unet"):
            if (
                getattr(self, unet).config.cross_attention_dim
                != self.audio_projection.config.output_dim
            ):
                problems.append(
                    f"{unet}'s cross_attention_dim differs from audio_projection's output_dim"
                )
        if self.face_locator.downscale_factor != self.vae_scale_factor:
            problems.append("face_locator does not downsample by the VAE's scale factor")
        if self.face_locator.config.latent_channels != self.vae.config.latent_channels:
            problems.append("face_locator's latent_channels differ from the VAE's")
        if problems:
            raise ValueError("EmoPipeline parts do not fit together: " + "; ".join(problems))

    @property
    def image_size(self) -> int:
        """Side of the square frames the backbone generates, in pixels."""
        return self.denoising_unet.config.sample_size * self.vae_scale_factor

    @property
    def max_window_frames(self) -> int:
        """Most frames (window plus motion frames) the temporal layers' position table covers."""
        return self.denoising_unet.config.motion_max_seq_length

    def use_scheduler(self, name: str) -> None:
        """Switch sampler ("ddim", "dpm++" or "euler") keeping the trained noise schedule."""
        self.register_modules(scheduler=build_scheduler(name, self.scheduler.config))

    @torch.no_grad()
    def __call__(
        self,
        portrait: np.ndarray,
        face_mask: np.ndarray,
        audio_16k: np.ndarray,
        fps: float,
        num_frames: int | None = None,
        window: int = 12,
        motion_frames: int = 2,
        num_inference_steps: int = 25,
        guidance_scale: float = 3.5,
        generator: torch.Generator | None = None,
        callback: Callable[[DenoiseProgress], None] | None = None,
    ) -> EmoPipelineOutput:
        """Generate the whole clip; ``stream`` yields the same frames window by window."""
        windows = self.stream(
            portrait,
            face_mask,
            audio_16k,
            fps,
            num_frames=num_frames,
            window=window,
            motion_frames=motion_frames,
            num_inference_steps=num_inference_steps,
            guidance_scale=guidance_scale,
            generator=generator,
            callback=callback,
        )
        return EmoPipelineOutput(frames=np.concatenate([w.frames for w in windows]))

    @torch.no_grad()
    def stream(
        self,
        portrait: np.ndarray,
        face_mask: np.ndarray,
        audio_16k: np.ndarray,
        fps: float,
        num_frames: int | None = None,
        window: int = 12,
        motion_frames: int = 2,
        num_inference_steps: int = 25,
        guidance_scale: float = 3.5,
        generator: torch.Generator | None = None,
        callback: Callable[[DenoiseProgress], None] | None = None,
    ) -> Iterator[GeneratedWindow]:
        """Yield the clip window by window; stop iterating to cancel between windows.

        Not thread-safe: the reference features of the window in progress live on the
        pipeline. Interleaving several streams in one thread is fine, since each window is
        finished within one step of its iterator.

        ``portrait`` is a square (H, W, 3) uint8 RGB image, ``face_mask`` an (H, W) array in
        [0, 1] marking where motion may happen, ``audio_16k`` mono float samples at 16 kHz.
        ``num_frames`` defaults to the audio's length at ``fps``. ``guidance_scale`` <= 1 runs
        the conditional branch only.
        """
        # 1. Check inputs.
        num_frames = self.check_inputs(
            portrait,
            face_mask,
            audio_16k,
            fps,
            num_frames,
            window,
            motion_frames,
            num_inference_steps,
        )

        try:
            # 2. Encode the portrait into the latent space and the face mask into a latent offset.
            portrait_latent = self.encode_portrait(portrait)
            face_offset = self.encode_face_mask(face_mask)

            # 3. Encode the audio into cross-attention tokens, one set per video frame.
            audio_tokens = self.encode_audio(audio_16k, fps, num_frames)

            # 4. Plan the windows. Before anything is generated, the portrait stands in for
            #    the previous frames, as in EMO.
            windows = plan_windows(num_frames, window)
            recent = portrait_latent.expand(motion_frames, -1, -1, -1)

            # 5. Denoise each window, carrying its last frames into the next, and decode it.
            for index, frames in enumerate(windows):
                latents = self.denoise_window(
                    portrait_latent=portrait_latent,
                    motion_latents=recent,
                    face_offset=face_offset,
                    audio_tokens=audio_tokens[frames.start : frames.stop],
                    num_inference_steps=num_inference_steps,
                    guidance_scale=guidance_scale,
                    generator=generator,
                    report=self._reporter(callback, index, len(windows), num_inference_steps),
                )
                clip = latents[0].transpose(0, 1)  # (frames, channels, h, w)
                # The last motion_frames of all frames so far: a window shorter than that
                # keeps some of the older ones.
                recent = torch.cat([recent, clip])[len(recent) + len(clip) - motion_frames :]
                yield GeneratedWindow(
                    index=index, frame_start=frames.start, frames=self.decode_latents(clip)
                )
        finally:
            # 6. Free the per-window features and any offloading hooks.
            self.reference_bank.clear()
            self.maybe_free_model_hooks()

    def check_inputs(
        self,
        portrait: np.ndarray,
        face_mask: np.ndarray,
        audio_16k: np.ndarray,
        fps: float,
        num_frames: int | None,
        window: int,
        motion_frames: int,
        num_inference_steps: int,
    ) -> int:
        """Validate the arguments; returns the number of frames to generate."""
        if portrait.dtype != np.uint8 or portrait.ndim != 3 or portrait.shape[2] != 3:
            raise ValueError(
                f"portrait must be (H, W, 3) uint8, got {portrait.shape} {portrait.dtype}"
            )
        if portrait.shape[0] != portrait.shape[1]:
            raise ValueError(
                f"portrait must be square, got {portrait.shape[1]}x{portrait.shape[0]}"
            )
        if face_mask.shape != portrait.shape[:2]:
            raise ValueError(f"face_mask must be {portrait.shape[:2]}, got {face_mask.shape}")
        if np.asarray(audio_16k).ndim != 1:
            raise ValueError("audio_16k must be one channel of samples")
        if fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        if num_frames is None:
            num_frames = round(len(audio_16k) / SAMPLE_RATE * fps)
        if num_frames < 1:
            raise ValueError("the audio is too short for a single frame")
        if window < 1 or motion_frames < 0 or num_inference_steps < 1:
            raise ValueError("window and num_inference_steps must be >= 1, motion_frames >= 0")
        if window + motion_frames > self.max_window_frames:
            raise ValueError(
                f"window + motion_frames = {window + motion_frames} exceeds the temporal layers' "
                f"{self.max_window_frames} positions"
            )
        return num_frames

    def encode_portrait(self, portrait: np.ndarray) -> torch.Tensor:
        """(1, latent_channels, h, w) latent of the portrait resized to ``image_size``."""
        pixels = torch.from_numpy(portrait).permute(2, 0, 1)[None].float() / 127.5 - 1.0
        pixels = F.interpolate(pixels, size=self.image_size, mode="bilinear", antialias=True)
        pixels = pixels.clamp(-1, 1).to(device=self._execution_device, dtype=self.vae.dtype)
        latent = self.vae.encode(pixels).latent_dist.mode()
        shift = self.vae.config.shift_factor or 0.0
        return (latent - shift) * self.vae.config.scaling_factor

    def encode_face_mask(self, face_mask: np.ndarray) -> torch.Tensor:
        """(1, latent_channels, h, w) offset that the face locator derives from the mask."""
        mask = torch.from_numpy(np.asarray(face_mask, dtype=np.float32))[None, None]
        mask = F.interpolate(mask, size=self.image_size, mode="nearest")
        return self.face_locator(
            mask.to(device=self._execution_device, dtype=self.face_locator.dtype)
        )

    def encode_audio(self, audio_16k: np.ndarray, fps: float, num_frames: int) -> torch.Tensor:
        """(num_frames, num_tokens, cross_attention_dim) audio tokens for each video frame."""
        features = wav2vec2_features(self.audio_encoder, self.audio_feature_extractor, audio_16k)
        per_frame = features_per_frame(features, num_frames)
        windows = neighbour_windows(per_frame, self.audio_projection.config.context_radius)
        return self.audio_projection(windows.to(self.audio_projection.dtype))

    def collect_reference(
        self, portrait_latent: torch.Tensor, motion_latents: torch.Tensor
    ) -> None:
        """Run the reference network once to fill the bank for the next window.

        The portrait row feeds reference attention; the motion-frame rows feed the temporal
        layers. It runs at timestep 0 with an empty context: it sees clean latents, not noise.
        """
        self.reference_bank.clear()
        rows = torch.cat([portrait_latent, motion_latents.to(portrait_latent.dtype)])
        context = torch.zeros(
            len(rows),
            1,
            self.reference_unet.config.cross_attention_dim,
            device=rows.device,
            dtype=self.reference_unet.dtype,
        )
        self.reference_bank.recording = True
        try:
            self.reference_unet(
                rows.to(self.reference_unet.dtype), 0, encoder_hidden_states=context
            )
        finally:
            self.reference_bank.recording = False

    def denoise_window(
        self,
        *,
        portrait_latent: torch.Tensor,
        motion_latents: torch.Tensor,
        face_offset: torch.Tensor,
        audio_tokens: torch.Tensor,
        num_inference_steps: int,
        guidance_scale: float,
        generator: torch.Generator | None,
        report: Callable[[int], None],
    ) -> torch.Tensor:
        """Denoised latents (1, channels, frames, h, w) for one window of audio tokens."""
        do_guidance = guidance_scale > 1.0
        device, dtype = self._execution_device, self.denoising_unet.dtype

        # a. Reference features of the portrait and of the motion frames.
        self.collect_reference(portrait_latent, motion_latents)

        # b. Conditions; the unconditional branch hears silence and does not see the portrait.
        context = audio_tokens.to(dtype)
        if do_guidance:
            context = torch.cat([torch.zeros_like(context), context])
            self.reference_bank.reference_rows = torch.tensor([False, True], device=device)

        # c. Start from noise.
        self.scheduler.set_timesteps(num_inference_steps, device=device)
        channels, size = self.vae.config.latent_channels, self.denoising_unet.config.sample_size
        shape = (1, channels, len(audio_tokens), size, size)
        latents = randn_tensor(shape, generator=generator, device=device, dtype=dtype)
        latents = latents * self.scheduler.init_noise_sigma
        face = face_offset.to(dtype)[:, :, None]  # the same face region in every frame

        # d. Denoise.
        for step, timestep in enumerate(self.scheduler.timesteps):
            model_input = torch.cat([latents] * 2) if do_guidance else latents
            model_input = self.scheduler.scale_model_input(model_input, timestep) + face
            noise = self.denoising_unet(model_input, timestep, encoder_hidden_states=context).sample
            if do_guidance:
                unconditional, conditional = noise.chunk(2)
                noise = unconditional + guidance_scale * (conditional - unconditional)
            latents = self.scheduler.step(noise, timestep, latents, generator=generator).prev_sample
            report(step)
        return latents

    def decode_latents(self, latents: torch.Tensor) -> np.ndarray:
        """(frames, H, W, 3) uint8 RGB from (frames, channels, h, w) latents."""
        shift = self.vae.config.shift_factor or 0.0
        frames = []
        for chunk in latents.split(_DECODE_CHUNK):
            chunk = chunk.to(self.vae.dtype) / self.vae.config.scaling_factor + shift
            pixels = self.vae.decode(chunk).sample
            pixels = ((pixels.float() + 1.0) * 127.5).round().clamp(0, 255)
            frames.append(pixels.to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy())
        return np.concatenate(frames)

    @staticmethod
    def _reporter(
        callback: Callable[[DenoiseProgress], None] | None, window: int, windows: int, steps: int
    ) -> Callable[[int], None]:
        def report(step: int) -> None:
            if callback is not None:
                callback(DenoiseProgress(window, windows, step, steps))

        return report
