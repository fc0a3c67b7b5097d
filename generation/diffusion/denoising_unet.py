"""Hallo's denoising UNet: SD 1.5's layout with, at every level, reference attention, audio
attention and a motion module. Frames travel folded into the batch, ``(batch*frames, C, H, W)``.

It computes what Hallo's ``scripts/inference.py`` computes. That script leaves this UNet in
training mode with gradient checkpointing on, which selects a branch of Hallo's blocks where
(a) the motion modules of the cross-attention blocks and the middle block see the ReferenceNet's
motion-frame features prepended to the frames, and (b) the motion modules of the two blocks
without attention (deepest down, first up) are skipped. Their weights still load.
"""

from dataclasses import dataclass

import torch
from diffusers.models.embeddings import TimestepEmbedding, Timesteps
from diffusers.models.resnet import Downsample2D, ResnetBlock2D, Upsample2D
from torch import nn

from generation.diffusion.configs import UNetConfig
from generation.diffusion.spatial import AudioTransformer, RegionMasks, SpatialTransformer
from generation.diffusion.temporal import MotionModule


@dataclass(frozen=True)
class Conditions:
    """Everything one UNet call is conditioned on, for ``batch`` rows of ``frames`` frames."""

    context: torch.Tensor  # (batch, tokens, cross_dim): face identity tokens
    audio: torch.Tensor  # (batch, frames, tokens, audio_dim)
    face_features: torch.Tensor  # (batch, C0, frames, h, w): face locator output
    masks: tuple[RegionMasks, ...]  # one per UNet level, rows = batch*frames
    reference: dict[str, torch.Tensor]  # ReferenceNet tokens per attention path
    guided: bool  # first half of the batch is the unconditional pass
    weights: tuple[float, float, float] = (1.0, 1.0, 1.0)


class VideoBlock(nn.Module):
    """One UNet level; attention, audio and motion modules per resnet when ``cross``."""

    def __init__(
        self,
        config: UNetConfig,
        resnet_channels: list[tuple[int, int]],
        out_channels: int,
        audio_inner: list[int],
        audio_dim: int,
        temb: int,
        cross: bool,
        level: int,
        down: bool = False,
        up: bool = False,
    ) -> None:
        super().__init__()
        groups, heads = config.norm_num_groups, config.heads
        self.level = level
        self.cross = cross
        self.resnets = nn.ModuleList(
            ResnetBlock2D(
                in_channels=cin, out_channels=cout, temb_channels=temb, eps=config.norm_eps,
                groups=groups,
            )
            for cin, cout in resnet_channels
        )
        count = len(audio_inner)  # attention, audio and motion modules per level
        if cross:
            self.attentions = nn.ModuleList(
                SpatialTransformer(out_channels, heads, config.cross_attention_dim, groups)
                for _ in range(count)
            )
            self.audio_modules = nn.ModuleList(
                AudioTransformer(out_channels, inner, heads, audio_dim, groups)
                for inner in audio_inner
            )
        self.motion_modules = nn.ModuleList(MotionModule(out_channels) for _ in range(count))
        if down:
            self.downsamplers = nn.ModuleList(
                [Downsample2D(out_channels, use_conv=True, out_channels=out_channels, padding=1,
                              name="op")]
            )
        if up:
            self.upsamplers = nn.ModuleList(
                [Upsample2D(out_channels, use_conv=True, out_channels=out_channels)]
            )

    def _attend(self, index: int, h: torch.Tensor, frames: int, cond: Conditions):
        """Reference attention, audio attention, then motion over [motion frames, frames]."""
        attention = self.attentions[index]
        reference = cond.reference[attention.path]
        h = attention(h, cond.context, reference, frames, cond.guided)
        rows, channels, height, width = h.shape
        batch = rows // frames
        audio = cond.audio.reshape(rows, *cond.audio.shape[2:])
        h = self.audio_modules[index](h, audio, cond.masks[self.level], cond.weights)
        # The ReferenceNet's tokens for the motion frames, as feature maps before the frames.
        past = reference.reshape(batch, -1, height, width, channels)[:, 1:]
        past = past.permute(0, 1, 4, 2, 3).to(h.dtype)
        joined = torch.cat([past, h.reshape(batch, frames, channels, height, width)], dim=1)
        total = joined.shape[1]
        moved = self.motion_modules[index](joined.reshape(batch * total, channels, height, width),
                                           total)
        moved = moved.reshape(batch, total, channels, height, width)[:, total - frames :]
        return moved.reshape(rows, channels, height, width)


