"""Painting inside an open mouth: a throat gradient, the tongue (rising on th/l), and teeth.

When the photo shows teeth, they are the photo's own (upper teeth stay with the upper lip,
lower teeth ride on the jaw). When it shows a closed mouth there are no teeth to reuse, so a
soft band of upper teeth is drawn under the upper lip, tinted by the photo's light.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generation.renderers.talking.face_fields import MouthField

CAVITY_EDGE_RGB = np.array([104.0, 44.0, 46.0], dtype=np.float32)
CAVITY_DEEP_RGB = np.array([44.0, 17.0, 19.0], dtype=np.float32)
# Lit from the front, the tongue is the brightest thing behind the teeth; darker and it merged
# with the throat into one flat dark hole.
TONGUE_RGB = np.array([172.0, 84.0, 88.0], dtype=np.float32)
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
    surface = 0.62 - 0.45 * tongue + 0.3 * across**2  # the tongue's top, as a share of gap
    on_tongue = np.clip((rel - surface) * gap / 2.0, 0.0, 1.0)
    on_tongue *= np.clip(1.0 - across * 1.15, 0.0, 1.0) ** 0.5
    on_tongue *= np.clip((field.gap - 5.0) / 8.0, 0.0, 1.0)
    tongue_shade = (0.75 + 0.25 * np.clip((rel - surface) * 3.0, 0.0, 1.0)) * (1.0 - 0.4 * across)
    tongue_rgb = TONGUE_RGB * tongue_shade[..., None]
    colour = cavity + (tongue_rgb - cavity) * (0.9 * on_tongue)[..., None]
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
    return colour * (0.8 + 0.2 * edge)[..., None]


# Tooth widths from the middle outwards (central and lateral incisors, canine, premolars), as
# shares of the mouth's half-width, seen from the front: an adult's upper centrals are about
# 8.5 mm of a 50 mm mouth, the laterals 6.5 mm, the canine and premolars foreshortened as the
# arch turns away. (Narrower teeth read as a picket fence of tiles.)
_TOOTH_EDGES = np.cumsum([0.0, 0.32, 0.24, 0.19, 0.13, 0.12])
_LOWER_TOOTH_EDGES = np.cumsum([0.0, 0.22, 0.22, 0.2, 0.18, 0.18])
# Where neighbouring teeth meet: a faint seam, not a dark gap (they touch).
_SEAM_DARKENING = 0.18


def _tooth_shading(across: np.ndarray, edges: np.ndarray, seam_px: float) -> np.ndarray:
    """Brightness (0..1) of a row of teeth across the mouth: each tooth rounded (brightest in
    its middle), a faint seam where it meets the next, darker towards the corners where the
    arch turns away from the light."""
    index = np.clip(np.searchsorted(edges, across) - 1, 0, len(edges) - 2)
    left, right = edges[index], edges[index + 1]
    within = np.clip((across - left) / (right - left), 0.0, 1.0)
    rounded = np.sqrt(np.clip(1.0 - (2.0 * within - 1.0) ** 2, 0.0, 1.0))
    from_seam = np.minimum(within, 1.0 - within) * (right - left) / max(seam_px, 1e-3)
    seam = 1.0 - _SEAM_DARKENING * np.clip(1.0 - from_seam, 0.0, 1.0)
    turn = np.clip(1.0 - 0.6 * across**1.5, 0.0, 1.0)
    return (0.85 + 0.15 * rounded) * seam * turn


def _drawn_teeth(look: MouthLook, field: MouthField, colour: np.ndarray) -> np.ndarray:
    """Teeth for a photo that shows none: an upper row under the upper lip and, in a wide
    opening, the tips of the lower incisors over the lower lip; shaded per tooth with faint
    seams, all darker towards the corners (they turn away) and in the lips' shadow."""
    across = np.abs(field.column)
    # One pixel's share of the mouth's half-width (how fast ``column`` changes along a row):
    # seams stay about a pixel wide at any size.
    steps = np.abs(np.diff(field.column, axis=1)) if field.column.shape[1] > 1 else None
    seam_px = float(np.median(steps)) if steps is not None and steps.size else 0.05
    upper_shade = _tooth_shading(across, _TOOTH_EDGES, seam_px)
    within_tooth = np.clip(np.searchsorted(_TOOTH_EDGES, across) - 1, 0, len(_TOOTH_EDGES) - 2)
    edge_left = _TOOTH_EDGES[within_tooth]
    edge_right = _TOOTH_EDGES[within_tooth + 1]
    middle = np.clip((across - edge_left) / (edge_right - edge_left), 0.0, 1.0)
    upper_height = np.minimum(look.teeth_height_px, 0.42 * field.gap) * (1.0 - 0.35 * across)
    # Incisal edges are slightly curved: each tooth a little shorter at its sides.
    upper_height = upper_height * (0.93 + 0.07 * np.sqrt(
        np.clip(1.0 - (2.0 * middle - 1.0) ** 2, 0.0, 1.0)))
    upper = np.clip((upper_height - field.from_top) / 1.2, 0.0, 1.0)
    # The lower incisors' tips show only once the opening is wider than two teeth heights.
    lower_height = np.clip(field.gap - 2.0 * look.teeth_height_px, 0.0,
                           0.4 * look.teeth_height_px) * np.clip(1.0 - 1.6 * across, 0.0, 1.0)
    lower = np.clip((field.from_top - (field.gap - lower_height)) / 1.2, 0.0, 1.0)
    lower_shade = _tooth_shading(across, _LOWER_TOOTH_EDGES, seam_px)
    within_row = np.clip((0.92 - across) / 0.15, 0.0, 1.0)
    visible = np.clip((field.gap - 2.0) / 4.0, 0.0, 1.0) * within_row
    # Under the upper lip the teeth are in its shadow; the lower row is lit from above less.
    under_lip = 0.78 + 0.22 * np.clip(field.from_top / np.maximum(upper_height, 1.0), 0.0, 1.0)
    upper_rgb = TEETH_RGB * look.light * (upper_shade * under_lip)[..., None]
    lower_rgb = TEETH_RGB * look.light * (0.78 * lower_shade)[..., None]
    colour = colour + (upper_rgb - colour) * (upper * visible * 0.95)[..., None]
    return colour + (lower_rgb - colour) * (lower * visible * 0.9)[..., None]
