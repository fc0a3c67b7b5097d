"""Moderation policy: which finished outputs a human sees before the public does."""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class ReviewPolicy:
    hold_first_outputs: int = 1  # a new creator's first N outputs wait for a moderator
    sample_rate: float = 0.0  # share of the other outputs sampled for review after release


@dataclass(frozen=True)
class ReviewDecision:
    hold: bool  # keep it from the public until approved
    sample: bool  # release now, but put it in the queue
    reason: str  # "first_outputs", "random_sample" or ""


def review_decision(
    policy: ReviewPolicy, *, creator_outputs_before: int, rng: random.Random | None = None
) -> ReviewDecision:
    if creator_outputs_before < policy.hold_first_outputs:
        return ReviewDecision(hold=True, sample=False, reason="first_outputs")
    draw = (rng or random.SystemRandom()).random()
    if draw < policy.sample_rate:
        return ReviewDecision(hold=False, sample=True, reason="random_sample")
    return ReviewDecision(hold=False, sample=False, reason="")
