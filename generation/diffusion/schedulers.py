"""Choosing the sampler by name; every choice is a stock diffusers scheduler."""

from typing import Any

from diffusers import DDIMScheduler, DPMSolverMultistepScheduler, EulerDiscreteScheduler
from diffusers.schedulers.scheduling_utils import SchedulerMixin

SCHEDULER_NAMES = ("ddim", "dpm++", "euler")


def build_scheduler(name: str, config: Any) -> SchedulerMixin:
    """A scheduler of the named kind sharing ``config``'s noise schedule (betas, prediction type).

    ``config`` is another scheduler's config, so swapping samplers never changes the training
    schedule the denoiser expects.
    """
    key = name.strip().lower()
    if key == "ddim":
        return DDIMScheduler.from_config(config)
    if key in ("dpm++", "dpmsolver++", "dpm-solver++"):
        return DPMSolverMultistepScheduler.from_config(config, algorithm_type="dpmsolver++")
    if key == "euler":
        return EulerDiscreteScheduler.from_config(config)
    raise ValueError(f"unknown scheduler {name!r}; choose one of {', '.join(SCHEDULER_NAMES)}")
