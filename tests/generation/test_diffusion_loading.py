"""Loading the EMO pipeline from a local directory only, and refusing incomplete or unsafe ones."""

import shutil
import socket

import numpy as np
import pytest
import torch

from generation.diffusion import (
    EmoPipeline,
    IncompatibleWeightsError,
    MissingWeightsError,
    load_emo_pipeline,
    loading,
    save_tiny_pipeline,
    tiny_config,
)


@pytest.fixture(autouse=True)
def one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test; the hub is told it is offline too."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args[1:] if len(args) > 1 else args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return save_tiny_pipeline(tmp_path_factory.mktemp("emo") / "model", seed=3)


def copy_of(model_dir, tmp_path):
    target = tmp_path / "model"
    shutil.copytree(model_dir, target)
    return target


def frames_of(pipe: EmoPipeline) -> np.ndarray:
    rng = np.random.default_rng(0)
    return pipe(
        rng.integers(0, 256, (32, 32, 3), dtype=np.uint8),
        np.ones((32, 32), dtype=np.float32),
        (0.1 * rng.standard_normal(8_000)).astype(np.float32),
        fps=8,
        window=4,
        num_inference_steps=2,
        guidance_scale=2.0,
        generator=torch.Generator().manual_seed(0),
    ).frames


def test_saved_tiny_pipeline_loads_back_offline_and_renders_like_the_original(tiny_dir, no_network):
    loaded = load_emo_pipeline(tiny_dir)
    assert loaded.device.type == "cpu"  # no CUDA on this machine: CPU, in float32
    assert loaded.denoising_unet.dtype == torch.float32
    assert type(loaded.scheduler).__name__ == "DDIMScheduler"
    # Same seed, same weights: the frames must match the pipeline that was never saved.
    assert np.array_equal(frames_of(loaded), frames_of(EmoPipeline(**tiny_config(seed=3))))


def test_loading_can_pick_the_scheduler_and_device(tiny_dir, no_network):
    pipe = load_emo_pipeline(tiny_dir, device="cpu", scheduler="euler")
    assert type(pipe.scheduler).__name__ == "EulerDiscreteScheduler"
    assert len(frames_of(pipe)) == 4


def test_half_precision_loads_and_runs_as_on_a_gpu(tiny_dir, no_network):
    # CUDA defaults to float16; CPU float16 kernels exercise the same dtype handling.
    pipe = load_emo_pipeline(tiny_dir, dtype=torch.float16)
    assert pipe.denoising_unet.dtype == pipe.audio_encoder.dtype == torch.float16
    frames = frames_of(pipe)
    assert frames.dtype == np.uint8 and frames.std() > 0


def test_every_missing_part_is_named_at_once_before_anything_loads(tiny_dir, tmp_path, monkeypatch):
    model_dir = copy_of(tiny_dir, tmp_path)
    for weights in (model_dir / "face_locator").glob("*.safetensors"):
        weights.unlink()
    (model_dir / "audio_encoder" / "preprocessor_config.json").unlink()
    shutil.rmtree(model_dir / "motion_adapter")

    def must_not_load(*args, **kwargs):
        raise AssertionError("a part was loaded before the directory was checked")

    monkeypatch.setattr(loading, "_load_part", must_not_load)
    with pytest.raises(MissingWeightsError) as caught:
        load_emo_pipeline(model_dir)
    message = str(caught.value)
    assert str(model_dir) in message
    assert "face_locator/ (weights" in message
    assert "audio_encoder/ (preprocessor_config.json" in message
    assert "motion_adapter/ (config.json, weights" in message
    assert len(caught.value.missing) == 3


def test_a_directory_that_does_not_exist_lists_every_part(tmp_path):
    with pytest.raises(MissingWeightsError) as caught:
        load_emo_pipeline(tmp_path / "nowhere")
    assert len(caught.value.missing) == len(loading.MODEL_LAYOUT)


def test_pth_checkpoints_override_the_parts_they_are_named_after(tiny_dir, tmp_path, no_network):
    model_dir = copy_of(tiny_dir, tmp_path)
    trained = {
        name: torch.full_like(value, 0.25)
        for name, value in EmoPipeline(**tiny_config(seed=3)).face_locator.state_dict().items()
    }
    (model_dir / "checkpoints").mkdir()
    torch.save(trained, model_dir / "checkpoints" / "face_locator.pth")

    pipe = load_emo_pipeline(model_dir)
    loaded = pipe.face_locator.state_dict()
    assert all(torch.equal(loaded[name], value) for name, value in trained.items())


_EXPLOITED = []


def _run_on_unpickle():
    _EXPLOITED.append(True)
    return {}


class _Booby:
    def __reduce__(self):
        return (_run_on_unpickle, ())


def test_a_pth_that_would_run_code_is_refused_unopened(tiny_dir, tmp_path):
    model_dir = copy_of(tiny_dir, tmp_path)
    (model_dir / "checkpoints").mkdir()
    torch.save({"weight": _Booby()}, model_dir / "checkpoints" / "face_locator.pth")
    with pytest.raises(IncompatibleWeightsError, match="face_locator.pth"):
        load_emo_pipeline(model_dir)
    assert _EXPLOITED == []  # weights_only=True never called the pickled function


@pytest.mark.parametrize(
    ("file_name", "state"),
    [
        ("vae.pth", {"weight": torch.zeros(1)}),  # not a part that takes checkpoints
        ("face_locator.pth", {"no.such.layer": torch.zeros(1)}),  # keys of another model
    ],
)
def test_checkpoints_that_do_not_fit_are_refused(tiny_dir, tmp_path, file_name, state):
    model_dir = copy_of(tiny_dir, tmp_path)
    (model_dir / "checkpoints").mkdir()
    torch.save(state, model_dir / "checkpoints" / file_name)
    with pytest.raises(IncompatibleWeightsError, match=file_name):
        load_emo_pipeline(model_dir)
