"""A visible "AI-generated" label burned into every frame of a Signet output.

Invisible watermarks and C2PA manifests serve machines; this label tells a person watching.
The creator chooses the corner and the label's language (the audience of a German creator reads
"KI-generiert"); there is deliberately no way to turn it off or to write its text: the words come
only from LABEL_TEXTS.

The label (text on a semi-transparent dark rounded box) is drawn once per frame size with
Pillow and kept as integer blend weights, so each frame costs one small blend of the label's
own pixels and nothing else in the frame changes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from PIL import Image, ImageDraw, ImageFont

# One text per language, each 12 characters in a monospaced font, so every label has one size.
LABEL_TEXTS = {"en": "AI-generated", "de": "KI-generiert"}
LABEL_TEXT = LABEL_TEXTS["en"]
Corner = Literal["bottom-right", "bottom-left", "top-right", "top-left"]
CORNERS: tuple[str, ...] = get_args(Corner)

_BOX_ALPHA = 0.62  # the dark box: dims what is under it enough to read white text over anything
_BOX_GREY = 16
# Text height relative to the frame's short side, and the floor below which it is unreadable.
_FONT_FRACTION = 1 / 30
_MIN_FONT_PX = 11
_SMALLEST_FONT_PX = 7  # used only when a frame is too narrow for _MIN_FONT_PX
# DejaVu Sans Mono Bold: its capital I has serifs, so "AI" cannot be misread as "Al" (as it
# is in most sans fonts), and it is hinted for small sizes. Where Debian's fonts-dejavu-core is
# not installed, Pillow's bundled font is used instead.
_PREFERRED_FONT = "DejaVuSansMono-Bold.ttf"


@dataclass(frozen=True)
class LabelBox:
    """Where the label sits in a frame, in pixels (bottom and right exclusive)."""

    top: int
    left: int
    bottom: int
    right: int


@dataclass(frozen=True)
class DisclosureLabel:
    corner: Corner = "bottom-right"
    language: str = "en"

    def __post_init__(self) -> None:
        if self.corner not in CORNERS:
            raise ValueError(f"corner must be one of {CORNERS}, got {self.corner!r}")
        if self.language not in LABEL_TEXTS:
            raise ValueError(f"language must be one of {tuple(LABEL_TEXTS)}, got {self.language!r}")

    @property
    def text(self) -> str:
        return LABEL_TEXTS[self.language]

    def box(self, height: int, width: int) -> LabelBox:
        """Where `apply` draws on a frame of this size."""
        return _overlay(self.corner, height, width, self.text).box

    def apply(self, frame: np.ndarray) -> np.ndarray:
        """Return a copy of an RGB uint8 frame (H, W, 3) with the label burned in.

        Raises ValueError for other shapes or dtypes, or a frame too small to carry a
        readable label.
        """
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise ValueError(
                f"expected an RGB uint8 frame (H, W, 3), got {frame.shape} {frame.dtype}"
            )
        overlay = _overlay(self.corner, frame.shape[0], frame.shape[1], self.text)
        out = frame.copy()
        b = overlay.box
        region = out[b.top : b.bottom, b.left : b.right]
        blended = region * overlay.keep + overlay.ink  # uint16: at most 255 * 256 + 128
        region[...] = (blended >> 8).astype(np.uint8)
        return out


@dataclass(frozen=True)
class _Overlay:
    box: LabelBox
    keep: np.ndarray  # (h, w, 1) uint16: weight of the frame, 0..256
    ink: np.ndarray  # (h, w, 3) uint16: label colour times its weight, plus rounding


@functools.lru_cache(maxsize=32)
def _overlay(corner: str, height: int, width: int, text: str) -> _Overlay:
    short_side = min(height, width)
    margin = max(3, round(short_side * 0.025))
    font_px = max(_MIN_FONT_PX, round(short_side * _FONT_FRACTION))
    label = _render(font_px, text)
    while label.width > width - 2 * margin or label.height > height - 2 * margin:
        font_px -= 1
        if font_px < _SMALLEST_FONT_PX:
            raise ValueError(f"a {width}x{height} frame is too small for a readable label")
        label = _render(font_px, text)

    top = margin if corner.startswith("top") else height - margin - label.height
    left = margin if corner.endswith("left") else width - margin - label.width
    box = LabelBox(top=top, left=left, bottom=top + label.height, right=left + label.width)

    rgba = np.asarray(label, dtype=np.uint16)
    weight = (rgba[..., 3:4] * 256 + 127) // 255  # alpha 0..255 -> 0..256
    keep = (256 - weight).astype(np.uint16)
    ink = (rgba[..., :3] * weight + 128).astype(np.uint16)
    for array in (keep, ink):
        array.setflags(write=False)
    return _Overlay(box=box, keep=keep, ink=ink)


def _render(font_px: int, text: str) -> Image.Image:
    font = _font(font_px)
    # Sized and placed by the English text in every language: one box, one baseline (the
    # German capitals reach a pixel higher, well inside the padding).
    left, top, right, bottom = font.getbbox(LABEL_TEXT)
    pad_x, pad_y = round(font_px * 0.55), round(font_px * 0.35)
    size = (right - left + 2 * pad_x, bottom - top + 2 * pad_y)
    label = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(label)
    box_alpha = round(_BOX_ALPHA * 255)
    draw.rounded_rectangle(
        (0, 0, size[0] - 1, size[1] - 1),
        radius=max(2, size[1] // 3),
        fill=(_BOX_GREY, _BOX_GREY, _BOX_GREY, box_alpha),
    )
    # Drawing onto RGBA blends the glyphs' coverage into all four channels, so glyph edges
    # go from the box's translucency to opaque white.
    draw.text(
        (pad_x - left, pad_y - top),
        text,
        font=font,
        fill=(255, 255, 255, 255),
        stroke_width=_stroke_width(font),
        stroke_fill=(255, 255, 255, 255),
    )
    return label


@functools.lru_cache(maxsize=16)
def _font(font_px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(_PREFERRED_FONT, font_px)
    except OSError:
        return ImageFont.load_default(size=font_px)


def _stroke_width(font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> float:
    # Pillow's bundled font is a regular weight, too thin to read at 11 px over a busy frame:
    # a thin stroke in the text colour thickens it. The preferred font is bold already.
    if isinstance(font, ImageFont.FreeTypeFont) and font.path and _PREFERRED_FONT in str(font.path):
        return 0
    return 0.4
