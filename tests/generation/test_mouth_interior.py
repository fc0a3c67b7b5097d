"""The mouth's interior: drawn teeth for a photo that shows none (teeth a viewer reads as
teeth, not tiles); on rendered frames of the shared photos, a lit tongue low in an open
mouth that rides with the jaw, and a smiling photo's own teeth moved as rigid rows (their
height kept, no stretched slivers of tooth)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from scipy.signal import find_peaks

from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from generation.renderers.talking.face_fields import UPPER_LIP_SHARE, MouthField, mouth_field
from generation.renderers.talking.geometry import FaceGeometry
from generation.renderers.talking.mouth_interior import MouthLook, paint_interior

HALF_WIDTH_PX = 60  # a 120 px wide mouth, as on a 512 px portrait crop
GAP_PX = 34.0


def _open_mouth_field() -> MouthField:
    rows, cols = int(GAP_PX), 2 * HALF_WIDTH_PX + 1
    column = np.broadcast_to(np.linspace(-1.0, 1.0, cols), (rows, cols)).copy()
    from_top = np.broadcast_to(np.arange(rows, dtype=np.float64)[:, None] + 0.5,
                               (rows, cols)).copy()
    gap = np.full((rows, cols), GAP_PX)
    zeros = np.zeros((rows, cols))
    depth = np.clip(np.minimum(from_top, gap - from_top) / (0.5 * gap), 0.0, 1.0)
    return MouthField(du=zeros, dv=zeros, coverage=np.ones((rows, cols)), depth=depth,
                      column=column, from_top=from_top, gap=gap, upper_source_v=zeros,
                      lower_source_v=zeros, upper_limit_v=zeros, lower_limit_v=zeros,
                      teeth_cover=zeros, drawn_teeth_cover=zeros)


def _upper_teeth_row() -> np.ndarray:
    look = MouthLook(light=1.0, teeth_height_px=9.0, photo_shows_teeth=False)
    colour = paint_interior(look, _open_mouth_field())
    return colour[4].mean(axis=1)  # brightness along a row through the upper teeth


def test_drawn_upper_teeth_are_few_broad_and_touching():
    # The forged look first: a picket fence of a dozen narrow tiles split by dark gaps (what
    # the animator drew before) reads as a sticker. Front teeth are broad (the two centrals
    # take about a third of the mouth's width) and touch: between neighbours a faint seam.
    row = _upper_teeth_row()
    middle = slice(int(0.08 * HALF_WIDTH_PX), int(2 * HALF_WIDTH_PX - 0.08 * HALF_WIDTH_PX))
    seams, _ = find_peaks(-row[middle], prominence=2.0)
    seams = seams + middle.start
    assert 5 <= len(seams) <= 10  # teeth, plural, but not a dozen tiles
    centre = HALF_WIDTH_PX
    central = seams[np.argsort(np.abs(seams - centre))[:3]]
    widths = np.diff(np.sort(central))
    assert widths.min() >= 0.25 * HALF_WIDTH_PX  # each central incisor
    for seam in seams:
        around = row[max(seam - 6, 0) : seam + 7]
        assert row[seam] >= 0.6 * around.max()  # a seam, not a dark gap (was 0.4)


# --- rendered frames from the shared photos -----------------------------------------------
#
# Read along the mouth's middle (the median of a few columns near it, every quarter pixel)
# between the frame's inner-lip lines: where the upper lip rises to (UPPER_LIP_SHARE of the
# opening) and the opening below it.

PHOTOS = ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png")
SMILES = ("obama.jpg", "obama2.jpg", "astronaut.png")  # photos that show their own teeth
STEP = 0.25



def _opening_lines(animator: FaceAnimator, mouth_open: float) -> tuple[float, float]:
    """(upper, lower) inner-lip v at the mouth's middle in a frame opened this far."""
    g = animator.geometry
    opening = mouth_open * animator.max_opening_px
    upper = float(g.upper_inner(g.mouth_centre_u)) - UPPER_LIP_SHARE * opening
    return upper, upper + opening


def _along_middle(frame: np.ndarray, g: FaceGeometry, v0: float, v1: float,
                  u: float | None = None, spread: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """(v, RGB) down the mouth from v0 to v1: the median over columns within ``spread`` of
    the half-width around ``u`` (the middle when None), or the one column when 0."""
    vs = np.arange(v0, v1, STEP)
    centre = g.mouth_centre_u if u is None else u
    offsets = np.linspace(-spread, spread, 5) if spread else np.zeros(1)
    columns = []
    for du in offsets * g.mouth_half_width:
        xs, ys = g.to_image(np.full_like(vs, centre + du), vs)
        columns.append(cv2.remap(frame.astype(np.float32), xs.astype(np.float32)[None],
                                 ys.astype(np.float32)[None], cv2.INTER_LINEAR)[0])
    return vs, np.median(columns, axis=0)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    steps = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(steps == 1), np.flatnonzero(steps == -1), strict=True))


