"""What a viewer sees of the CPU animator's lowered lids on the shared real face photos: a shut
eye is the lid's skin down to one soft lash line along a smooth arc, no darker or wider than
the photo's own upper lash line, and a half-shut lid covers the top of the iris with a clean
edge."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from generation.renderers.talking.face_animator import FramePose
from tests.generation import face_helpers as fh

FACES = ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png")
# dlib's (upper lid, lower lid) points of each eye, corner to corner.
EYES = (([36, 37, 38, 39], [36, 41, 40, 39]), ([42, 43, 44, 45], [42, 47, 46, 45]))



def _luma(frame: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(float)


def _line_through(points: np.ndarray, xs: np.ndarray) -> np.ndarray:
    order = np.argsort(points[:, 0])
    return np.interp(xs, points[order, 0], points[order, 1])


def _columns(landmarks: np.ndarray, eye, middle: float) -> tuple[np.ndarray, np.ndarray,
                                                                     np.ndarray]:
    """Pixel columns across the middle ``middle`` share of the eye's width, with dlib's upper
    and lower lid lines (rows) at each."""
    upper_ids, lower_ids = eye
    left, right = landmarks[upper_ids[0], 0], landmarks[upper_ids[-1], 0]
    centre, half = (left + right) / 2, (right - left) / 2
    xs = np.arange(int(np.ceil(centre - middle * half)), int(centre + middle * half) + 1)
    return (xs, _line_through(landmarks[upper_ids], xs),
            _line_through(landmarks[lower_ids], xs))


def _dark_runs(column: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """(first, last) index of each run of samples darker than ``threshold``."""
    dark = np.flatnonzero(column < threshold)
    if not len(dark):
        return []
    runs = np.split(dark, np.flatnonzero(np.diff(dark) > 1) + 1)
    return [(int(run[0]), int(run[-1])) for run in runs]


def _photo_lash_line(luma: np.ndarray, landmarks: np.ndarray, eye) -> tuple[float, float]:
    """The photo's own upper lash line, over the middle of the open eye: its darkness (the
    median over columns of the darkest pixel within 4 px above to 1 px below dlib's upper
    lid line) and its width (median over columns of the dark run there, darker than halfway
    between that pixel and the lid skin 6-9 px above the line)."""
    xs, upper, _ = _columns(landmarks, eye, 0.6)
    darkest, widths, over_white = [], [], []
    for x, top in zip(xs, np.round(upper).astype(int), strict=True):
        column = luma[top - 9:top + 2, x]
        lash = column[-6:]
        skin = float(np.median(column[:4]))
        darkest.append(lash.min())
        runs = _dark_runs(column, (lash.min() + skin) / 2)
        widths.append(max(last - first + 1 for first, last in runs) if runs else 0)
        # Where the iris touches the lid (obama2.jpg looks up and aside) its pupil is the
        # darkest pixel, not the lashes: the line is read over the whites where there are
        # any (brighter than the lid's skin within 4 px under the darkest pixel).
        below = top - 4 + int(np.argmin(lash))
        over_white.append(luma[below + 1:below + 5, x].max() > skin)
    over_white = np.array(over_white)
    if over_white.sum() < 3:
        over_white[:] = True
    return (float(np.median(np.array(darkest)[over_white])),
            float(np.median(np.array(widths)[over_white])))


def _shut_line(luma: np.ndarray, landmarks: np.ndarray, eye) -> dict:
    """Per column across the middle 80 % of a shut eye, from 1 px above dlib's (open) upper
    lid line to 4 px below its lower one: the dark lines (runs darker than halfway between
    the column's darkest pixel and its median, the lid skin, with brighter pixels above and
    below them: the shadow of a heavy brow reaching down onto the lid from above is no
    line), how many there are, and the darkest one's darkest pixel, length and middle row."""
    xs, upper, lower = _columns(landmarks, eye, 0.8)
    darkest, lines, widths, rows = [], [], [], []
    for x, top, bottom in zip(xs, np.round(upper).astype(int), np.round(lower).astype(int),
                              strict=True):
        column = luma[top - 1:bottom + 5, x]
        threshold = (column.min() + np.median(column)) / 2
        runs = [(first, last) for first, last in _dark_runs(column, threshold)
                if first > 0 and last < len(column) - 1]
        lines.append(len(runs))
        if not runs:
            continue
        first, last = min(runs, key=lambda run: column[run[0]:run[1] + 1].min())
        darkest.append(column[first:last + 1].min())
        widths.append(last - first + 1)
        rows.append(top - 1 + (first + last) / 2)
    return {"xs": xs, "darkest": np.array(darkest), "lines": np.array(lines),
            "widths": np.array(widths), "rows": np.array(rows)}


