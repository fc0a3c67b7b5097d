"""The simplest renderer: the cropped portrait, held still for as long as the audio plays."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from generation.renderers.base import RenderRequest, crop_portrait, frame_count_for


class StillRenderer:
    name = "still"
    version = "1"

    def frame_count(self, request: RenderRequest) -> int:
        return frame_count_for(request.audio, request.fps)

    def frames(self, request: RenderRequest) -> Iterator[np.ndarray]:
        frame = crop_portrait(request.portrait_rgb, request.landmarks, request.size).image
        frame.setflags(write=False)  # One shared frame: no consumer may change it.
        for _ in range(self.frame_count(request)):
            yield frame