def _lip_red(animator: FaceAnimator) -> float:
    """The lower lip's red channel (median across its middle half)."""
    g = animator.geometry
    us = np.linspace(g.mouth_centre_u - 0.5 * g.mouth_half_width,
                     g.mouth_centre_u + 0.5 * g.mouth_half_width, 15)
    inner, outer = g.lower_inner(us), g.lower_outer(us)
    pixels = np.concatenate([animator._pixels_at(us, inner + share * (outer - inner))
                             for share in (0.3, 0.5, 0.7)])
    return float(np.median(pixels[:, 0]))


def _tongue_like(rgb: np.ndarray, lip_red: float) -> np.ndarray:
    """Lit mucosa, not the dark throat (red at least 0.45 of the lips'), and redder than lip
    (red twice the green: the lips are 1.3-1.8 times)."""
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return (red >= 0.45 * lip_red) & (red >= 2.0 * green) & (red >= 1.6 * blue)


def _tongue(animator: FaceAnimator, mouth_open: float, tongue: float = 0.0):
    """(top v, height px) of the tongue-coloured runs in the middle of the opening, or None."""
    upper, lower = _opening_lines(animator, mouth_open)
    frame = animator.render(FramePose(mouth_open=mouth_open, tongue=tongue))
    vs, rgb = _along_middle(frame, animator.geometry, upper + 1.0, lower - 1.0, spread=0.15)
    runs = _runs(_tongue_like(rgb, _lip_red(animator)))
    if not runs:
        return None, 0.0, (upper, lower)
    start, end = max(runs, key=lambda run: run[1] - run[0])
    return float(vs[start]), (end - start) * STEP, (upper, lower)


@pytest.mark.parametrize("name", PHOTOS)
def test_an_open_vowel_shows_a_lit_tongue_low_in_the_mouth_moving_with_the_jaw(animators,
                                                                               name):
    # On main, a smiling photo's wide opening was a black cavity under the teeth (obama.jpg:
    # a quarter pixel of tongue colour, astronaut.png 3 px, both at the widest opening).
    animator = animators[name]
    top, height, (upper, lower) = _tongue(animator, 1.0)
    assert height >= 5.5, (top, height)  # 6-10 px
    # Low in the mouth: its top in the lower 60 % of the opening (0.46 of the way down in
    # obama2.jpg, where it lies on the photo's own tongue; 0.66-0.71 in the others).
    assert top > upper + 0.4 * (lower - upper)
    # It rides down with the jaw: from 0.8 to 1.0 of the widest opening its top moves down
    # by at least 0.4 of the lower lip's move (0.5-0.95 of it).
    narrower_top, narrower_height, (_, narrower_lower) = _tongue(animator, 0.8)
    assert narrower_height > 0.0
    assert top - narrower_top >= 0.4 * (lower - narrower_lower), (narrower_top, top)
    # Hidden when the mouth is nearly shut.
    assert _tongue(animator, 0.15)[1] == 0.0
    # On th/l its tip rises towards the upper teeth.
    raised_top, _, _ = _tongue(animator, 1.0, tongue=1.0)
    assert raised_top < top - 3.0


def _tooth_like(rgb: np.ndarray, teeth_luma: float) -> np.ndarray:
    luma = rgb.mean(axis=-1)
    redness = (rgb[..., 0] - rgb[..., 1]) / np.maximum(rgb[..., 0], 1.0)
    return (luma >= 0.6 * teeth_luma) & (redness < 0.2)


def _teeth_runs(animator: FaceAnimator, frame: np.ndarray, teeth_luma: float,
                mouth_open: float) -> list[tuple[float, float]]:
    """(top v, height px) of each run of tooth colour down the mouth's middle."""
    g = animator.geometry
    upper, lower = _opening_lines(animator, mouth_open)
    vs, rgb = _along_middle(frame, g, upper - 3.0, lower + 3.0)
    return [(float(vs[start]), (end - start) * STEP)
            for start, end in _runs(_tooth_like(rgb, teeth_luma))]


