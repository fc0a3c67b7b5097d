"""A photo's dark mouth corner stays out of the frame where the lips meet or nearly do.

obama2.jpg is taken mid-speech, and its right mouth corner (the image's right) is black in
the photo: dlib's upper inner lip line lies a few px inside that dark, and the upper lip's
last px above it are nearly as dark. With the mouth part closed (0.2-0.3 of the full
opening, widths 0.9-1.1) that black stood as a thin line from the teeth's end down to the
corner; rounded (0.75 of the width, 0.3-0.6 open) it stood as a hard black wedge beside the
hole, where the lips meet. No other photo's corner shows it.

Read from rendered frames of the shared photos (the head still), per column of the mouth's
frame in the outer part of each side, as tests/generation/test_closing_corner.py does: how
many px of the column, between the lips' outer lines, are black (darker than BLACK_SHARE of
the lips' middle; the animator's painted mouth is never that dark, the photo's black corner
is). Averaged over the outer part, that is the black's area per px of width; it may not
exceed MAX_CORNER_BLACK_SHARE of the face's height. On 323e045 obama2.jpg's right corner
read 0.0008-0.0016 face heights at 0.2-0.3 open and 0.0023-0.0024 rounded (0.45-0.6 open); the other photos at
most 0.0004 (obama.jpg's own dark commissure at the hole's end); now 0 on obama2.jpg.
"""

from __future__ import annotations

import pytest

from generation.renderers.talking.face_animator import FramePose
from tests.generation.test_closing_corner import corner_dark_px

PHOTOS = ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png")
# (mouth_width, mouth_open): part closed at spread and neutral widths, and rounded.
POSES = tuple((width, opening) for width in (0.9, 1.0, 1.1) for opening in (0.2, 0.3)) + tuple(
    (0.75, opening) for opening in (0.3, 0.45, 0.6))
BLACK_SHARE = 0.06
MAX_CORNER_BLACK_SHARE = 0.0006


@pytest.mark.parametrize(("mouth_width", "mouth_open"), POSES)
@pytest.mark.parametrize("photo", PHOTOS)
def test_part_closed_and_rounded_corners_show_no_black(animators, photo, mouth_width,
                                                       mouth_open):
    animator = animators[photo]
    frame = animator.render(FramePose(mouth_open=mouth_open, mouth_width=mouth_width))
    limit = MAX_CORNER_BLACK_SHARE * animator.geometry.face_height
    for side in (-1.0, 1.0):
        black = corner_dark_px(animator, frame, side, dark_share=BLACK_SHARE)
        assert black <= limit, (
            f"{photo} at width {mouth_width}, mouth_open {mouth_open}: "
            f"{'right' if side > 0 else 'left'} corner shows {black:.2f} px of black per "
            f"column (at most {limit:.2f})")