def _arc_misfit(xs: np.ndarray, rows: np.ndarray) -> float:
    """Largest distance (rows) of the line's middle from the cubic that fits it best.

    A cubic, not a parabola: astronaut.png's eyes are tilted and their arcs steeper at the
    inner end, which no parabola follows; its parabola misfit swung between 1.24 and 1.71 px
    on the very same shut-eye pixels as dlib's landmarks on the unblinked frame moved by a
    pixel (a change of the chin only). The cubic reads 0.3-0.8 on every eye now, and 1.13 on
    the wavy line this test was written against (2ebb837), which the parabola read 1.96."""
    fit = np.polyval(np.polyfit(xs, rows, 3), xs)
    return float(np.abs(rows - fit).max())


def _lowered(animator, blink: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The unblinked frame's luma, dlib's landmarks on it, and the luma with the lids lowered
    by ``blink``."""
    photo = animator.render(FramePose())
    return (_luma(photo), fh.detect_landmarks(photo),
            _luma(animator.render(FramePose(blink=blink))))


@pytest.mark.parametrize("name", FACES)
def test_a_shut_eye_is_one_soft_lash_line_along_a_smooth_arc(animators, name) -> None:
    # Before, the shut lid's line was the photo's lash band moved down (with the heavy
    # lid's shadow or the iris in it) over the photo's own lower lashes: its darkest pixels
    # (tenth percentile of columns) 5 and 3 on obama2.jpg, whose lash line over the whites
    # is 9 and 15, 24 and 20 on obama.jpg (40, 30.5), 56 and 29 on astronaut.png (72, 95).
    photo, landmarks, shut = _lowered(animators[name], blink=1.0)
    for eye in EYES:
        lash_darkness, lash_width = _photo_lash_line(photo, landmarks, eye)
        line = _shut_line(shut, landmarks, eye)
        # No darker than the photo's own lash line (nine in ten columns), and no wider.
        assert np.percentile(line["darkest"], 10) >= lash_darkness - 4, name
        assert np.median(line["widths"]) <= max(lash_width, 2) + 1, name
        # One line, not a loop or a second line under the first.
        assert np.mean(line["lines"] == 1) >= 0.9, name
        # Along a smooth arc: within 1 px of a cubic, and no step over 1.5 px from
        # one column to the next (rows are read in half pixels).
        found = line["lines"] > 0
        assert _arc_misfit(line["xs"][found], line["rows"]) <= 1.0, name
        assert np.abs(np.diff(line["rows"])).max() <= 1.5, name


@pytest.mark.parametrize("name", FACES)
def test_a_half_shut_lid_covers_the_top_of_the_iris_with_a_clean_edge(animators, name
                                                                      ) -> None:
    # Half shut, the lid's skin reaches down to its edge: the rows above the edge are lid,
    # not a black band or a dirty band the iris shows through. Before, the tenth percentile
    # of those rows was 47 and 34 on obama2.jpg (at least 54 and 57 asked), 18 on biden.jpg's
    # left eye (26) and 101 on astronaut.png's right (104).
    photo, landmarks, half = _lowered(animators[name], blink=0.5)
    for eye in EYES:
        lash_darkness, _ = _photo_lash_line(photo, landmarks, eye)
        xs, upper, lower = _columns(landmarks, eye, 0.6)
        edge = upper + 0.5 * (lower - upper)
        lid_rows = []
        for x, top, bottom in zip(xs, upper, edge, strict=True):
            # The lid between its old margin and 2.5 px above its new edge (the lash line
            # lies on the edge, the iris under it).
            rows = np.arange(int(np.ceil(top)), int(np.floor(bottom - 2.5)) + 1)
            if len(rows):
                lid_rows.append(half[rows, x])
        lid = np.concatenate(lid_rows)
        # Nine in ten of its pixels closer to the lid's skin than to the lash line.
        assert np.percentile(lid, 10) >= lash_darkness + 0.5 * (np.median(lid) - lash_darkness), \
            name
