"""Audio -> per-frame wav2vec2 features, the way Hallo's AudioProcessor computes them.

The convolutional features are resampled to the video frame count before the transformer, and
the hidden states of every transformer layer are kept (12 for wav2vec2-base).
"""

import math

import numpy as np
import torch
import torch.nn.functional as F
from transformers import Wav2Vec2FeatureExtractor, Wav2Vec2Model

from generation.diffusion.configs import AUDIO_CONTEXT

SAMPLE_RATE = 16_000


@torch.no_grad()
def wav2vec_features(
    samples: np.ndarray,
    model: Wav2Vec2Model,
    extractor: Wav2Vec2FeatureExtractor,
    *,
    fps: int,
    window: int,
) -> tuple[torch.Tensor, int]:
    """``(frames_padded, layers, width)`` features and the true frame count. The audio is
    padded with silence to whole windows, as Hallo pads it."""
    values = np.squeeze(extractor(samples, sampling_rate=SAMPLE_RATE).input_values)
    frames = math.ceil(len(values) / SAMPLE_RATE * fps)
    padded = frames
    values = torch.from_numpy(np.asarray(values, dtype=np.float32))
    if window > 0 and frames % window:
        extra = window - frames % window
        values = F.pad(values, (0, extra * (SAMPLE_RATE // fps)))
        padded += extra
    parameter = next(model.parameters())
    values = values[None].to(parameter.device, parameter.dtype)
    conv = model.feature_extractor(values).transpose(1, 2)
    conv = F.interpolate(conv.transpose(1, 2), size=padded, mode="linear", align_corners=True)
    hidden, _ = model.feature_projection(conv.transpose(1, 2))
    outputs: list[torch.Tensor] = []
    hooks = [
        layer.register_forward_hook(
            lambda _m, _a, out: outputs.append(out[0] if isinstance(out, tuple) else out)
        )
        for layer in model.encoder.layers
    ]
    try:
        model.encoder(hidden)
    finally:
        for hook in hooks:
            hook.remove()
    layers = torch.stack(outputs, dim=1)[0]  # every layer's output: (layers, frames, width)
    return layers.transpose(0, 1), frames


def audio_windows(features: torch.Tensor) -> torch.Tensor:
    """Each frame's features with its two neighbours either side (clamped at the ends):
    ``(frames, layers, width)`` -> ``(frames, 5, layers, width)``."""
    frames = features.shape[0]
    reach = AUDIO_CONTEXT // 2
    index = torch.arange(frames)[:, None] + torch.arange(-reach, reach + 1)[None]
    return features[index.clamp(0, frames - 1)]
