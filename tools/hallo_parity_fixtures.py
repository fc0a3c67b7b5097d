"""Build Hallo parity fixtures: run by hand, never in CI.

What it does: imports Hallo's own model code (fudan-generative-vision/hallo, MIT) from a local
checkout, instantiates every module Hallo's ``scripts/inference.py`` builds, at a reduced width
and with random weights, and runs Hallo's inference loop (two windows of four frames, two DDIM
steps each, guidance on) on fixed inputs. It writes, under ``tests/fixtures/hallo/``:

- ``pretrained_models/``: those random weights in the layout Hallo's users have on disk
  (``hallo/net.pth``, ``motion_module/mm_sd_v15_v2.ckpt``, ``stable-diffusion-v1-5/unet/``,
  ``sd-vae-ft-mse/``, ``wav2vec/wav2vec2-base-960h/``), with Hallo's file names and key names;
- ``reference.pt``: the fixed inputs and Hallo's outputs (wav2vec features, audio projection,
  image projection, face locator, one UNet noise prediction with its inputs, and the decoded
  frames of the two-window sample);
- ``full_size_keys.json``: every key and shape of the full-size (SD 1.5 width) modules that
  ``net.pth`` holds, built on the meta device from Hallo's own configs.

How it was made (2026-12-03): ``fetch github:fudan-generative-vision/hallo`` (commit 8fd7c57),
``git archive HEAD | tar -x -C /work/hallo-ref``; a virtual environment outside the repository:
``python3.11 -m venv /work/hallo-ref-venv``; ``pip install torch==2.13.0`` (CPU wheel), then
``pip install diffusers==0.27.2 transformers==4.39.2 huggingface_hub==0.22.2 einops==0.8.0
numpy==1.26.4 omegaconf safetensors`` (Hallo's pins where they install; its torch 2.2.2+cu121
and xformers do not, and xformers is only imported, never called, on CPU: a stub stands in).
Then: ``/work/hallo-ref-venv/bin/python tools/hallo_parity_fixtures.py --hallo /work/hallo-ref``.
"""

import argparse
import json
import math
import shutil
import sys
import types
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "hallo"

# Reduced widths: four UNet levels as in SD 1.5 (Hallo hard-codes four), 32-channel groups.
TINY_UNET = {
    "_class_name": "UNet2DConditionModel",
    "sample_size": 8,
    "in_channels": 4,
    "out_channels": 4,
    "center_input_sample": False,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
    "act_fn": "silu",
    "norm_eps": 1e-05,
    "block_out_channels": [32, 32, 32, 32],
    "down_block_types": ["CrossAttnDownBlock2D"] * 3 + ["DownBlock2D"],
    "up_block_types": ["UpBlock2D"] + ["CrossAttnUpBlock2D"] * 3,
    "layers_per_block": 1,
    "cross_attention_dim": 16,
    "attention_head_dim": 4,
    "norm_num_groups": 32,
}
MOTION_HEADS = 8  # AnimateDiff's and Hallo's head count (Signet assumes it: shapes do not tell)
AUDIO = {"seq_len": 5, "blocks": 2, "channels": 32, "intermediate_dim": 32,
         "output_dim": 16, "context_tokens": 4}
FACE_LOCATOR_CHANNELS = (4, 8, 8, 16)
FACE_EMBEDDING = 512
SIZE = 128  # the deepest UNet level is 2x2: at 1x1 a 32-group GroupNorm normalises single values
CLIP = 4
MOTION_FRAMES = 2
STEPS = 2
GUIDANCE = 3.5
SEED = 42


