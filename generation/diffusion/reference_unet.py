"""The ReferenceNet: SD 1.5's UNet run once per window on the reference image and the motion
frames, to collect the normalised tokens that each attention layer attends over.

diffusers' ``UNet2DConditionModel`` has exactly the layout Hallo's ``reference_unet`` weights use,
so it is used as it is; a recording attention processor keeps the input of each self-attention.
"""

import re

import torch
from diffusers import UNet2DConditionModel
from diffusers.models.attention_processor import AttnProcessor2_0

_SELF_ATTENTION = re.compile(r"^(.*\.attentions\.\d+)\.transformer_blocks\.0\.attn1$")


class _Recording:
    """Stores the tokens a self-attention receives (SD's ``norm1`` output), then attends."""

    def __init__(self, store: dict[str, torch.Tensor], key: str) -> None:
        self.store = store
        self.key = key
        self.inner = AttnProcessor2_0()

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None,
                 temb=None, *args, **kwargs):
        self.store[self.key] = hidden_states
        return self.inner(attn, hidden_states, encoder_hidden_states, attention_mask, temb)


def reference_tokens(
    unet: UNet2DConditionModel,
    latents: torch.Tensor,
    context: torch.Tensor,
    images: int,
    rounding: torch.dtype | None = torch.float16,
) -> dict[str, torch.Tensor]:
    """Tokens per attention path (``down_blocks.0.attentions.0`` ...), for ``latents`` holding
    ``batch x images`` rows (reference image first, then motion frames, per batch row).

    Like Hallo, each row gets the identity tokens of ``context`` tiled (not interleaved) over the
    rows, and the kept tokens are rounded to ``rounding`` (Hallo hands them over as float16,
    a no-op in its half-precision runs; ``None`` keeps full precision).
    """
    store: dict[str, torch.Tensor] = {}
    saved = {}
    for name, module in unet.named_modules():
        match = _SELF_ATTENTION.match(name)
        if match:
            saved[name] = module.processor
            module.set_processor(_Recording(store, match.group(1)))
    try:
        unet(latents, torch.zeros((), dtype=torch.long, device=latents.device),
             encoder_hidden_states=context.repeat(images, 1, 1), return_dict=False)
    finally:
        modules = dict(unet.named_modules())
        for name, processor in saved.items():
            modules[name].set_processor(processor)
    if rounding is None:
        return store
    return {key: value.to(rounding).to(latents.dtype) for key, value in store.items()}
