"""Motion frames: the last frames of the previous window steer the next one.

As in EMO, the clean latents of the previous window's last K frames go through the reference
network; at every place where the backbone has a temporal (motion) module, the reference
network's hidden states for those K frames are prepended to the backbone's frames, so temporal
attention sees them as the clip's recent past. Their outputs are dropped again after the module.

diffusers' motion blocks call their motion modules internally with no extension point, so the
prepending is done with forward hooks on those modules (and on the reference network's matching
blocks to capture the features).
"""

import inspect

import torch
from diffusers import UNet2DConditionModel, UNetMotionModel

from generation.diffusion.reference_bank import PORTRAIT_ROWS, ReferenceBank


def _motion_module_sources(denoising_unet: UNetMotionModel) -> dict[str, str]:
    """Backbone motion-module name -> reference-network module whose output is its input.

    In diffusers' motion blocks each motion module directly follows the block's spatial
    transformer of the same index (or, in blocks without attention, its resnet).
    """
    sources: dict[str, str] = {}
    for name, _ in denoising_unet.named_modules():
        parent, _, index = name.rpartition(".motion_modules.")
        if not parent or not index.isdigit():
            continue
        block = denoising_unet.get_submodule(parent)
        kind = "attentions" if getattr(block, "attentions", None) else "resnets"
        sources[name] = f"{parent}.{kind}.{index}"
    return sources


class _Capture:
    """Forward hook on a reference-network block: keeps the motion-frame rows of its output."""

    def __init__(self, target: str, bank: ReferenceBank) -> None:
        self.target = target
        self.bank = bank

    def __call__(self, module: torch.nn.Module, args: tuple, output: object) -> None:
        if not self.bank.recording:
            return
        hidden = output[0] if isinstance(output, tuple) else getattr(output, "sample", output)
        self.bank.motion_features[self.target] = hidden[PORTRAIT_ROWS:]


class _Inject:
    """Pre/post hooks on a backbone motion module: prepend the motion frames, then drop them."""

    def __init__(self, name: str, module: torch.nn.Module, bank: ReferenceBank) -> None:
        self.name = name
        self.bank = bank
        self.signature = inspect.signature(module.forward)

    def _motion(self) -> torch.Tensor | None:
        features = self.bank.motion_features.get(self.name)
        return features if features is not None and len(features) else None

    def before(
        self, module: torch.nn.Module, args: tuple, kwargs: dict
    ) -> tuple[tuple, dict] | None:
        motion = self._motion()
        if motion is None:
            return None
        bound = self.signature.bind(*args, **kwargs)
        hidden = bound.arguments["hidden_states"]
        frames = bound.arguments.get("num_frames", 1)
        branches = hidden.shape[0] // frames
        clip = hidden.reshape(branches, frames, *hidden.shape[1:])
        past = motion.to(hidden.dtype).unsqueeze(0).expand(branches, -1, -1, -1, -1)
        bound.arguments["hidden_states"] = torch.cat([past, clip], dim=1).flatten(0, 1)
        bound.arguments["num_frames"] = frames + len(motion)
        return bound.args, bound.kwargs

    def after(
        self, module: torch.nn.Module, args: tuple, kwargs: dict, output: torch.Tensor
    ) -> torch.Tensor | None:
        motion = self._motion()
        if motion is None:
            return None
        total = self.signature.bind(*args, **kwargs).arguments["num_frames"]
        clip = output.reshape(-1, total, *output.shape[1:])
        return clip[:, len(motion) :].flatten(0, 1)


def install_motion_frames(
    reference_unet: UNet2DConditionModel, denoising_unet: UNetMotionModel, bank: ReferenceBank
) -> None:
    """Hook the reference network's blocks and the backbone's motion modules together."""
    for target, source in _motion_module_sources(denoising_unet).items():
        try:
            source_module = reference_unet.get_submodule(source)
        except AttributeError as error:
            raise ValueError(
                f"reference_unet has no {source} to feed the backbone's {target}"
            ) from error
        source_module.register_forward_hook(_Capture(target, bank))
        motion_module = denoising_unet.get_submodule(target)
        inject = _Inject(target, motion_module, bank)
        motion_module.register_forward_pre_hook(inject.before, with_kwargs=True)
        motion_module.register_forward_hook(inject.after, with_kwargs=True)
