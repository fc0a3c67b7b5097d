"""Painting inside an open mouth: a throat gradient, the tongue (rising on th/l), and teeth.

When the photo shows teeth, they are the photo's own (upper teeth stay with the upper lip,
lower teeth ride on the jaw). When it shows a closed mouth there are no teeth to reuse, so a
soft band of upper teeth is drawn under the upper lip, tinted by the photo's light.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generation.renderers.talking.face_fields import MouthField

CAVITY_EDGE_RGB = np.array([88.0, 36.0, 38.0], dtype=np.float32)
CAVITY_DEEP_RGB = np.array([40.0, 16.0, 18.0], dtype=np.float32)
TONGUE_RGB = np.array([150.0, 72.0, 76.0], dtype=np.float32)
TEETH_RGB = np.array([216.0, 207.0, 190.0], dtype=np.float32)


@dataclass(frozen=True)
class MouthLook:
    light: float  # the photo's skin brightness relative to a typical portrait (1.0)
    teeth_height_px: float  # how far drawn upper teeth may show below the upper lip
    photo_shows_teeth: bool


def paint_interior(
    look: MouthLook,
    field: MouthField,
    upper_sample: np.ndarray | None,
    lower_sample: np.ndarray | None,
    tongue: float = 0.0,
) -> np.ndarray:
    """RGB (float32) for every pixel of the mouth's region; only ``field.coverage`` of it
    is used. ``upper_sample``/``lower_sample``: the photo read at the field's upper/lower
    source positions (None when the photo shows no teeth). ``tongue`` (0..1) raises the
    tongue's tip towards the upper teeth (th, l)."""
    gap = np.maximum(field.gap, 1e-3)
    rel = np.clip(field.from_top / gap, 0.0, 1.0)  # 0 at the upper lip .. 1 at the lower
    across = np.abs(field.column)
    # The throat: darkest in the middle and towards the back (the middle of the opening),
    # lighter and redder under the lips and towards the cheeks.
    depth = np.clip(field.depth * (1.0 - 0.6 * across**2), 0.0, 1.0)[..., None]
    cavity = CAVITY_EDGE_RGB + (CAVITY_DEEP_RGB - CAVITY_EDGE_RGB) * np.sqrt(depth)
    # The tongue: a rounded mound in the lower part of a wide opening, its tip rising to the
    # upper teeth on th/l. Shaded darker towards the throat and at its edges.
    surface = 0.72 - 0.5 * tongue + 0.35 * across**2  # the tongue's top, as a share of gap
    on_tongue = np.clip((rel - surface) * gap / 2.0, 0.0, 1.0)
    on_tongue *= np.clip(1.0 - across * 1.15, 0.0, 1.0) ** 0.5
    on_tongue *= np.clip((field.gap - 5.0) / 8.0, 0.0, 1.0)
    tongue_shade = (0.75 + 0.25 * np.clip((rel - surface) * 3.0, 0.0, 1.0)) * (1.0 - 0.4 * across)
    tongue_rgb = TONGUE_RGB * tongue_shade[..., None]
    colour = cavity + (tongue_rgb - cavity) * (0.85 * on_tongue)[..., None]
    colour = colour * look.light

    if look.photo_shows_teeth and upper_sample is not None and lower_sample is not None:
        # Soft one-pixel edges where the photo's teeth bands end, so the gap opening between
        # upper and lower teeth is not a jagged line.
        upper_weight = np.clip(field.upper_limit_v - field.upper_source_v + 0.5, 0.0, 1.0)
        lower_weight = np.clip(field.lower_source_v - field.lower_limit_v + 0.5, 0.0, 1.0)
        colour = colour + (lower_sample - colour) * lower_weight[..., None]
        colour = colour + (upper_sample - colour) * upper_weight[..., None]
    else:
        colour = _drawn_teeth(look, field, colour)
    # The lips' shadow: a soft darkening just inside the lips, so the opening has no hard
    # edge against them.
    edge = np.clip(np.minimum(field.from_top, field.gap - field.from_top) / 2.5, 0.0, 1.0)
    return colour * (0.7 + 0.3 * edge)[..., None]


# Tooth widths from the middle outwards (central and lateral incisors, canine, premolars),
# as shares of the mouth's half-width; the teeth behind the canines are darker (in shadow).
_TOOTH_EDGES = np.cumsum([0.0, 0.2, 0.16, 0.15, 0.14, 0.14, 0.14])


def _drawn_teeth(look: MouthLook, field: MouthField, colour: np.ndarray) -> np.ndarray:
    """Teeth for a photo that shows none: an upper row under the upper lip and, in a wide
    opening, a shorter lower row over the lower lip, each tooth shaded on its own with a thin
    dark gap between neighbours, all darker towards the corners (they turn away)."""
    across = np.abs(field.column)
    # Which tooth each column falls on, and how far from that tooth's middle (0..1).
    index = np.clip(np.searchsorted(_TOOTH_EDGES, across) - 1, 0, len(_TOOTH_EDGES) - 2)
    left, right = _TOOTH_EDGES[index], _TOOTH_EDGES[index + 1]
    within = np.clip((across - left) / (right - left), 0.0, 1.0)
    between = np.clip(np.minimum(within, 1.0 - within) * (right - left) * 40.0, 0.0, 1.0)
    rounded = np.sqrt(np.clip(1.0 - (2.0 * within - 1.0) ** 2, 0.0, 1.0))
    turn = np.clip(1.0 - 0.55 * across**1.5, 0.0, 1.0)
    shade = (0.72 + 0.28 * rounded) * (0.55 + 0.45 * between) * turn

    upper_height = np.minimum(look.teeth_height_px, 0.42 * field.gap) * (1.0 - 0.35 * across)
    # Incisal edges are slightly curved: each tooth a little shorter at its sides.
    upper_height = upper_height * (0.9 + 0.1 * rounded)
    upper = np.clip((upper_height - field.from_top) / 1.2, 0.0, 1.0)
    lower_height = np.clip(field.gap - 1.6 * look.teeth_height_px, 0.0,
                           0.5 * look.teeth_height_px) * (1.0 - 0.4 * across)
    lower = np.clip((field.from_top - (field.gap - lower_height)) / 1.2, 0.0, 1.0)
    within_row = np.clip((0.92 - across) / 0.15, 0.0, 1.0)
    visible = np.clip((field.gap - 2.0) / 4.0, 0.0, 1.0) * within_row
    # Under the lip the upper teeth are in the lip's shadow.
    under_lip = 0.8 + 0.2 * np.clip(field.from_top / np.maximum(upper_height, 1.0), 0.0, 1.0)
    upper_rgb = TEETH_RGB * look.light * (shade * under_lip)[..., None]
    lower_rgb = TEETH_RGB * look.light * (0.8 * shade)[..., None]
    colour = colour + (upper_rgb - colour) * (upper * visible * 0.95)[..., None]
    return colour + (lower_rgb - colour) * (lower * visible * 0.9)[..., None]
