"""EmoPipeline on the tiny random configuration: shapes, windows, seeds, guidance, conditions."""

import numpy as np
import pytest
import torch

from generation.diffusion import EmoPipeline, face_mask_from_landmarks, tiny_config

SIDE = 48  # portrait side; the tiny pipeline works at 16 px


@pytest.fixture(autouse=True)
def one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def pipe() -> EmoPipeline:
    return EmoPipeline(**tiny_config())


def portrait(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (SIDE, SIDE, 3), dtype=np.uint8)


def speech(seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (0.1 * rng.standard_normal(int(seconds * 16_000))).astype(np.float32)


FACE = face_mask_from_landmarks(np.array([[14.0, 12.0], [34.0, 40.0]]), SIDE, SIDE)


def run(pipe, *, seed=0, image=None, mask=FACE, audio=None, **options):
    settings = dict(fps=10, window=4, motion_frames=2, num_inference_steps=2, guidance_scale=1.0)
    settings.update(options)
    return pipe(
        portrait() if image is None else image,
        mask,
        speech(1.0) if audio is None else audio,
        generator=torch.Generator().manual_seed(seed),
        **settings,
    ).frames


class Recorder:
    """Forward pre-hook keeping each call's inputs."""

    def __init__(self, module: torch.nn.Module) -> None:
        self.calls: list[tuple[tuple, dict]] = []
        self.handle = module.register_forward_pre_hook(self, with_kwargs=True)

    def __call__(self, module, args, kwargs):
        self.calls.append((args, kwargs))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.remove()


@pytest.mark.parametrize(
    ("seconds", "fps", "expected"), [(1.0, 10, 10), (1.0, 8, 8), (0.55, 10, 6)]
)
def test_frame_count_follows_audio_length_at_the_given_fps(pipe, seconds, fps, expected):
    frames = run(pipe, audio=speech(seconds), fps=fps)
    assert len(frames) == expected


def test_frames_are_uint8_rgb_at_the_model_size(pipe):
    frames = run(pipe)
    assert frames.shape == (10, pipe.image_size, pipe.image_size, 3)
    assert frames.dtype == np.uint8
    assert frames.std() > 0


def test_same_seed_gives_identical_frames_and_another_seed_different_ones(pipe):
    first, again, other = run(pipe, seed=7), run(pipe, seed=7), run(pipe, seed=8)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_each_window_hears_exactly_its_own_frames_audio(pipe):
    audio = speech(1.0, seed=3)
    with Recorder(pipe.denoising_unet) as unet:
        run(pipe, audio=audio, num_inference_steps=1)
    heard = torch.cat([kwargs["encoder_hidden_states"] for _, kwargs in unet.calls])
    with torch.no_grad():
        expected = pipe.encode_audio(audio, fps=10, num_frames=10)
    # Windows of 4, 4 and 2 frames; any off-by-one at a boundary would shift the tokens.
    assert [args[0].shape[2] for args, _ in unet.calls] == [4, 4, 2]
    assert torch.equal(heard, expected)


def test_windows_continue_from_the_generated_frames(pipe, monkeypatch):
    decoded: list[torch.Tensor] = []
    original = pipe.decode_latents

    def keep(latents):
        decoded.append(latents.clone())
        return original(latents)

    monkeypatch.setattr(pipe, "decode_latents", keep)
    with Recorder(pipe.reference_unet) as reference:
        frames = run(pipe, motion_frames=2)
    assert [len(window) for window in decoded] == [4, 4, 2]
    assert len(frames) == 10
    rows = [args[0] for args, _ in reference.calls]
    assert [len(window_rows) for window_rows in rows] == [3, 3, 3]  # portrait + 2 motion frames
    motion_rows = [window_rows[1:] for window_rows in rows]
    # Before anything is generated the portrait stands in for the past frames.
    assert torch.equal(motion_rows[0], rows[0][:1].expand(2, -1, -1, -1))
    # Window 2 starts from window 1's frames 2 and 3, window 3 from window 2's frames 6 and 7.
    assert torch.equal(motion_rows[1], decoded[0][-2:])
    assert torch.equal(motion_rows[2], decoded[1][-2:])


def test_motion_frames_change_the_next_window(pipe):
    with_past = run(pipe, motion_frames=2)
    without_past = run(pipe, motion_frames=0)
    # Same seed, same noise: later windows differ only through the motion frames.
    assert not np.array_equal(with_past[4:], without_past[4:])


def test_guidance_off_runs_one_branch_once_per_step_and_on_runs_both(pipe):
    with Recorder(pipe.denoising_unet) as unet:
        off = run(pipe, guidance_scale=1.0, num_inference_steps=3)
    assert len(unet.calls) == 3 * 3  # three windows, three steps
    assert {args[0].shape[0] for args, _ in unet.calls} == {1}

    with Recorder(pipe.denoising_unet) as unet:
        on = run(pipe, guidance_scale=3.0, num_inference_steps=3)
    assert len(unet.calls) == 3 * 3
    assert {args[0].shape[0] for args, _ in unet.calls} == {2}
    assert not np.array_equal(off, on)


def test_portrait_reaches_the_backbone_through_reference_attention(pipe):
    # Without motion frames the portrait can act only through reference attention.
    one = run(pipe, image=portrait(1), motion_frames=0)
    other = run(pipe, image=portrait(2), motion_frames=0)
    assert not np.array_equal(one, other)


def test_face_mask_changes_the_result(pipe):
    everywhere = np.ones((SIDE, SIDE), dtype=np.float32)
    assert not np.array_equal(run(pipe), run(pipe, mask=everywhere))


@pytest.mark.parametrize("scheduler", ["ddim", "dpm++", "euler"])
def test_every_scheduler_generates_the_clip(scheduler):
    pipe = EmoPipeline(**tiny_config())
    pipe.use_scheduler(scheduler)
    frames = run(pipe, num_inference_steps=3, guidance_scale=2.0)
    assert frames.shape == (10, pipe.image_size, pipe.image_size, 3)


def test_progress_is_reported_after_every_step(pipe):
    reports = []
    run(pipe, num_inference_steps=2, callback=reports.append)
    assert [(r.window_index, r.step_index) for r in reports] == [
        (w, s) for w in range(3) for s in range(2)
    ]
    assert reports[-1].fraction == 1.0


def test_stream_yields_windows_in_order(pipe):
    windows = list(
        pipe.stream(portrait(), FACE, speech(1.0), fps=10, window=4, num_inference_steps=1)
    )
    assert [(w.index, w.frame_start, len(w.frames)) for w in windows] == [
        (0, 0, 4),
        (1, 4, 4),
        (2, 8, 2),
    ]


@pytest.mark.parametrize(
    "bad",
    [
        {"image": np.zeros((SIDE, SIDE + 2, 3), dtype=np.uint8)},
        {"mask": np.ones((10, 10))},
        {"fps": 0},
        {"audio": np.zeros(10, dtype=np.float32)},
        {"window": 15, "motion_frames": 2},  # 17 > the tiny temporal layers' 16 positions
    ],
)
def test_bad_inputs_are_refused_before_any_work(pipe, bad):
    with pytest.raises(ValueError):
        run(pipe, **bad)
