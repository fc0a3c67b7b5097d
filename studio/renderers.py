"""The renderers this worker uses, built once per process from settings.

The hallo renderer checks and loads its weights when it is built and keeps them, so a GPU worker
pays the load once, not per job, and a bad model directory fails the first job with a reason.
"""

from functools import cache

from django.conf import settings

from generation.renderers import Renderer, get_renderer

GPU_RENDERERS = frozenset({"hallo"})


@cache
def renderer_for(name: str) -> Renderer:
    if name == "hallo":
        return get_renderer(
            "hallo",
            model_dir=settings.SIGNET_MODEL_DIR,
            image_size=settings.SIGNET_HALLO_IMAGE_SIZE,
            steps=settings.SIGNET_DIFFUSION_STEPS,
            guidance=settings.SIGNET_DIFFUSION_GUIDANCE,
            window=settings.SIGNET_HALLO_WINDOW,
        )
    if name == "animator":
        return get_renderer("animator", threads=settings.SIGNET_RENDER_THREADS)
    return get_renderer(name)
