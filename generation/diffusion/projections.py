"""Hallo's small trained parts: audio and image projections and the face locator."""

import torch
import torch.nn.functional as F
from torch import nn

from generation.diffusion.configs import AUDIO_CONTEXT, ProjectionConfig


class AudioProjection(nn.Module):
    """wav2vec2 features of five neighbouring frames x all layers -> audio tokens per frame.
    Keys ``proj1 proj2 proj3 norm`` (``audioproj.*`` in net.pth)."""

    def __init__(self, config: ProjectionConfig) -> None:
        super().__init__()
        flat = AUDIO_CONTEXT * config.audio_layers * config.audio_width
        self.tokens, self.dim = config.audio_tokens, config.audio_dim
        self.proj1 = nn.Linear(flat, config.audio_hidden)
        self.proj2 = nn.Linear(config.audio_hidden, config.audio_hidden)
        self.proj3 = nn.Linear(config.audio_hidden, config.audio_tokens * config.audio_dim)
        self.norm = nn.LayerNorm(config.audio_dim)

    def forward(self, windows: torch.Tensor) -> torch.Tensor:
        """``(batch, frames, 5, layers, width)`` -> ``(batch, frames, tokens, dim)``."""
        batch, frames = windows.shape[:2]
        x = windows.reshape(batch * frames, -1)
        x = torch.relu(self.proj2(torch.relu(self.proj1(x))))
        x = self.norm(self.proj3(x).reshape(batch * frames, self.tokens, self.dim))
        return x.reshape(batch, frames, self.tokens, self.dim)


class ImageProjection(nn.Module):
    """A face-identity embedding (ArcFace, 512) -> identity tokens for cross-attention."""

    def __init__(self, config: ProjectionConfig, cross_dim: int) -> None:
        super().__init__()
        self.tokens, self.dim = config.image_tokens, cross_dim
        self.proj = nn.Linear(config.face_embedding, config.image_tokens * cross_dim)
        self.norm = nn.LayerNorm(cross_dim)

    def forward(self, embedding: torch.Tensor) -> torch.Tensor:
        return self.norm(self.proj(embedding).reshape(-1, self.tokens, self.dim))


class FaceLocator(nn.Module):
    """The face-region image -> features added to the UNet's first layer, per frame."""

    def __init__(self, config: ProjectionConfig, out_channels: int) -> None:
        super().__init__()
        widths = config.face_locator_channels
        self.conv_in = nn.Conv2d(3, widths[0], 3, padding=1)
        blocks = []
        for width, following in zip(widths[:-1], widths[1:], strict=True):
            blocks.append(nn.Conv2d(width, width, 3, padding=1))
            blocks.append(nn.Conv2d(width, following, 3, padding=1, stride=2))
        self.blocks = nn.ModuleList(blocks)
        self.conv_out = nn.Conv2d(widths[-1], out_channels, 3, padding=1)

    def forward(self, region: torch.Tensor) -> torch.Tensor:
        """``(batch, 3, frames, H, W)`` -> ``(batch, C0, frames, H/8, W/8)``."""
        batch, channels, frames, height, width = region.shape
        h = region.transpose(1, 2).reshape(batch * frames, channels, height, width)
        h = F.silu(self.conv_in(h))
        for block in self.blocks:
            h = F.silu(block(h))
        h = self.conv_out(h)
        return h.reshape(batch, frames, *h.shape[1:]).transpose(1, 2)
