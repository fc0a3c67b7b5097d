"""Signet's Hallo implementation against Hallo's own code (fixtures: tools/hallo_parity_fixtures.py).

The fixtures hold random weights in Hallo's file layout and key names at a reduced width, fixed
inputs, and what Hallo's modules and its inference loop computed from them (float32, CPU).
"""

import json
from pathlib import Path

import pytest
import torch

from generation.diffusion.audio_features import audio_windows, wav2vec_features
from generation.diffusion.configs import hallo_projections, sd15_unet
from generation.diffusion.denoising_unet import Conditions
from generation.diffusion.full_size import random_full_size_modules
from generation.diffusion.loading import NET_PARTS, build_modules, load_hallo
from generation.diffusion.pipeline import FaceInputs, HalloPipeline, Settings
from generation.diffusion.reference_unet import reference_tokens
from generation.diffusion.spatial import RegionMasks

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "hallo"
MODELS = FIXTURES / "pretrained_models"
TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def reference():
    return torch.load(FIXTURES / "reference.pt", weights_only=True)


@pytest.fixture(scope="module")
def modules():
    return load_hallo(MODELS)


def gap(mine: torch.Tensor, theirs: torch.Tensor) -> float:
    assert mine.shape == theirs.shape
    return (mine.float() - theirs.float()).abs().max().item()


def face_inputs(reference) -> FaceInputs:
    given = reference["inputs"]
    levels = zip(given["full_mask"], given["face_mask"], given["lip_mask"], strict=True)
    return FaceInputs(given["image"], given["face_emb"], given["face_region"],
                      tuple(RegionMasks(*level) for level in levels))


def settings(reference) -> Settings:
    given = reference["settings"]
    return Settings(window=given["clip"], motion_frames=given["motion_frames"],
                    steps=given["steps"], guidance=given["guidance"], fps=given["fps"])


@torch.no_grad()
def test_audio_features_and_projection_match_hallo(modules, reference):
    speech = reference["inputs"]["speech"].numpy()
    features, frames = wav2vec_features(speech, modules.wav2vec, modules.feature_extractor,
                                        fps=25, window=reference["settings"]["clip"])
    assert frames == reference["video"].shape[1]
    assert gap(features, reference["audio_features"]) < TOLERANCE
    windows = audio_windows(features)
    assert gap(windows, reference["audio_emb"]) < TOLERANCE
    clip = reference["settings"]["clip"]
    tokens = modules.audioproj(windows.reshape(-1, clip, *windows.shape[1:]))
    assert gap(tokens, reference["audio_tokens"]) < TOLERANCE


@torch.no_grad()
def test_image_projection_and_face_locator_match_hallo(modules, reference):
    given = reference["inputs"]
    assert gap(modules.imageproj(given["face_emb"][None]), reference["image_tokens"]) < TOLERANCE
    clip = reference["settings"]["clip"]
    region = given["face_region"][None, :, None].repeat(1, 1, clip, 1, 1)
    assert gap(modules.face_locator(region), reference["face_locator"]) < TOLERANCE


@torch.no_grad()
def test_reference_net_tokens_match_hallo(modules, reference):
    step = reference["unet_step"]
    latents_ref = modules.vae.encode(
        torch.stack([reference["inputs"]["image"]] * 3)
    ).latent_dist.mean * 0.18215
    assert gap(latents_ref.repeat(2, 1, 1, 1), reference["reference_latents"]) < TOLERANCE
    tokens = reference_tokens(modules.reference_unet, reference["reference_latents"],
                              step["encoder_hidden_states"], 3, rounding=None)
    assert tokens.keys() == reference["reference_tokens"].keys()
    for path, theirs in reference["reference_tokens"].items():
        assert gap(tokens[path], theirs) < TOLERANCE, path


@torch.no_grad()
def test_one_denoising_step_matches_hallo(modules, reference):
    step = reference["unet_step"]
    masks = zip(step["full_mask"], step["face_mask"], step["lip_mask"], strict=True)
    cond = Conditions(
        context=step["encoder_hidden_states"],
        audio=step["audio_embedding"],
        face_features=step["mask_cond_fea"],
        masks=tuple(RegionMasks(*level) for level in masks),
        # Hallo's own tokens, rounded as Hallo hands them over
        reference={k: v.half().float() for k, v in reference["reference_tokens"].items()},
        guided=True,
        weights=tuple(step["motion_scale"]),
    )
    prediction = modules.denoising_unet(step["sample"], step["timestep"], cond)
    assert gap(prediction, step["output"]) < TOLERANCE


@torch.no_grad()
def test_a_two_window_sample_matches_hallo(modules, reference):
    """Two windows of four frames (the second continuing from the first's last two), two DDIM
    steps each, guidance 3.5, then the VAE: the whole loop of Hallo's scripts/inference.py."""
    speech = reference["inputs"]["speech"].numpy()

    def sample(rounding):
        pipeline = HalloPipeline(modules, token_rounding=rounding)
        windows = pipeline.stream(face_inputs(reference), speech, settings(reference),
                                  torch.Generator().manual_seed(reference["settings"]["seed"]))
        return torch.cat(list(windows)).transpose(0, 1)  # (3, frames, H, W) like Hallo's

    # Without Hallo's float16 rounding of the reference tokens: equal within 1e-4.
    assert gap(sample(None), reference["video_unrounded"]) < TOLERANCE
    # As Hallo runs (rounding on): a 1e-7 difference can flip a float16 rounding of a token,
    # a step of 1e-3, so the frames agree to 1e-3, not 1e-4.
    assert gap(sample(torch.float16), reference["video"]) < 1e-3


def test_full_size_modules_take_exactly_hallos_keys_and_shapes():
    expected = json.loads((FIXTURES / "full_size_keys.json").read_text())
    with torch.device("meta"):
        parts = build_modules(sd15_unet(), hallo_projections())
    ours = {f"{name}.{key}": list(value.shape) for name, module in parts.items()
            for key, value in module.state_dict().items()}
    assert sorted(set(expected) - set(ours)) == []
    assert sorted(set(ours) - set(expected)) == []
    assert {k: v for k, v in ours.items() if expected[k] != v} == {}


def test_random_full_size_modules_are_hallos_architecture():
    """What bench/gpu_generation.py --random-full-size times: Hallo's net.pth parts with exactly
    their keys and shapes, and the VAE and wav2vec2 at their published sizes (sd-vae-ft-mse
    83.7 M parameters, wav2vec2-base 94.4 M), fitting the audio projection's input."""
    expected = json.loads((FIXTURES / "full_size_keys.json").read_text())
    modules = random_full_size_modules("meta")
    ours = {f"{name}.{key}": list(value.shape) for name in NET_PARTS
            for key, value in getattr(modules, name).state_dict().items()}
    assert ours == expected

    def millions(module):
        return round(sum(p.numel() for p in module.parameters()) / 1e6, 1)

    assert millions(modules.vae) == 83.7
    assert millions(modules.wav2vec) == 94.4
    assert len(modules.vae.config.block_out_channels) == 4  # 8x downsampling: 64x64 latents
    wav = modules.wav2vec.config
    projections = hallo_projections()
    assert (wav.num_hidden_layers, wav.hidden_size) == (projections.audio_layers,
                                                        projections.audio_width)
    assert modules.audioproj.proj1.in_features == 5 * wav.num_hidden_layers * wav.hidden_size
    assert modules.feature_extractor.sampling_rate == 16_000

