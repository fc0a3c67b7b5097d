"""The motion module: attention along time at every pixel (AnimateDiff's design, as Hallo loads it).

Key names follow AnimateDiff's ``mm_sd_v15_v2.ckpt`` and Hallo's ``net.pth``:
``temporal_transformer.{norm,proj_in,transformer_blocks.N.{attention_blocks,norms,ff,ff_norm},
proj_out}``, each attention block holding its sinusoidal table as ``pos_encoder.pe``.
"""

import math

import torch
from diffusers.models.attention import FeedForward
from diffusers.models.attention_processor import Attention
from torch import nn

MOTION_HEADS = 8  # AnimateDiff v2 and Hallo: eight heads at every width
MOTION_POSITIONS = 32  # Hallo's temporal_position_encoding_max_len


class SinusoidalPositions(nn.Module):
    """Adds a fixed sine/cosine table along the frame axis (saved in checkpoints as ``pe``)."""

    def __init__(self, dim: int, max_len: int) -> None:
        super().__init__()
        position = torch.arange(max_len).unsqueeze(1)
        frequency = torch.exp(torch.arange(0, dim, 2) * (-math.log(10000.0) / dim))
        table = torch.zeros(1, max_len, dim)
        table[0, :, 0::2] = torch.sin(position * frequency)
        table[0, :, 1::2] = torch.cos(position * frequency)
        self.register_buffer("pe", table)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[1] > self.pe.shape[1]:
            raise ValueError(f"{x.shape[1]} frames exceed the {self.pe.shape[1]} positions")
        return x + self.pe[:, : x.shape[1]]


class TemporalAttention(Attention):
    """Self-attention across frames: tokens ``(batch*frames, pixels, C)`` are regrouped so that
    each pixel attends over its own frames, with positions added first."""

    def __init__(self, dim: int, heads: int, max_len: int) -> None:
        super().__init__(query_dim=dim, heads=heads, dim_head=dim // heads)
        self.pos_encoder = SinusoidalPositions(dim, max_len)

    def forward(self, hidden_states: torch.Tensor, frames: int) -> torch.Tensor:  # type: ignore[override]
        rows, pixels, channels = hidden_states.shape
        batch = rows // frames
        x = hidden_states.reshape(batch, frames, pixels, channels).transpose(1, 2)
        x = self.pos_encoder(x.reshape(batch * pixels, frames, channels))
        x = self.processor(self, x)
        x = x.reshape(batch, pixels, frames, channels).transpose(1, 2)
        return x.reshape(rows, pixels, channels)


class TemporalTransformerBlock(nn.Module):
    def __init__(self, dim: int, heads: int, max_len: int, attentions: int = 2) -> None:
        super().__init__()
        self.attention_blocks = nn.ModuleList(
            TemporalAttention(dim, heads, max_len) for _ in range(attentions)
        )
        self.norms = nn.ModuleList(nn.LayerNorm(dim) for _ in range(attentions))
        self.ff = FeedForward(dim, activation_fn="geglu")
        self.ff_norm = nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor, frames: int) -> torch.Tensor:
        for attention, norm in zip(self.attention_blocks, self.norms, strict=True):
            x = attention(norm(x), frames) + x
        return self.ff(self.ff_norm(x)) + x


class TemporalTransformer(nn.Module):
    def __init__(self, channels: int, heads: int, max_len: int) -> None:
        super().__init__()
        self.norm = nn.GroupNorm(32, channels, eps=1e-6)
        self.proj_in = nn.Linear(channels, channels)
        self.transformer_blocks = nn.ModuleList([TemporalTransformerBlock(channels, heads, max_len)])
        self.proj_out = nn.Linear(channels, channels)

    def forward(self, x: torch.Tensor, frames: int) -> torch.Tensor:
        rows, channels, height, width = x.shape
        h = self.norm(x).permute(0, 2, 3, 1).reshape(rows, height * width, channels)
        h = self.proj_in(h)
        for block in self.transformer_blocks:
            h = block(h, frames)
        h = self.proj_out(h).reshape(rows, height, width, channels).permute(0, 3, 1, 2)
        return h + x


class MotionModule(nn.Module):
    """Input and output: frames folded into the batch, ``(batch*frames, C, H, W)``."""

    def __init__(self, channels: int, heads: int = MOTION_HEADS, max_len: int = MOTION_POSITIONS):
        super().__init__()
        self.temporal_transformer = TemporalTransformer(channels, heads, max_len)

    def forward(self, x: torch.Tensor, frames: int) -> torch.Tensor:
        return self.temporal_transformer(x, frames)
