"""The EMO pipeline's small pieces: windows, face mask, audio features, reference attention."""

import numpy as np
import pytest
import torch
from diffusers.models.attention_processor import Attention, AttnProcessor2_0

from generation.diffusion import audio as audio_module
from generation.diffusion.configs import tiny_parts
from generation.diffusion.face_mask import face_mask_from_landmarks
from generation.diffusion.reference_attention import ReferenceReadProcessor
from generation.diffusion.reference_bank import ReferenceBank
from generation.diffusion.schedulers import build_scheduler
from generation.diffusion.windows import plan_windows


@pytest.fixture(autouse=True)
def one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.mark.parametrize(("frames", "window"), [(10, 4), (12, 4), (1, 4), (7, 1), (5, 12)])
def test_windows_cover_every_frame_once_in_order(frames, window):
    windows = plan_windows(frames, window)
    covered = [frame for span in windows for frame in span]
    assert covered == list(range(frames))
    assert all(len(span) == window for span in windows[:-1])


def test_windows_reject_empty_clip():
    with pytest.raises(ValueError):
        plan_windows(0, 4)


def test_face_mask_is_the_grown_landmark_box_inside_the_image():
    landmarks = np.array([[40.0, 30.0], [60.0, 70.0]])
    mask = face_mask_from_landmarks(landmarks, 100, 100, margin=0.5)
    rows, columns = np.nonzero(mask)
    assert (columns.min(), columns.max()) == (30, 69)  # 40..60 grown by 10 px a side
    assert (rows.min(), rows.max()) == (10, 89)  # 30..70 grown by 20 px a side
    assert mask.dtype == np.float32 and set(np.unique(mask)) == {0.0, 1.0}

    clipped = face_mask_from_landmarks(np.array([[0.0, 0.0], [90.0, 95.0]]), 100, 100)
    assert clipped[0, 0] == 1.0 and clipped[99, 99] == 1.0


def test_face_mask_without_landmarks_lets_the_whole_frame_move():
    assert face_mask_from_landmarks(None, 8, 6).tolist() == np.ones((8, 6)).tolist()


def test_audio_features_come_at_50_per_second_and_long_clips_are_chunked_without_drift(monkeypatch):
    parts = tiny_parts()
    encoder, extractor = parts.audio_encoder.eval(), parts.audio_feature_extractor
    samples = np.random.default_rng(1).standard_normal(16_000).astype(np.float32)
    with torch.no_grad():
        whole = audio_module.wav2vec2_features(encoder, extractor, samples)
        monkeypatch.setattr(audio_module, "_FEATURES_PER_CHUNK", 7)
        chunked = audio_module.wav2vec2_features(encoder, extractor, samples)
    layers = encoder.config.num_hidden_layers + 1
    assert whole.shape == (49, layers * encoder.config.hidden_size)
    # Seven pieces, yet not one feature gained or lost: frames stay in step with the sound.
    assert chunked.shape == whole.shape


def test_audio_windows_hold_each_frames_neighbours_with_edges_repeated():
    per_frame = torch.arange(5, dtype=torch.float32)[:, None]
    windows = audio_module.neighbour_windows(per_frame, radius=2)
    assert windows.shape == (5, 5, 1)
    assert windows[0, :, 0].tolist() == [0, 0, 0, 1, 2]
    assert windows[2, :, 0].tolist() == [0, 1, 2, 3, 4]
    assert windows[4, :, 0].tolist() == [2, 3, 4, 4, 4]


def test_audio_features_are_resampled_to_the_frame_rate():
    features = torch.arange(50, dtype=torch.float32)[:, None].repeat(1, 3)  # 1 s at 50 Hz
    per_frame = audio_module.features_per_frame(features, 10)
    assert per_frame.shape == (10, 3)
    # Frame 0 spans features 0..4: its value is their centre.
    assert per_frame[0, 0].item() == pytest.approx(2.0)
    assert torch.all(per_frame[1:, 0] > per_frame[:-1, 0])


def test_unconditional_rows_ignore_the_portrait_and_conditional_rows_see_it():
    torch.manual_seed(0)
    attention = Attention(query_dim=8, heads=2, dim_head=4).eval()
    bank = ReferenceBank()
    bank.attention_tokens["layer"] = torch.randn(1, 5, 8)
    bank.reference_rows = torch.tensor([False, True])
    hidden = torch.randn(2, 6, 8)
    with torch.no_grad():
        with_reference = ReferenceReadProcessor("layer", bank)(attention, hidden)
        plain = AttnProcessor2_0()(attention, hidden)
    assert torch.allclose(with_reference[0], plain[0], atol=1e-6)
    assert not torch.allclose(with_reference[1], plain[1], atol=1e-3)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("ddim", "DDIMScheduler"),
        ("DPM++", "DPMSolverMultistepScheduler"),
        ("euler", "EulerDiscreteScheduler"),
    ],
)
def test_schedulers_by_name_keep_the_training_noise_schedule(name, kind):
    base = tiny_parts().scheduler
    scheduler = build_scheduler(name, base.config)
    assert type(scheduler).__name__ == kind
    assert scheduler.config.beta_schedule == base.config.beta_schedule
    assert scheduler.config.beta_end == base.config.beta_end


def test_unknown_scheduler_is_refused():
    with pytest.raises(ValueError, match="ddim"):
        build_scheduler("plms", tiny_parts().scheduler.config)