def unet_additional_kwargs(heads: int, audio_dim: int) -> dict:
    """Hallo's configs/inference/default.yaml ``unet_additional_kwargs``, width aside."""
    return {
        "use_inflated_groupnorm": True,
        "unet_use_cross_frame_attention": False,
        "unet_use_temporal_attention": False,
        "use_motion_module": True,
        "use_audio_module": True,
        "motion_module_resolutions": [1, 2, 4, 8],
        "motion_module_mid_block": True,
        "motion_module_decoder_only": False,
        "motion_module_type": "Vanilla",
        "motion_module_kwargs": {
            "num_attention_heads": heads,
            "num_transformer_block": 1,
            "attention_block_types": ["Temporal_Self", "Temporal_Self"],
            "temporal_position_encoding": True,
            "temporal_position_encoding_max_len": 32,
            "temporal_attention_dim_div": 1,
        },
        "audio_attention_dim": audio_dim,
        "stack_enable_blocks_name": ["up", "down", "mid"],
        "stack_enable_blocks_depth": [0, 1, 2, 3],
    }


SCHEDULER = {"beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "linear",
             "clip_sample": False, "steps_offset": 1, "prediction_type": "v_prediction",
             "rescale_betas_zero_snr": True, "timestep_spacing": "trailing"}


def import_hallo(root: Path):
    import diffusers  # noqa: F401  (before the stub: it probes for a real xformers)

    xformers = types.ModuleType("xformers")
    xformers.ops = types.ModuleType("xformers.ops")
    sys.modules.update({"xformers": xformers, "xformers.ops": xformers.ops})
    sys.path.insert(0, str(root))


def randomise(module: torch.nn.Module, generator: torch.Generator) -> None:
    """Random weights everywhere, zero-initialised layers included (so all paths count),
    scaled by fan-in as a trained network's are (so activations neither vanish nor explode)."""
    with torch.no_grad():
        for name, tensor in module.state_dict().items():
            if name.endswith("pos_encoder.pe"):
                continue  # a fixed sinusoid buffer, saved as it is
            if tensor.dtype.is_floating_point:
                noise = torch.randn(tensor.shape, generator=generator)
                if "norm" in name and name.endswith("weight"):
                    tensor.copy_(1.0 + 0.1 * noise)  # norm gains near one
                elif tensor.ndim >= 2:  # fan-in scaling keeps activations at trained sizes
                    tensor.copy_(noise / math.sqrt(tensor[0].numel()))
                else:
                    tensor.copy_(0.05 * noise)


