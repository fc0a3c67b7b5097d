"""DiffusionRenderer: the Renderer protocol over the EMO pipeline (tiny random weights)."""

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from generation.diffusion import EmoPipeline, MissingWeightsError, save_tiny_pipeline, tiny_config
from generation.media import DecodedAudio, probe_video
from generation.render_job import RenderCancelled, render_to_file
from generation.renderers import Renderer, RenderRequest, get_renderer
from generation.renderers.diffusion import DiffusionRenderer

FACES = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "faces"


@pytest.fixture(autouse=True)
def one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def renderer() -> DiffusionRenderer:
    return DiffusionRenderer(
        pipeline=EmoPipeline(**tiny_config()), window=4, motion_frames=2, num_inference_steps=2
    )


def speech(seconds: float) -> DecodedAudio:
    rng = np.random.default_rng(0)
    return DecodedAudio.from_samples(0.1 * rng.standard_normal(int(seconds * 16_000)), 16_000)


def request(
    seconds: float = 1.0,
    *,
    fps: int = 10,
    size: int = 32,
    seed: int = 0,
    landmarks: np.ndarray | None = None,
) -> RenderRequest:
    portrait = np.asarray(Image.open(FACES / "astronaut.png").convert("RGB"))
    return RenderRequest(
        portrait_rgb=portrait,
        landmarks=landmarks,
        audio=speech(seconds),
        size=size,
        fps=fps,
        seed=seed,
    )


def face_landmarks() -> np.ndarray:
    """68 points on an ellipse where astronaut.png's face is: enough for the crop and mask."""
    angles = np.linspace(0, 2 * np.pi, 68, endpoint=False)
    return np.stack([250 + 70 * np.cos(angles), 190 + 90 * np.sin(angles)], axis=1)


def test_is_the_diffusion_renderer_by_name(renderer):
    assert isinstance(renderer, Renderer)
    assert renderer.name == "diffusion"
    built = get_renderer("diffusion", pipeline=renderer.pipeline)
    assert isinstance(built, DiffusionRenderer)


@pytest.mark.parametrize(("seconds", "fps"), [(1.0, 10), (1.0, 8), (0.9, 10)])
def test_yields_as_many_frames_as_the_audio_lasts_at_the_requested_fps(renderer, seconds, fps):
    job = request(seconds, fps=fps)
    frames = list(renderer.frames(job))
    assert renderer.frame_count(job) == round(seconds * fps) == len(frames)


def test_frames_are_square_uint8_rgb_at_the_requested_size(renderer):
    frames = list(renderer.frames(request(size=40, landmarks=face_landmarks())))
    assert {frame.shape for frame in frames} == {(40, 40, 3)}
    assert {frame.dtype for frame in frames} == {np.dtype(np.uint8)}


def test_seed_decides_the_frames(renderer):
    first = np.stack(list(renderer.frames(request(seed=1))))
    again = np.stack(list(renderer.frames(request(seed=1))))
    other = np.stack(list(renderer.frames(request(seed=2))))
    assert np.array_equal(first, again) and not np.array_equal(first, other)


def test_frames_stream_window_by_window_and_stopping_ends_the_work(renderer):
    calls = []
    hook = renderer.pipeline.denoising_unet.register_forward_pre_hook(lambda *a: calls.append(1))
    try:
        frames = renderer.frames(request())
        for _ in range(4):  # the first window
            next(frames)
        assert len(calls) == 2  # one window's two steps, not the whole clip's six
        frames.close()
        assert len(calls) == 2
        assert renderer.pipeline.reference_bank.attention_tokens == {}  # features freed
    finally:
        hook.remove()


def test_renders_a_cancellable_mp4(renderer, tmp_path):
    result = render_to_file(renderer, request(fps=10, size=32), tmp_path / "out.mp4")
    info = probe_video(result.path)
    assert info.frame_count == 10 and (info.width, info.height) == (32, 32)

    with pytest.raises(RenderCancelled):
        render_to_file(renderer, request(), tmp_path / "gone.mp4", should_cancel=lambda: True)
    assert not (tmp_path / "gone.mp4").exists()


def test_audio_at_another_rate_is_refused(renderer):
    job = request()
    job = RenderRequest(
        portrait_rgb=job.portrait_rgb,
        landmarks=None,
        audio=DecodedAudio.from_samples(np.zeros(8_000), 8_000),
    )
    with pytest.raises(ValueError, match="16000"):
        next(renderer.frames(job))


def test_a_model_dir_is_checked_at_once_and_loaded_on_first_render(tmp_path):
    with pytest.raises(MissingWeightsError, match="vae/"):
        DiffusionRenderer(model_dir=tmp_path / "empty")

    model_dir = save_tiny_pipeline(tmp_path / "model")
    from_disk = DiffusionRenderer(model_dir=model_dir, window=4, num_inference_steps=1)
    frames = list(from_disk.frames(request(0.5, size=16)))
    assert len(frames) == 5 and frames[0].shape == (16, 16, 3)


def test_needs_exactly_one_source_of_weights(renderer, tmp_path):
    with pytest.raises(ValueError):
        DiffusionRenderer()
    with pytest.raises(ValueError):
        DiffusionRenderer(model_dir=tmp_path, pipeline=renderer.pipeline)
