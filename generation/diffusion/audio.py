"""Audio conditioning: wav2vec2 features per video frame, projected to cross-attention tokens."""

import numpy as np
import torch
import torch.nn.functional as F
from diffusers.configuration_utils import ConfigMixin, register_to_config
from diffusers.models.modeling_utils import ModelMixin
from torch import nn
from transformers import Wav2Vec2FeatureExtractor, Wav2Vec2Model

SAMPLE_RATE = 16_000
# Self-attention cost grows with the square of the sequence; long recordings are encoded in
# pieces of this many features (20 s), which keeps a ten-minute clip within GPU memory.
_FEATURES_PER_CHUNK = 1_000


class AudioProjection(ModelMixin, ConfigMixin):
    """Maps each frame's window of wav2vec2 features to a few cross-attention tokens.

    Input: (frames, 2 * context_radius + 1, input_dim); output: (frames, num_tokens, output_dim).
    The window of neighbouring frames lets a frame's mouth shape anticipate the next sound.
    """

    @register_to_config
    def __init__(
        self,
        input_dim: int = 13 * 768,
        context_radius: int = 2,
        hidden_dim: int = 1024,
        num_tokens: int = 32,
        output_dim: int = 768,
    ) -> None:
        super().__init__()
        window = 2 * context_radius + 1
        self.net = nn.Sequential(
            nn.Linear(window * input_dim, hidden_dim),
            nn.SiLU(),
            nn.Linear(hidden_dim, hidden_dim),
            nn.SiLU(),
            nn.Linear(hidden_dim, num_tokens * output_dim),
        )
        self.norm = nn.LayerNorm(output_dim)

    def forward(self, windows: torch.Tensor) -> torch.Tensor:
        tokens = self.net(windows.flatten(1))
        return self.norm(tokens.view(len(windows), self.config.num_tokens, self.config.output_dim))


def wav2vec2_features(
    encoder: Wav2Vec2Model,
    feature_extractor: Wav2Vec2FeatureExtractor,
    audio_16k: np.ndarray,
) -> torch.Tensor:
    """(features, (layers + 1) * hidden): every layer's hidden state at 50 features a second.

    EMO and its peers concatenate all layers because the lower ones keep the phonetic detail
    that lip shapes need and the upper ones the context.
    """
    field, stride = _receptive_field(encoder.config.conv_kernel, encoder.config.conv_stride)
    samples = np.asarray(audio_16k, dtype=np.float32)
    if len(samples) < field:
        samples = np.pad(samples, (0, field - len(samples)))
    # Normalising the whole clip once keeps the chunks on one loudness scale.
    values = feature_extractor(samples, sampling_rate=SAMPLE_RATE, return_tensors="pt").input_values
    values = values.to(device=encoder.device, dtype=encoder.dtype)

    chunk = _FEATURES_PER_CHUNK * stride
    # Each piece overlaps the next by (receptive field - stride) samples, so the pieces give
    # the same number of features, at the same times, as one pass over the whole clip.
    pieces = []
    for start in range(0, values.shape[1] - field + 1, chunk):
        piece = values[:, start : start + chunk + field - stride]
        hidden_states = encoder(piece, output_hidden_states=True).hidden_states
        pieces.append(torch.cat(hidden_states, dim=-1)[0])
    return torch.cat(pieces)


def _receptive_field(kernels: tuple[int, ...], strides: tuple[int, ...]) -> tuple[int, int]:
    """(samples one feature sees, samples between features) of the convolutional front end;
    400 and 320 for every published wav2vec2."""
    field, stride = 1, 1
    for kernel, step in zip(kernels, strides, strict=True):
        field += (kernel - 1) * stride
        stride *= step
    return field, stride


def features_per_frame(features: torch.Tensor, num_frames: int) -> torch.Tensor:
    """Resample (features, dim) at 50 Hz to (num_frames, dim) at the video frame rate."""
    resampled = F.interpolate(
        features.T.unsqueeze(0).float(), size=num_frames, mode="linear", align_corners=False
    )
    return resampled[0].T.to(features.dtype)


def neighbour_windows(per_frame: torch.Tensor, radius: int) -> torch.Tensor:
    """(frames, 2 * radius + 1, dim): each frame with its neighbours, edges repeated."""
    frames = torch.arange(len(per_frame), device=per_frame.device)
    offsets = torch.arange(-radius, radius + 1, device=per_frame.device)
    indices = (frames[:, None] + offsets[None, :]).clamp(0, len(per_frame) - 1)
    return per_frame[indices]