def masks(seed: int) -> tuple:
    """Fixed face inputs in Hallo's shapes: face region image and three mask pyramids."""
    rng = np.random.default_rng(seed)
    region = np.zeros((3, SIZE, SIZE), np.float32)
    region[:, SIZE // 5 : SIZE * 4 // 5, SIZE // 4 : SIZE * 3 // 4] = 1.0
    pyramids = []
    for _ in range(3):
        levels = [torch.from_numpy(rng.random((1, (SIZE // d) ** 2)).astype(np.float32))
                  for d in (8, 16, 32, 64)]
        pyramids.append(levels)
    return torch.from_numpy(region), pyramids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hallo", type=Path, required=True, help="checkout of Hallo's code")
    args = parser.parse_args()
    import_hallo(args.hallo)

    # scripts/inference.py imports Hallo's image/audio processors, whose packages (librosa,
    # audio-separator, mediapipe, insightface, torchvision, moviepy, av) are not installed: only
    # Net and process_audio_emb are used from it, so empty stand-ins satisfy those imports.
    from unittest import mock

    from diffusers import AutoencoderKL, DDIMScheduler
    from hallo.animate.face_animate import FaceAnimatePipeline
    from hallo.models.audio_proj import AudioProjModel
    from hallo.models.face_locator import FaceLocator
    from hallo.models.image_proj import ImageProjModel
    from hallo.models.unet_2d_condition import UNet2DConditionModel
    from hallo.models.unet_3d import UNet3DConditionModel
    from hallo.models.wav2vec import Wav2VecModel
    from safetensors.torch import save_file
    from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor

    for name in ("librosa", "audio_separator", "audio_separator.separator", "mediapipe",
                 "insightface", "insightface.app", "torchvision", "torchvision.transforms",
                 "cv2", "moviepy", "moviepy.editor", "av"):
        sys.modules.setdefault(name, mock.MagicMock())
    sys.path.insert(0, str(args.hallo / "scripts"))
    from inference import Net, process_audio_emb  # Hallo's own helpers

    if OUT.exists():
        shutil.rmtree(OUT)
    models = OUT / "pretrained_models"
    generator = torch.Generator().manual_seed(0)
    torch.manual_seed(0)

    # --- base parts on disk, as Hallo's users have them ------------------------------------
    sd_unet = models / "stable-diffusion-v1-5" / "unet"
    sd_unet.mkdir(parents=True)
    (sd_unet / "config.json").write_text(json.dumps(TINY_UNET, indent=1))
    base = UNet2DConditionModel.from_config(TINY_UNET)
    randomise(base, generator)
    save_file(base.state_dict(), sd_unet / "diffusion_pytorch_model.safetensors")

    vae = AutoencoderKL(block_out_channels=(8, 8, 16, 16), layers_per_block=1,
                        down_block_types=("DownEncoderBlock2D",) * 4,
                        up_block_types=("UpDecoderBlock2D",) * 4, norm_num_groups=4,
                        latent_channels=4, sample_size=SIZE)
    randomise(vae, generator)
    vae.save_pretrained(models / "sd-vae-ft-mse", safe_serialization=True)

    wav_dir = models / "wav2vec" / "wav2vec2-base-960h"
    wav_config = Wav2Vec2Config(hidden_size=AUDIO["channels"], num_hidden_layers=AUDIO["blocks"],
                                num_attention_heads=2, intermediate_size=64,
                                conv_dim=(16,) * 7, num_conv_pos_embeddings=16,
                                num_conv_pos_embedding_groups=2, do_stable_layer_norm=False,
                                feat_extract_norm="group")
    wav2vec = Wav2VecModel(wav_config)
    randomise(wav2vec, generator)
    wav2vec.save_pretrained(wav_dir, safe_serialization=True)
    Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=16000, padding_value=0.0,
                             do_normalize=True, return_attention_mask=False).save_pretrained(wav_dir)

    # --- Hallo's trained parts: built exactly as scripts/inference.py builds them ----------
    extra = unet_additional_kwargs(MOTION_HEADS, AUDIO["output_dim"])
    reference_unet = UNet2DConditionModel.from_pretrained(str(sd_unet))
    mm_path = models / "motion_module" / "mm_sd_v15_v2.ckpt"
    mm_path.parent.mkdir(parents=True)
    scratch = UNet3DConditionModel.from_config(
        {**TINY_UNET, "_class_name": "UNet3DConditionModel",
         "down_block_types": ["CrossAttnDownBlock3D"] * 3 + ["DownBlock3D"],
         "up_block_types": ["UpBlock3D"] + ["CrossAttnUpBlock3D"] * 3}, **extra)
    randomise(scratch, generator)
    motion_state = {k: v for k, v in scratch.state_dict().items() if "motion_modules." in k}
    torch.save(motion_state, mm_path)
    denoising_unet = UNet3DConditionModel.from_pretrained_2d(
        str(models / "stable-diffusion-v1-5"), str(mm_path), subfolder="unet",
        unet_additional_kwargs=extra, use_landmark=False)
    face_locator = FaceLocator(conditioning_embedding_channels=TINY_UNET["block_out_channels"][0],
                               block_out_channels=FACE_LOCATOR_CHANNELS)
    image_proj = ImageProjModel(cross_attention_dim=TINY_UNET["cross_attention_dim"],
                                clip_embeddings_dim=FACE_EMBEDDING, clip_extra_context_tokens=4)
    audio_proj = AudioProjModel(**AUDIO)
    net = Net(reference_unet, denoising_unet, face_locator, image_proj, audio_proj)
    randomise(net, generator)  # stands in for training: every key gets its own value
    (models / "hallo").mkdir()
    torch.save(net.state_dict(), models / "hallo" / "net.pth")
    missing, unexpected = net.load_state_dict(torch.load(models / "hallo" / "net.pth"))
    assert not missing and not unexpected
    for module in (reference_unet, denoising_unet, face_locator, image_proj, audio_proj, vae):
        module.requires_grad_(False)
    reference_unet.enable_gradient_checkpointing()
    denoising_unet.enable_gradient_checkpointing()

    # --- fixed inputs --------------------------------------------------------------------
    rng = np.random.default_rng(1)
    audio_seconds = 0.3  # 8 frames at 25 fps: two windows of four
    t = np.arange(int(16000 * audio_seconds)) / 16000
    speech = (0.3 * np.sin(2 * math.pi * 220 * t) * (1 + np.sin(2 * math.pi * 3 * t))
              + 0.05 * rng.standard_normal(t.size)).astype(np.float32)
    image = torch.from_numpy(rng.random((3, SIZE, SIZE)).astype(np.float32) * 2 - 1)
    face_emb = torch.from_numpy(rng.standard_normal(FACE_EMBEDDING).astype(np.float32) * 8)
    face_region, (full_mask, face_mask, lip_mask) = masks(2)

    # Audio: AudioProcessor.preprocess, without librosa/separator (the samples are given).
    extractor = Wav2Vec2FeatureExtractor.from_pretrained(str(wav_dir))
    encoder = Wav2VecModel.from_pretrained(str(wav_dir)).eval()
    values = np.squeeze(extractor(speech, sampling_rate=16000).input_values)
    seq_len = math.ceil(len(values) / 16000 * 25)
    audio_length = seq_len
    values = torch.from_numpy(values).float()
    if seq_len % CLIP:
        values = torch.nn.functional.pad(values, (0, (CLIP - seq_len % CLIP) * 640))
        seq_len += CLIP - seq_len % CLIP
    with torch.no_grad():
        hidden = encoder(values[None], seq_len=seq_len, output_hidden_states=True).hidden_states
    audio_features = torch.stack(hidden[1:], dim=1).squeeze(0).permute(1, 0, 2)  # (S, L, D)
    audio_emb = process_audio_emb(audio_features)

    scheduler = DDIMScheduler(**SCHEDULER)
    pipeline = FaceAnimatePipeline(vae=vae, reference_unet=reference_unet,
                                   denoising_unet=denoising_unet, face_locator=face_locator,
                                   scheduler=scheduler, image_proj=image_proj)
    captured = {}

    def capture(module, args, kwargs, output):  # the first UNet call: one step, its inputs
        if "unet" not in captured:
            captured["unet"] = {"sample": args[0].clone(), "timestep": args[1].clone(),
                                **{k: v for k, v in kwargs.items() if k != "return_dict"},
                                "output": output[0].clone()}

    def capture_reference(module, args):
        captured.setdefault("reference_latents", args[0].clone())

    tokens_seen: dict[str, torch.Tensor] = {}

    def keep_tokens(path):
        def hook(_module, _args, output):  # returns None: the output is left as it is
            tokens_seen.setdefault(path, output.clone())

        return hook

    full = [m.repeat(CLIP, 1) for m in full_mask]
    face = [m.repeat(CLIP, 1) for m in face_mask]
    lip = [m.repeat(CLIP, 1) for m in lip_mask]

    def run_windows():
        """scripts/inference.py's window loop, on the fixed inputs."""
        results, projected = [], []
        gen = torch.manual_seed(SEED)
        source = image[None]
        for window in range(audio_emb.shape[0] // CLIP):
            if not results:
                motion = source.repeat(MOTION_FRAMES, 1, 1, 1)
            else:
                motion = results[-1][0].permute(1, 0, 2, 3)[-MOTION_FRAMES:] * 2.0 - 1.0
            ref = torch.cat([source, motion], dim=0)[None]
            chunk = audio_emb[window * CLIP:(window + 1) * CLIP][None]
            with torch.no_grad():
                tokens = audio_proj(chunk)
            projected.append(tokens)
            out = pipeline(ref_image=ref, audio_tensor=tokens, face_emb=face_emb.reshape(1, -1),
                           face_mask=face_region[None], pixel_values_full_mask=full,
                           pixel_values_face_mask=face, pixel_values_lip_mask=lip, width=SIZE,
                           height=SIZE, video_length=CLIP, num_inference_steps=STEPS,
                           guidance_scale=GUIDANCE, generator=gen,
                           motion_scale=[1.0, 1.0, 1.0])
            results.append(out.videos)
        return torch.cat(results, dim=2).squeeze(0)[:, :audio_length], torch.cat(projected)

    hooks = [denoising_unet.register_forward_hook(capture, with_kwargs=True),
             reference_unet.register_forward_pre_hook(capture_reference)]
    for name, module in reference_unet.named_modules():
        if name.endswith("transformer_blocks.0"):
            path = name.removesuffix(".transformer_blocks.0")
            hooks.append(module.norm1.register_forward_hook(keep_tokens(path)))
    video, audio_tokens = run_windows()
    for hook in hooks:
        hook.remove()
    # Hallo hands the ReferenceNet's tokens over rounded to float16 (the default ``dtype`` of
    # ReferenceAttentionControl.update), a no-op in its fp16 runs. In float32 that rounding
    # turns 1e-7 differences into 1e-3 steps, so the sample is also recorded without it.
    from hallo.models.mutual_self_attention import ReferenceAttentionControl

    ReferenceAttentionControl.update.__defaults__ = (torch.float32,)
    video_unrounded, _ = run_windows()

    with torch.no_grad():
        image_tokens = image_proj(face_emb[None])
        located = face_locator(face_region[None, :, None].repeat(1, 1, CLIP, 1, 1))
    reference = {
        "inputs": {"speech": torch.from_numpy(speech), "image": image, "face_emb": face_emb,
                   "face_region": face_region, "full_mask": full_mask, "face_mask": face_mask,
                   "lip_mask": lip_mask},
        "settings": {"size": SIZE, "clip": CLIP, "motion_frames": MOTION_FRAMES,
                     "steps": STEPS, "guidance": GUIDANCE, "seed": SEED, "fps": 25},
        "audio_features": audio_features, "audio_emb": audio_emb,
        "audio_tokens": audio_tokens, "image_tokens": image_tokens,
        "face_locator": located, "unet_step": captured["unet"],
        "reference_latents": captured["reference_latents"], "reference_tokens": tokens_seen,
        "video": video, "video_unrounded": video_unrounded,
        "denoising_unet_training": denoising_unet.training,
    }
    torch.save(reference, OUT / "reference.pt")
    print("denoising UNet in training mode during Hallo's inference:", denoising_unet.training)

    # --- full-size key listing (meta device: no memory, no weights) -----------------------
    sd15 = {"sample_size": 64, "in_channels": 4, "out_channels": 4,
            "block_out_channels": [320, 640, 1280, 1280], "layers_per_block": 2,
            "cross_attention_dim": 768, "attention_head_dim": 8, "norm_num_groups": 32,
            "down_block_types": ["CrossAttnDownBlock2D"] * 3 + ["DownBlock2D"],
            "up_block_types": ["UpBlock2D"] + ["CrossAttnUpBlock2D"] * 3}
    with torch.device("meta"):
        full_net = Net(
            UNet2DConditionModel.from_config(sd15),
            UNet3DConditionModel.from_config(
                {**sd15, "down_block_types": ["CrossAttnDownBlock3D"] * 3 + ["DownBlock3D"],
                 "up_block_types": ["UpBlock3D"] + ["CrossAttnUpBlock3D"] * 3},
                **unet_additional_kwargs(8, 768)),
            FaceLocator(conditioning_embedding_channels=320),
            ImageProjModel(cross_attention_dim=768, clip_embeddings_dim=512,
                           clip_extra_context_tokens=4),
            AudioProjModel(seq_len=5, blocks=12, channels=768, intermediate_dim=512,
                           output_dim=768, context_tokens=32))
    keys = {k: list(v.shape) for k, v in full_net.state_dict().items()}
    (OUT / "full_size_keys.json").write_text(json.dumps(keys, separators=(",", ":")))
    # Signet needs only the config of Stable Diffusion's UNet (net.pth holds all its weights);
    # Hallo's loader read the random ones above, and they are left out to keep the fixture small.
    (sd_unet / "diffusion_pytorch_model.safetensors").unlink()
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"{len(keys)} full-size keys; fixtures {total / 1e6:.1f} MB in {OUT}")


if __name__ == "__main__":
    main()
