from pathlib import Path

import av
import numpy as np
import pytest

from generation.media import DecodedAudio, probe_video
from generation.render_job import RenderCancelled, render_to_file
from generation.renderers import RenderRequest, UnknownRendererError, get_renderer
from generation.renderers.base import crop_portrait
from generation.renderers.still import StillRenderer
from tests.generation import media_factory as mf


def _request(seconds: float, size: int = 128, landmarks: np.ndarray | None = None
             ) -> RenderRequest:
    portrait = np.asarray(mf.gradient_image(160, 120))
    return RenderRequest(
        portrait_rgb=portrait,
        landmarks=landmarks,
        audio=DecodedAudio.from_samples(mf.tone(seconds), 16_000),
        size=size,
    )


def test_still_render_is_h264_aac_25fps_as_long_as_the_audio(tmp_path: Path) -> None:
    dst = tmp_path / "out.mp4"
    progress: list[tuple[int, int]] = []

    result = render_to_file(StillRenderer(), _request(2.37), dst,
                            on_progress=lambda done, total: progress.append((done, total)))

    info = probe_video(dst)
    with av.open(str(dst)) as container:
        codecs = sorted(s.codec_context.name for s in container.streams)
    assert codecs == ["aac", "h264"]
    assert info.fps == 25.0 and (info.width, info.height) == (128, 128)
    assert result.frame_count == info.frame_count == round(2.37 * 25)
    assert abs(info.duration_seconds - 2.37) <= 1 / 25
    assert info.audio_duration_seconds == pytest.approx(2.37, abs=0.01)
    assert progress[-1] == (result.frame_count, result.frame_count)
    assert list(tmp_path.iterdir()) == [dst]


def test_still_frames_show_the_centre_crop_when_no_landmarks() -> None:
    request = _request(0.5)

    frames = list(StillRenderer().frames(request))

    assert len(frames) == round(0.5 * 25)
    expected = crop_portrait(request.portrait_rgb, None, 128).image
    assert np.array_equal(frames[0], expected)
    # The 160x120 gradient's centre square keeps its left-to-right red ramp.
    assert frames[0][:, -1, 0].mean() > frames[0][:, 0, 0].mean() + 150


def test_crop_follows_the_landmarks() -> None:
    portrait = np.zeros((400, 600, 3), dtype=np.uint8)
    # A fake "face": 68 points spread over a 60x60 box centred at (450, 250).
    rng = np.random.default_rng(0)
    landmarks = rng.uniform((420, 220), (480, 280), size=(68, 2))
    landmarks[0], landmarks[1] = (420, 220), (480, 280)

    crop = crop_portrait(portrait, landmarks, 256)

    assert crop.landmarks is not None
    centre = crop.landmarks.mean(axis=0)
    assert np.all(np.abs(centre - 128) < 40)  # the face sits near the middle of the crop
    span = crop.landmarks.max(axis=0) - crop.landmarks.min(axis=0)
    assert 90 < span.max() < 130  # about 1/2.2 of the frame


def test_cancel_stops_and_removes_the_partial_file(tmp_path: Path) -> None:
    dst = tmp_path / "out.mp4"
    calls = {"n": 0}

    def cancel_on_third_check() -> bool:
        calls["n"] += 1
        return calls["n"] >= 3

    with pytest.raises(RenderCancelled):
        render_to_file(StillRenderer(), _request(4.0), dst, should_cancel=cancel_on_third_check,
                       check_every=5)

    assert calls["n"] == 3  # checked every 5 frames: stopped after 10 of 100 frames
    assert list(tmp_path.iterdir()) == []


class _BrokenRenderer(StillRenderer):
    name = "broken"

    def frames(self, request: RenderRequest):
        for index, frame in enumerate(super().frames(request)):
            if index == 20:
                raise OSError("disk on fire")
            yield frame


def test_failure_mid_write_leaves_nothing_behind(tmp_path: Path) -> None:
    dst = tmp_path / "out.mp4"

    with pytest.raises(OSError, match="disk on fire"):
        render_to_file(_BrokenRenderer(), _request(2.0), dst)

    assert list(tmp_path.iterdir()) == []


def test_failure_keeps_an_existing_destination_untouched(tmp_path: Path) -> None:
    dst = tmp_path / "out.mp4"
    dst.write_bytes(b"previous version")

    with pytest.raises(OSError):
        render_to_file(_BrokenRenderer(), _request(2.0), dst)

    assert dst.read_bytes() == b"previous version"
    assert list(tmp_path.iterdir()) == [dst]


def test_get_renderer_by_name() -> None:
    assert get_renderer("still").name == "still"
    with pytest.raises(UnknownRendererError, match="Unknown renderer 'oil-painting'"):
        get_renderer("oil-painting")
