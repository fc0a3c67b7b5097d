"""Search the "do not animate" gallery: faces that must never be animated by anyone."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

import numpy as np

Key = TypeVar("Key", bound=Hashable)


def closest_gallery_match(
    probe_embedding: np.ndarray,
    gallery: Iterable[tuple[Key, np.ndarray]],
    threshold: float,
) -> tuple[Key, float] | None:
    """The gallery entry nearest to the probe, as (key, distance), if that distance is at or
    below `threshold`; None when nothing is that close or the gallery is empty.

    For a blocklist the caller should pass a threshold on the cautious side (e.g. the identity
    reject threshold), so that "probably the same person" already blocks.
    """
    entries = list(gallery)
    if not entries:
        return None
    probe = np.asarray(probe_embedding, dtype=np.float64)
    keys = [key for key, _ in entries]
    try:
        stacked = np.stack([np.asarray(embedding, dtype=np.float64) for _, embedding in entries])
    except ValueError as error:
        raise ValueError("gallery embeddings must all have one length") from error
    if stacked.ndim != 2 or probe.shape != stacked.shape[1:]:
        raise ValueError(
            f"probe embedding shape {probe.shape} does not fit gallery of shape {stacked.shape}"
        )
    distances = np.linalg.norm(stacked - probe, axis=1)
    best = int(np.argmin(distances))
    if distances[best] <= threshold:
        return keys[best], float(distances[best])
    return None
