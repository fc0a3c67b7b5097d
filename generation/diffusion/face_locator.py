"""EMO's face locator: encodes the face-region mask into the latent space."""

import itertools

import torch
from diffusers.configuration_utils import ConfigMixin, register_to_config
from diffusers.models.modeling_utils import ModelMixin
from torch import nn


class FaceLocator(ModelMixin, ConfigMixin):
    """A light convolutional encoder from a (1, 1, H, W) mask to (1, latent_channels, h, w).

    Its output is added to the noisy latents of every frame, telling the backbone where the
    face (and so the motion) is. Each block after the first halves the resolution, so
    ``len(block_out_channels) - 1`` must equal the VAE's number of downsamplings.
    """

    @register_to_config
    def __init__(
        self,
        latent_channels: int = 4,
        block_out_channels: tuple[int, ...] = (16, 32, 64, 128),
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(1, block_out_channels[0], 3, padding=1), nn.SiLU()]
        for channels_in, channels_out in itertools.pairwise(block_out_channels):
            layers += [nn.Conv2d(channels_in, channels_out, 3, stride=2, padding=1), nn.SiLU()]
        layers.append(nn.Conv2d(block_out_channels[-1], latent_channels, 3, padding=1))
        self.net = nn.Sequential(*layers)

    @property
    def downscale_factor(self) -> int:
        return 2 ** (len(self.config.block_out_channels) - 1)

    def forward(self, mask: torch.Tensor) -> torch.Tensor:
        return self.net(mask)
