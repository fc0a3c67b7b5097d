import numpy as np
import pytest

from safety import disclosure
from safety.disclosure import CORNERS, DisclosureLabel


def _noise_frame(height: int, width: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(40, 216, (height, width, 3), dtype=np.uint8)


@pytest.mark.parametrize("size", [512, 256])
@pytest.mark.parametrize("corner", CORNERS)
def test_label_changes_only_its_own_corner(corner, size):
    frame = _noise_frame(size, size)
    label = DisclosureLabel(corner)

    out = label.apply(frame)

    changed_rows, changed_cols = np.nonzero(np.any(out != frame, axis=2))
    box = label.box(size, size)
    assert changed_rows.size > 0.5 * (box.bottom - box.top) * (box.right - box.left)
    assert changed_rows.min() >= box.top and changed_rows.max() < box.bottom
    assert changed_cols.min() >= box.left and changed_cols.max() < box.right
    vertical, horizontal = corner.split("-")
    in_top_half = changed_rows.max() < size // 2
    in_left_half = changed_cols.max() < size // 2
    assert in_top_half == (vertical == "top")
    assert in_left_half == (horizontal == "left")
    assert (box.bottom - box.top) * (box.right - box.left) < 0.06 * size * size


@pytest.mark.parametrize("size", [512, 256])
def test_label_text_stands_out_on_white_and_on_black(size):
    label = DisclosureLabel()
    box = label.box(size, size)

    for background in (255, 0):
        frame = np.full((size, size, 3), background, np.uint8)
        patch = label.apply(frame)[box.top : box.bottom, box.left : box.right].astype(int)
        luma = patch.mean(axis=2)
        text = luma >= 230
        box_only = (luma < 140) & (luma > 0) if background == 255 else luma < 60
        # Enough glyph pixels to form 12 characters, on a box clearly darker than the text.
        assert text.sum() > 12 * 6
        assert box_only.sum() > text.sum()
    assert box.bottom - box.top >= 16  # at least ~11 px tall glyphs plus padding


def test_input_frame_is_left_untouched_and_output_is_stable():
    frame = _noise_frame(256, 256, seed=3)
    original = frame.copy()
    label = DisclosureLabel("top-left")

    first, second = label.apply(frame), label.apply(frame)

    assert np.array_equal(frame, original)
    assert np.array_equal(first, second)
    assert first.dtype == np.uint8 and first.shape == frame.shape


def test_landscape_frame_keeps_the_label_inside():
    frame = _noise_frame(360, 640)
    for corner in CORNERS:
        box = DisclosureLabel(corner).box(360, 640)
        assert 0 <= box.top < box.bottom <= 360 and 0 <= box.left < box.right <= 640
        assert not np.array_equal(DisclosureLabel(corner).apply(frame), frame)


@pytest.mark.parametrize("corner", ["none", "off", "", "center", None])
def test_there_is_no_way_to_switch_the_label_off(corner):
    with pytest.raises(ValueError, match="corner"):
        DisclosureLabel(corner)


def test_rejects_frames_it_cannot_label():
    label = DisclosureLabel()
    with pytest.raises(ValueError, match="RGB uint8"):
        label.apply(np.zeros((64, 64), np.uint8))
    with pytest.raises(ValueError, match="RGB uint8"):
        label.apply(np.zeros((64, 64, 3), np.float32))
    with pytest.raises(ValueError, match="too small"):
        label.apply(np.zeros((20, 20, 3), np.uint8))


def test_label_renders_without_the_system_font(monkeypatch):
    # Machines without Debian's fonts-dejavu-core fall back to Pillow's bundled font.
    monkeypatch.setattr(disclosure, "_PREFERRED_FONT", "no-such-font.ttf")
    disclosure._font.cache_clear()
    disclosure._overlay.cache_clear()
    try:
        frame = _noise_frame(256, 256)
        out = DisclosureLabel().apply(frame)
        box = DisclosureLabel().box(256, 256)
        patch = out[box.top : box.bottom, box.left : box.right].mean(axis=2)
        assert (patch >= 230).sum() > 12 * 6
    finally:
        disclosure._font.cache_clear()
        disclosure._overlay.cache_clear()


def test_the_german_label_reads_ki_generiert_in_the_same_box():
    """Without OCR: both texts are 12 monospaced cells and share "I-gener" (cells 1-7), so the
    German label must differ from the English one exactly in cell 0 ("K" for "A") and cells
    8-11 ("iert" for "ated"), in a box of the same size and place."""
    frame = np.full((512, 512, 3), 128, np.uint8)
    english, german = DisclosureLabel(), DisclosureLabel(language="de")
    box = english.box(512, 512)
    assert german.box(512, 512) == box
    assert (english.text, german.text) == ("AI-generated", "KI-generiert")
    patch = slice(box.top, box.bottom), slice(box.left, box.right)
    differs = np.any(english.apply(frame)[patch] != german.apply(frame)[patch], axis=(0, 2))
    inked = np.any(english.apply(frame)[patch] > 200, axis=(0, 2))
    first, last = np.flatnonzero(inked)[[0, -1]]
    cell = (last + 1 - first) / 12
    for index in range(12):
        inner = slice(int(first + index * cell + 2), int(first + (index + 1) * cell - 2))
        assert differs[inner].any() == (index == 0 or index >= 8), index


@pytest.mark.parametrize("language", ["fr", "", None, "AI-generated"])
def test_the_label_speaks_only_the_languages_it_was_given(language):
    with pytest.raises(ValueError, match="language"):
        DisclosureLabel(language=language)
