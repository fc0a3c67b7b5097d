"""What the reference network hands the denoising backbone for one window."""

from dataclasses import dataclass, field

import torch

# The reference network runs on a batch whose first row is the portrait and whose remaining
# rows are the motion frames; both readers below rely on that order.
PORTRAIT_ROWS = 1


@dataclass
class ReferenceBank:
    """Per-layer features captured from one reference-network pass.

    ``attention_tokens`` maps a self-attention layer name to the portrait's tokens (1, N, C)
    that the matching backbone layer concatenates to its keys and values. ``motion_features``
    maps a backbone motion-module name to the motion frames' hidden states (K, C, H, W) that are
    prepended to that module's frames. ``reference_rows`` says, per backbone batch row, whether
    that row sees the portrait: classifier-free guidance clears it for the unconditional row.
    """

    attention_tokens: dict[str, torch.Tensor] = field(default_factory=dict)
    motion_features: dict[str, torch.Tensor] = field(default_factory=dict)
    reference_rows: torch.Tensor | None = None
    recording: bool = False

    def clear(self) -> None:
        self.attention_tokens.clear()
        self.motion_features.clear()
        self.reference_rows = None
        self.recording = False
