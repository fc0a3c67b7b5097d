"""The Hallo renderer: EMO-class diffusion animation on a GPU worker, from the weights of
Hallo's ``pretrained_models/`` folder that the operator supplies (never downloaded)."""

from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import torch

from generation.diffusion import layout
from generation.diffusion.audio_features import SAMPLE_RATE
from generation.diffusion.face_embedding import FaceEmbedder
from generation.diffusion.face_inputs import region_masks
from generation.diffusion.loading import HalloModules, load_hallo
from generation.diffusion.pipeline import FaceInputs, HalloPipeline, Settings
from generation.renderers.base import RenderRequest, crop_portrait, frame_count_for

# (portrait crop RGB, its 68 landmarks or None) -> the 512-d identity embedding
FaceEmbedding = Callable[[np.ndarray, np.ndarray | None], np.ndarray]


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class HalloRenderer:
    """Hallo's pipeline over modules already built (on their device and dtype) and a face
    embedding function; ``from_model_dir`` builds both from Hallo's ``pretrained_models``.

    Frames come window by window (16 frames by default), so a caller reports progress and
    cancels (stops iterating) between windows. ``image_size`` is the model's working size
    (512 for Hallo's weights); frames are resized to the request's size.
    """

    name = "hallo"
    version = "1"

    def __init__(
        self,
        modules: HalloModules,
        embed: FaceEmbedding,
        *,
        image_size: int = 512,
        steps: int = 40,
        guidance: float = 3.5,
        window: int = 16,
        motion_frames: int = 2,
    ) -> None:
        self.pipeline = HalloPipeline(modules)
        self.device, self.dtype = self.pipeline.device, self.pipeline.dtype
        self.embed = embed
        self.image_size = image_size
        self.settings = Settings(window=window, motion_frames=motion_frames, steps=steps,
                                 guidance=guidance)

    @classmethod
    def from_model_dir(
        cls,
        model_dir: str | Path,
        *,
        device: str | torch.device | None = None,
        dtype: torch.dtype | None = None,
        **settings,
    ) -> "HalloRenderer":
        """Checks the model directory at once (MissingWeightsError names every absent file)
        and loads it strictly (IncompatibleWeightsError for a file that does not fit), so a
        worker learns of a bad directory when it builds the renderer, before any job renders."""
        model_dir = Path(model_dir)
        layout.check_model_dir(model_dir)
        device = torch.device(device) if device is not None else default_device()
        dtype = dtype or (torch.float16 if device.type == "cuda" else torch.float32)
        modules = load_hallo(model_dir, device=device, dtype=dtype)
        embedder = FaceEmbedder(layout.FACE_RECOGNITION.find(model_dir))
        return cls(modules, embedder.embed, **settings)

    def frame_count(self, request: RenderRequest) -> int:
        return frame_count_for(request.audio, request.fps)

    def face_inputs(self, request: RenderRequest) -> FaceInputs:
        crop = crop_portrait(request.portrait_rgb, request.landmarks, self.image_size)
        region, masks = region_masks(crop.landmarks, self.image_size)
        image = torch.from_numpy(crop.image).permute(2, 0, 1).float() / 127.5 - 1.0
        embedding = torch.from_numpy(self.embed(crop.image, crop.landmarks))
        return FaceInputs(image, embedding, torch.from_numpy(region), masks)

    def frames(self, request: RenderRequest) -> Iterator[np.ndarray]:
        if request.audio.sample_rate != SAMPLE_RATE:
            raise ValueError(f"audio must be {SAMPLE_RATE} Hz, got {request.audio.sample_rate}")
        total = self.frame_count(request)
        settings = replace(self.settings, fps=request.fps)
        windows = self.pipeline.stream(
            self.face_inputs(request), request.audio.samples, settings,
            torch.Generator(device="cpu").manual_seed(request.seed),
        )
        done, last = 0, None
        with closing(windows):  # stopping early ends the pipeline's loop at once
            for window in windows:
                for frame in window:
                    if done == total:
                        return
                    last = _to_rgb(frame, request.size)
                    done += 1
                    yield last
        while done < total:  # Hallo counts frames by ceil(); the request by round()
            done += 1
            yield last


def _to_rgb(frame: torch.Tensor, size: int) -> np.ndarray:
    image = (frame.permute(1, 2, 0).cpu().numpy() * 255.0 + 0.5).clip(0, 255).astype(np.uint8)
    if image.shape[0] != size:
        interpolation = cv2.INTER_AREA if image.shape[0] > size else cv2.INTER_CUBIC
        image = cv2.resize(image, (size, size), interpolation=interpolation)
    return np.ascontiguousarray(image)