def _photo_teeth(animator: FaceAnimator) -> tuple[float, list[tuple[float, float]]]:
    """The photo's teeth brightness (95th percentile down its middle) and its tooth runs."""
    g = animator.geometry
    middle = g.mouth_centre_u
    _, rgb = _along_middle(animator.image, g, float(g.upper_inner(middle)) - 3.0,
                           float(g.lower_inner(middle)) + 3.0)
    teeth_luma = float(np.percentile(rgb.mean(axis=-1), 95))
    rest = g.rest_gap / ((1.0 - UPPER_LIP_SHARE) * animator.max_opening_px)
    return teeth_luma, _teeth_runs(animator, animator.image, teeth_luma, rest)


@pytest.mark.parametrize("name", SMILES)
def test_a_photos_teeth_move_as_rigid_rows_that_keep_their_height(animators, name):
    animator = animators[name]
    g = animator.geometry
    teeth_luma, photo_runs = _photo_teeth(animator)
    photo_top, photo_height = max(photo_runs, key=lambda run: run[1])
    jaw_at = {}
    # (From 0.8 of the widest opening: below it obama.jpg's lower lip rises over the tips
    # of its upper teeth, as it should.)
    for mouth_open in (0.8, 0.9, 1.0):
        frame = animator.render(FramePose(mouth_open=mouth_open))
        runs = [run for run in _teeth_runs(animator, frame, teeth_luma, mouth_open)
                if run[1] >= 1.0]
        # One row of the photo's own teeth at its own height, however wide the jaw opens:
        # on main, obama.jpg's and astronaut.png's upper teeth were cut at 0.55 of the
        # photo's gap (11 of 16 px, 9 of 14) and their lower part rode down with the jaw as
        # a second row.
        assert len(runs) == 1, (mouth_open, runs)
        top, height = runs[0]
        assert abs(height - photo_height) <= 1.5, (mouth_open, height, photo_height)
        jaw_at[mouth_open] = top
    jaw_px = (1.0 - UPPER_LIP_SHARE) * animator.max_opening_px
    rise_px = UPPER_LIP_SHARE * animator.max_opening_px
    if photo_top > float(g.upper_inner(g.mouth_centre_u)) + 0.5 * g.rest_gap:
        # The tallest run is the lower row (obama2.jpg): it moves down with the jaw.
        for mouth_open, top in jaw_at.items():
            assert abs(top - (jaw_at[1.0] - jaw_px * (1.0 - mouth_open))) <= 1.0
    else:
        # The upper row moves with the upper lip's small rise only.
        for mouth_open, top in jaw_at.items():
            assert abs(top - (jaw_at[1.0] + rise_px * (1.0 - mouth_open))) <= 1.0


def test_obama2_shows_no_stretched_tooth_slivers_across_its_opening(animators):
    # obama2.jpg's lips are parted over a dark cavity: its teeth rows end at the cavity, so
    # no tooth-coloured sliver ever reaches across the middle of the opening, and no column
    # shows a run of tooth colour taller than the photo's own teeth, at any opening, on a
    # rounded vowel or with the head turned.
    animator = animators["obama2.jpg"]
    g = animator.geometry
    teeth_luma, photo_runs = _photo_teeth(animator)
    tallest = max(height for _, height in photo_runs)
    poses = [FramePose(mouth_open=opening) for opening in (0.3, 0.6, 0.85, 1.0)]
    poses += [FramePose(mouth_open=0.9, mouth_width=0.75),
              FramePose(mouth_open=1.0, head_yaw=0.1, head_roll=0.05)]
    for pose in poses:
        frame = animator.render(pose)
        opening = pose.mouth_open * animator.max_opening_px
        for across in np.linspace(-0.9, 0.9, 37):
            u = g.mouth_centre_u + across * g.mouth_half_width
            lip = np.array([float(g.upper_inner(u))], dtype=np.float32)
            field = mouth_field(g, np.array([u], dtype=np.float32), lip, opening_px=opening,
                                width=1.0)
            top, gap = float(lip[0] - field.from_top[0]), float(field.gap[0])
            if gap < 4.0:
                continue
            vs, rgb = _along_middle(frame, g, top + 0.5, top + gap - 0.5, u=u, spread=0.0)
            for start, end in _runs(_tooth_like(rgb, teeth_luma)):
                height = (end - start) * STEP
                assert height <= tallest + 1.5, (pose, across, height)
                if pose.mouth_open >= 0.85 and pose.mouth_width == 1.0:
                    reach = (vs[start] - top) / gap, (vs[end - 1] - top) / gap
                    assert not (reach[0] < 0.45 and reach[1] > 0.55), (pose, across, reach)
