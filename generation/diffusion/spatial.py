"""Per-frame transformers of the denoising UNet: image attention with the reference features,
and Hallo's audio attention split into full-image, face and lip regions.

Both take frames folded into the batch: ``(batch*frames, C, H, W)``.
"""

from dataclasses import dataclass

import torch
from diffusers.models.attention import FeedForward
from diffusers.models.attention_processor import Attention
from torch import nn


@dataclass(frozen=True)
class RegionMasks:
    """Hallo's three soft masks at one UNet level, one row per (batch*frame), ``(rows, H*W)``."""

    full: torch.Tensor
    face: torch.Tensor
    lip: torch.Tensor


class ReferenceBlock(nn.Module):
    """Self-attention over the frame's tokens joined with the reference image's tokens at the same
    block of the ReferenceNet, then cross-attention to the face-identity tokens, then a
    feed-forward layer. Key names as in SD 1.5 (``norm1 attn1 norm2 attn2 norm3 ff``)."""

    def __init__(self, dim: int, heads: int, context_dim: int) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn1 = Attention(query_dim=dim, heads=heads, dim_head=dim // heads)
        self.norm2 = nn.LayerNorm(dim)
        self.attn2 = Attention(
            query_dim=dim, cross_attention_dim=context_dim, heads=heads, dim_head=dim // heads
        )
        self.norm3 = nn.LayerNorm(dim)
        self.ff = FeedForward(dim, activation_fn="geglu")

    def forward(
        self,
        x: torch.Tensor,
        context: torch.Tensor,
        reference: torch.Tensor | None,
        frames: int,
        guided: bool,
    ) -> torch.Tensor:
        """``reference``: the ReferenceNet's normalised tokens for (batch x [reference image,
        motion frames...]); the reference image's are joined to every frame's keys. With
        ``guided`` the first half of the batch is the unconditional pass: plain self-attention."""
        norm = self.norm1(x)
        if reference is None:
            x = self.attn1(norm) + x
        else:
            batch = x.shape[0] // frames
            image = reference.reshape(batch, -1, *reference.shape[1:])[:, 0]
            # Tiled, not interleaved, as Hallo does it: row i gets batch row i % batch.
            image = image.repeat(frames, 1, 1)
            joined = self.attn1(norm, encoder_hidden_states=torch.cat([norm, image], dim=1)) + x
            if guided:
                half = x.shape[0] // 2
                plain = self.attn1(norm[:half], encoder_hidden_states=norm[:half]) + x[:half]
                joined = torch.cat([plain, joined[half:]])
            x = joined
        x = self.attn2(self.norm2(x), encoder_hidden_states=context) + x
        return self.ff(self.norm3(x)) + x


class SpatialTransformer(nn.Module):
    """GroupNorm, 1x1 convolution in, one ReferenceBlock, 1x1 convolution out, residual."""

    def __init__(self, channels: int, heads: int, context_dim: int, groups: int) -> None:
        super().__init__()
        self.norm = nn.GroupNorm(groups, channels, eps=1e-6)
        self.proj_in = nn.Conv2d(channels, channels, 1)
        self.transformer_blocks = nn.ModuleList([ReferenceBlock(channels, heads, context_dim)])
        self.proj_out = nn.Conv2d(channels, channels, 1)

    def forward(self, x, context, reference, frames, guided):
        rows, channels, height, width = x.shape
        context = context.repeat_interleave(rows // context.shape[0], dim=0)
        h = self.proj_in(self.norm(x)).permute(0, 2, 3, 1).reshape(rows, height * width, -1)
        for block in self.transformer_blocks:
            h = block(h, context, reference, frames, guided)
        h = h.reshape(rows, height, width, channels).permute(0, 3, 1, 2)
        return self.proj_out(h) + x


def _zero_conv(dim: int) -> nn.Conv2d:
    conv = nn.Conv2d(dim, dim, 1)
    nn.init.zeros_(conv.weight)
    nn.init.zeros_(conv.bias)
    return conv


class AudioBlock(nn.Module):
    """Self-attention, then three audio cross-attentions (whole image, face, lips), each masked
    to its region, passed through a 1x1 convolution and weighted (pose, face, lip), then a
    feed-forward layer. Key names as in Hallo's ``net.pth``."""

    def __init__(self, dim: int, heads: int, audio_dim: int) -> None:
        super().__init__()
        head_dim = dim // heads
        self.zero_conv_full = _zero_conv(dim)
        self.zero_conv_face = _zero_conv(dim)
        self.zero_conv_lip = _zero_conv(dim)
        self.attn1 = Attention(query_dim=dim, heads=heads, dim_head=head_dim)
        self.norm1 = nn.LayerNorm(dim)
        for index in range(3):
            attention = Attention(
                query_dim=dim, cross_attention_dim=audio_dim, heads=heads, dim_head=head_dim
            )
            self.add_module(f"attn2_{index}", attention)
        self.norm2 = nn.LayerNorm(dim)
        self.ff = FeedForward(dim, activation_fn="geglu")
        self.norm3 = nn.LayerNorm(dim)

    def _region(self, attention, conv, norm, audio, mask) -> torch.Tensor:
        rows, tokens, channels = norm.shape
        side = int(tokens**0.5)
        h = attention(norm, encoder_hidden_states=audio) * mask[:, :, None]
        h = conv(h.reshape(rows, side, side, channels).permute(0, 3, 1, 2))
        return h.permute(0, 2, 3, 1).reshape(rows, tokens, channels)

    def forward(self, x, audio, masks: RegionMasks, weights: tuple[float, float, float]):
        x = self.attn1(self.norm1(x)) + x
        norm = self.norm2(x)
        full = self._region(self.attn2_0, self.zero_conv_full, norm, audio, masks.full)
        face = self._region(self.attn2_1, self.zero_conv_face, norm, audio, masks.face)
        lip = self._region(self.attn2_2, self.zero_conv_lip, norm, audio, masks.lip)
        x = weights[0] * full + weights[1] * face + weights[2] * lip + x
        return self.ff(self.norm3(x)) + x


class AudioTransformer(nn.Module):
    """Hallo's audio module: its inner width is ``heads * (width_in // heads)``, where
    ``width_in`` is the block's input width, which can differ from the feature width."""

    def __init__(self, channels: int, inner: int, heads: int, audio_dim: int, groups: int):
        super().__init__()
        self.norm = nn.GroupNorm(groups, channels, eps=1e-6)
        self.proj_in = nn.Conv2d(channels, inner, 1)
        self.transformer_blocks = nn.ModuleList([AudioBlock(inner, heads, audio_dim)])
        self.proj_out = nn.Conv2d(inner, channels, 1)

    def forward(self, x, audio, masks: RegionMasks, weights):
        """``audio``: ``(batch*frames, tokens, audio_dim)``."""
        rows, _, height, width = x.shape
        h = self.proj_in(self.norm(x))
        inner = h.shape[1]
        h = h.permute(0, 2, 3, 1).reshape(rows, height * width, inner)
        for block in self.transformer_blocks:
            h = block(h, audio, masks, weights)
        h = h.reshape(rows, height, width, inner).permute(0, 3, 1, 2)
        return self.proj_out(h) + x
