"""Splitting a clip into the fixed-length windows the temporal layers can attend over."""


def plan_windows(num_frames: int, window: int) -> list[range]:
    """Consecutive, non-overlapping frame ranges covering ``0..num_frames`` exactly once.

    Every window has ``window`` frames except possibly the last, which holds the remainder.
    Overlap between windows is not needed: continuity comes from the motion frames that each
    window receives from the one before it.
    """
    if num_frames < 1:
        raise ValueError(f"num_frames must be at least 1, got {num_frames}")
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    return [range(start, min(start + window, num_frames)) for start in range(0, num_frames, window)]
