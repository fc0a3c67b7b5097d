"""Painting inside an open mouth: a shaded cavity, the tongue's hint, and teeth.

When the photo shows teeth, they are the photo's own (upper teeth stay with the upper lip,
lower teeth ride on the jaw). When it shows a closed mouth there are no teeth to reuse, so a
soft band of upper teeth is drawn under the upper lip, tinted by the photo's light.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generation.renderers.talking.face_fields import MouthField

CAVITY_EDGE_RGB = np.array([88.0, 36.0, 38.0], dtype=np.float32)
CAVITY_DEEP_RGB = np.array([26.0, 10.0, 12.0], dtype=np.float32)
TONGUE_RGB = np.array([150.0, 72.0, 76.0], dtype=np.float32)
TEETH_RGB = np.array([226.0, 220.0, 206.0], dtype=np.float32)


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
) -> np.ndarray:
    """RGB (float32) for every pixel of the mouth's region; only ``field.coverage`` of it
    is used. ``upper_sample``/``lower_sample``: the photo read at the field's upper/lower
    source positions (None when the photo shows no teeth)."""
    depth = field.depth[..., None]
    cavity = CAVITY_EDGE_RGB + (CAVITY_DEEP_RGB - CAVITY_EDGE_RGB) * np.sqrt(depth)
    # A tongue shows low in a wide opening, darker towards the throat.
    tongue_weight = (
        np.clip((field.from_top - 0.6 * field.gap) / np.maximum(0.25 * field.gap, 1.0), 0, 1)
        * np.clip(1.0 - np.abs(field.column) * 1.3, 0.0, 1.0)
        * np.clip((field.gap - 6.0) / 10.0, 0.0, 1.0)
    )[..., None]
    colour = cavity + (TONGUE_RGB * 0.75 - cavity) * tongue_weight * 0.8
    colour = colour * look.light

    if look.photo_shows_teeth and upper_sample is not None and lower_sample is not None:
        # Soft one-pixel edges where the photo's teeth bands end, so the gap opening between
        # upper and lower teeth is not a jagged line.
        upper_weight = np.clip(field.upper_limit_v - field.upper_source_v + 0.5, 0.0, 1.0)
        lower_weight = np.clip(field.lower_source_v - field.lower_limit_v + 0.5, 0.0, 1.0)
        colour = colour + (lower_sample - colour) * lower_weight[..., None]
        colour = colour + (upper_sample - colour) * upper_weight[..., None]
    else:
        colour = _drawn_upper_teeth(look, field, colour)
    return colour


def _drawn_upper_teeth(look: MouthLook, field: MouthField, colour: np.ndarray) -> np.ndarray:
    visible = np.minimum(look.teeth_height_px, 0.45 * field.gap)
    within = np.clip((visible - field.from_top) / 1.5, 0.0, 1.0)  # soft lower edge
    across = np.clip((0.8 - np.abs(field.column)) / 0.2, 0.0, 1.0)  # teeth end before corners
    weight = (within * across * np.clip((field.gap - 2.0) / 4.0, 0.0, 1.0))[..., None]
    # Shade: darker towards the teeth's edge and right under the lip (the lip's shadow).
    rel = np.clip(field.from_top / np.maximum(visible, 1.0), 0.0, 1.0)[..., None]
    shade = 0.78 + 0.22 * np.sin(np.pi * np.clip(rel * 0.9 + 0.1, 0, 1))
    teeth = TEETH_RGB * look.light * shade
    return colour + (teeth - colour) * weight * 0.92
