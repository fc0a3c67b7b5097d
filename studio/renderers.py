"""The renderers this worker uses, built once per process from settings.

The diffusion renderer loads its weights on first use and keeps them, so a GPU worker pays the
load once, not per job.
"""

from functools import cache

from django.conf import settings

from generation.renderers import Renderer, get_renderer


@cache
def renderer_for(name: str) -> Renderer:
    if name == "diffusion":
        return get_renderer(
            "diffusion",
            model_dir=settings.SIGNET_MODEL_DIR,
            scheduler=settings.SIGNET_DIFFUSION_SCHEDULER,
            num_inference_steps=settings.SIGNET_DIFFUSION_STEPS,
            guidance_scale=settings.SIGNET_DIFFUSION_GUIDANCE,
        )
    return get_renderer(name)
