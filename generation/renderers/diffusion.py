"""The diffusion renderer: EMO-style animation on a GPU, from weights the operator supplies."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import cv2
import numpy as np
import torch

from generation.diffusion.audio import SAMPLE_RATE
from generation.diffusion.face_mask import face_mask_from_landmarks
from generation.diffusion.loading import MissingWeightsError, find_missing_parts, load_emo_pipeline
from generation.diffusion.pipeline import EmoPipeline
from generation.renderers.base import RenderRequest, crop_portrait, frame_count_for


class DiffusionRenderer:
    """Renders with an ``EmoPipeline``, given one ready-built or the directory to load it from.

    With ``model_dir`` the directory is checked at once (MissingWeightsError names every absent
    part) and loaded on the first render, then kept. Frames are yielded window by window as they
    are generated, so a caller can report progress and cancel (stop iterating) between windows.
    """

    name = "diffusion"
    version = "1"

    def __init__(
        self,
        *,
        model_dir: str | Path | None = None,
        pipeline: EmoPipeline | None = None,
        device: str | torch.device | None = None,
        dtype: torch.dtype | None = None,
        scheduler: str = "ddim",
        window: int = 12,
        motion_frames: int = 2,
        num_inference_steps: int = 25,
        guidance_scale: float = 3.5,
    ) -> None:
        if (model_dir is None) == (pipeline is None):
            raise ValueError("give exactly one of model_dir and pipeline")
        if model_dir is not None:
            model_dir = Path(model_dir)
            missing = find_missing_parts(model_dir)
            if missing:
                raise MissingWeightsError(model_dir, missing)
        self.model_dir = model_dir
        self._pipeline = pipeline
        self._load_options = {"device": device, "dtype": dtype, "scheduler": scheduler}
        self.window = window
        self.motion_frames = motion_frames
        self.num_inference_steps = num_inference_steps
        self.guidance_scale = guidance_scale

    @property
    def pipeline(self) -> EmoPipeline:
        if self._pipeline is None:
            self._pipeline = load_emo_pipeline(self.model_dir, **self._load_options)
        return self._pipeline

    def frame_count(self, request: RenderRequest) -> int:
        return frame_count_for(request.audio, request.fps)

    def frames(self, request: RenderRequest) -> Iterator[np.ndarray]:
        if request.audio.sample_rate != SAMPLE_RATE:
            raise ValueError(f"audio must be {SAMPLE_RATE} Hz, got {request.audio.sample_rate}")
        pipeline = self.pipeline
        side = pipeline.image_size
        crop = crop_portrait(request.portrait_rgb, request.landmarks, side)
        windows = pipeline.stream(
            crop.image,
            face_mask_from_landmarks(crop.landmarks, side, side),
            request.audio.samples,
            fps=request.fps,
            num_frames=self.frame_count(request),
            window=self.window,
            motion_frames=self.motion_frames,
            num_inference_steps=self.num_inference_steps,
            guidance_scale=self.guidance_scale,
            generator=torch.Generator(device="cpu").manual_seed(request.seed),
        )
        # closing(): a caller that stops early ends the pipeline's stream (and frees its
        # per-window features) at once, not whenever the generator is collected.
        with closing(windows):
            for generated in windows:
                for frame in generated.frames:
                    yield _resized(frame, request.size)


def _resized(frame: np.ndarray, size: int) -> np.ndarray:
    if frame.shape[0] == size:
        return frame
    # Area averaging when shrinking avoids aliasing; cubic when enlarging keeps edges crisp.
    interpolation = cv2.INTER_AREA if frame.shape[0] > size else cv2.INTER_CUBIC
    return np.ascontiguousarray(cv2.resize(frame, (size, size), interpolation=interpolation))
