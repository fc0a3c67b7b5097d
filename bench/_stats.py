"""Confidence intervals the benchmarks report beside their rates."""

from scipy.stats import binomtest


def wilson(successes: int, total: int) -> tuple[float, float]:
    """95 % Wilson score interval for a proportion (sound at 0 of n and n of n)."""
    if total == 0:
        return (0.0, 1.0)
    interval = binomtest(successes, total).proportion_ci(confidence_level=0.95, method="wilson")
    return (round(float(interval.low), 3), round(float(interval.high), 3))