class DownBlock(VideoBlock):
    def forward(self, h, temb, frames, cond):
        states = []
        for index, resnet in enumerate(self.resnets):
            h = resnet(h, temb)
            if self.cross:
                h = self._attend(index, h, frames, cond)
            states.append(h)
        if hasattr(self, "downsamplers"):
            h = self.downsamplers[0](h)
            states.append(h)
        return h, states


class MidBlock(VideoBlock):
    def forward(self, h, temb, frames, cond):
        h = self.resnets[0](h, temb)
        for index, resnet in enumerate(self.resnets[1:]):
            h = self._attend(index, h, frames, cond)
            h = resnet(h, temb)
        return h


class UpBlock(VideoBlock):
    def forward(self, h, skips, temb, frames, cond):
        for index, resnet in enumerate(self.resnets):
            h = resnet(torch.cat([h, skips.pop()], dim=1), temb)
            if self.cross:
                h = self._attend(index, h, frames, cond)
        if hasattr(self, "upsamplers"):
            h = self.upsamplers[0](h)
        return h


class DenoisingUNet(nn.Module):
    """Key names as ``denoising_unet.*`` in Hallo's ``net.pth``."""

    def __init__(self, config: UNetConfig, audio_dim: int) -> None:
        super().__init__()
        widths = config.block_out_channels
        levels = len(widths)
        temb = widths[0] * 4
        heads = config.heads
        self.config = config
        self.conv_in = nn.Conv2d(config.in_channels, widths[0], 3, padding=1)
        self.time_proj = Timesteps(widths[0], config.flip_sin_to_cos, config.freq_shift)
        self.time_embedding = TimestepEmbedding(widths[0], temb)

        def inner(width: int) -> int:
            return heads * (width // heads)

        self.down_blocks = nn.ModuleList()
        previous = widths[0]
        for level, width in enumerate(widths):
            final = level == levels - 1
            ins = [previous] + [width] * (config.layers_per_block - 1)
            self.down_blocks.append(
                DownBlock(config, [(c, width) for c in ins], width, [inner(c) for c in ins],
                          audio_dim, temb, cross=not final, level=level, down=not final)
            )
            previous = width
        self.up_blocks = nn.ModuleList()
        reversed_widths = list(reversed(widths))
        previous = reversed_widths[0]
        layers = config.layers_per_block + 1
        for index, width in enumerate(reversed_widths):
            block_in = reversed_widths[min(index + 1, levels - 1)]
            pairs = [
                ((previous if j == 0 else width) + (block_in if j == layers - 1 else width), width)
                for j in range(layers)
            ]
            self.up_blocks.append(
                UpBlock(config, pairs, width, [inner(block_in)] * layers, audio_dim, temb,
                        cross=index > 0, level=levels - 1 - index, up=index < levels - 1)
            )
            previous = width
        self.mid_block = MidBlock(config, [(widths[-1], widths[-1])] * 2, widths[-1],
                                  [inner(widths[-1])], audio_dim, temb, cross=True,
                                  level=levels - 1)
        self.conv_norm_out = nn.GroupNorm(config.norm_num_groups, widths[0], eps=config.norm_eps)
        self.conv_act = nn.SiLU()
        self.conv_out = nn.Conv2d(widths[0], config.out_channels, 3, padding=1)
        for name, module in self.named_modules():
            if isinstance(module, SpatialTransformer):
                module.path = name

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, cond: Conditions):
        """``sample``: ``(batch, C, frames, H, W)``; returns the prediction in the same shape."""
        batch, channels, frames, height, width = sample.shape
        steps = timestep.reshape(-1).to(sample.device).expand(batch)
        temb = self.time_embedding(self.time_proj(steps).to(sample.dtype))
        temb = temb.repeat_interleave(frames, dim=0)
        h = sample.transpose(1, 2).reshape(batch * frames, channels, height, width)
        h = self.conv_in(h)
        located = cond.face_features.transpose(1, 2)
        h = h + located.reshape(batch * frames, *located.shape[2:])
        skips = [h]
        for block in self.down_blocks:
            h, states = block(h, temb, frames, cond)
            skips.extend(states)
        h = self.mid_block(h, temb, frames, cond)
        for block in self.up_blocks:
            h = block(h, skips, temb, frames, cond)
        h = self.conv_out(self.conv_act(self.conv_norm_out(h)))
        return h.reshape(batch, frames, -1, height, width).transpose(1, 2)
