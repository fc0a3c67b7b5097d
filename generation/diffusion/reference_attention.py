"""Reference attention: the backbone's self-attention also attends to the portrait's tokens.

The reference network and the backbone share a layout (both start from the same image UNet), so
each spatial self-attention layer of the backbone has a twin of the same name in the reference
network. The twin records its input; the backbone layer concatenates that input to its own keys
and values. This is done with attention processors because diffusers has no built-in reference
attention for UNets, and processors are its supported way to change one attention layer.
"""

import torch
import torch.nn.functional as F
from diffusers import UNet2DConditionModel, UNetMotionModel
from diffusers.models.attention_processor import Attention, AttnProcessor2_0

from generation.diffusion.reference_bank import PORTRAIT_ROWS, ReferenceBank


class ReferenceWriteProcessor:
    """Reference-network self-attention that also records the portrait row's input tokens."""

    def __init__(self, name: str, bank: ReferenceBank) -> None:
        self.name = name
        self.bank = bank
        self.attend = AttnProcessor2_0()

    def __call__(
        self,
        attn: Attention,
        hidden_states: torch.Tensor,
        encoder_hidden_states: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        temb: torch.Tensor | None = None,
        **kwargs: object,
    ) -> torch.Tensor:
        if self.bank.recording:
            self.bank.attention_tokens[self.name] = hidden_states[:PORTRAIT_ROWS]
        return self.attend(attn, hidden_states, encoder_hidden_states, attention_mask, temb)


class ReferenceReadProcessor:
    """Backbone self-attention over its own tokens plus the portrait's recorded tokens.

    Rows whose ``reference_rows`` flag is off (the unconditional branch of classifier-free
    guidance) get the portrait tokens masked out, which makes them exactly plain self-attention
    while keeping one batched call.
    """

    def __init__(self, name: str, bank: ReferenceBank) -> None:
        self.name = name
        self.bank = bank
        self.attend = AttnProcessor2_0()

    def __call__(
        self,
        attn: Attention,
        hidden_states: torch.Tensor,
        encoder_hidden_states: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        temb: torch.Tensor | None = None,
        **kwargs: object,
    ) -> torch.Tensor:
        reference = self.bank.attention_tokens.get(self.name)
        if reference is None:
            return self.attend(attn, hidden_states, encoder_hidden_states, attention_mask, temb)
        if hidden_states.ndim != 3 or attention_mask is not None or attn.group_norm is not None:
            raise ValueError(f"{self.name}: reference attention expects plain token self-attention")

        rows, own_tokens, _ = hidden_states.shape
        reference = reference.to(hidden_states.dtype).expand(rows, -1, -1)
        keys_and_values = torch.cat([hidden_states, reference], dim=1)
        query = attn.to_q(hidden_states)
        key = attn.to_k(keys_and_values)
        value = attn.to_v(keys_and_values)

        head_dim = query.shape[-1] // attn.heads
        query, key, value = (
            t.view(rows, -1, attn.heads, head_dim).transpose(1, 2) for t in (query, key, value)
        )
        out = F.scaled_dot_product_attention(
            query,
            key,
            value,
            attn_mask=self._drop_reference_bias(rows, own_tokens, key.shape[2], query),
        )
        out = out.transpose(1, 2).reshape(rows, own_tokens, attn.heads * head_dim)
        out = attn.to_out[1](attn.to_out[0](out))
        if attn.residual_connection:
            out = out + hidden_states
        return out / attn.rescale_output_factor

    def _drop_reference_bias(
        self, rows: int, own_tokens: int, all_tokens: int, like: torch.Tensor
    ) -> torch.Tensor | None:
        flags = self.bank.reference_rows
        if flags is None or bool(flags.all()):
            return None
        # The backbone folds frames into the batch (row = branch * frames + frame).
        keep = flags.to(like.device).repeat_interleave(rows // len(flags))
        bias = torch.zeros(rows, 1, 1, all_tokens, dtype=like.dtype, device=like.device)
        bias[~keep, :, :, own_tokens:] = float("-inf")
        return bias


def _spatial_self_attention_names(unet: torch.nn.Module) -> list[str]:
    return [
        name
        for name in unet.attn_processors
        if name.endswith("attn1.processor") and "motion_modules" not in name
    ]


def install_reference_attention(
    reference_unet: UNet2DConditionModel, denoising_unet: UNetMotionModel, bank: ReferenceBank
) -> None:
    """Swap in the writer/reader processors on every paired spatial self-attention layer."""
    reference_names = _spatial_self_attention_names(reference_unet)
    backbone_names = _spatial_self_attention_names(denoising_unet)
    if sorted(reference_names) != sorted(backbone_names):
        raise ValueError(
            "reference_unet and denoising_unet must share their spatial attention layout "
            f"({len(reference_names)} vs {len(backbone_names)} self-attention layers)"
        )

    def replaced(unet: torch.nn.Module, make: type) -> dict[str, object]:
        processors = dict(unet.attn_processors)
        for name in reference_names:
            processors[name] = make(name.removesuffix(".processor"), bank)
        return processors

    reference_unet.set_attn_processor(replaced(reference_unet, ReferenceWriteProcessor))
    denoising_unet.set_attn_processor(replaced(denoising_unet, ReferenceReadProcessor))
