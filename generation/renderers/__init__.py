"""Renderers turn a RenderRequest into frames; ``get_renderer`` picks one by name.

Renderers are imported on demand so the CPU path never imports torch (only "hallo" does).
"""

from __future__ import annotations

import importlib
from typing import Any

from generation.renderers.base import Renderer, RenderRequest

__all__ = ["RENDERER_NAMES", "RenderRequest", "Renderer", "UnknownRendererError", "get_renderer"]

RENDERER_NAMES = ("still", "animator", "hallo")


class UnknownRendererError(LookupError):
    """No renderer of that name, or its implementation is not installed."""


def get_renderer(name: str, **options: Any) -> Renderer:
    """Build the renderer called ``name`` ("still", "animator" or "hallo")."""
    if name == "still":
        from generation.renderers.still import StillRenderer

        return StillRenderer(**options)
    if name == "animator":
        from generation.renderers.animator import AnimatorRenderer

        return AnimatorRenderer(**options)
    if name == "hallo":
        try:
            module = importlib.import_module("generation.renderers.hallo")
        except ModuleNotFoundError as exc:
            if exc.name != "generation.renderers.hallo":
                raise
            raise UnknownRendererError(
                "The hallo renderer is not available in this installation "
                "(generation.renderers.hallo is missing)."
            ) from exc
        return module.HalloRenderer.from_model_dir(**options)
    raise UnknownRendererError(
        f"Unknown renderer {name!r}; choose one of {', '.join(RENDERER_NAMES)}."
    )
