"""Means with confidence intervals over replications."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["Estimate", "estimate"]


@dataclass(frozen=True)
class Estimate:
    mean: float
    low: float
    high: float
    n: int
    confidence: float


def estimate(values, confidence: float = 0.95) -> Estimate:
    """Mean and two-sided Student-t confidence interval of ``values`` (NaNs dropped)."""
    data = np.asarray(values, dtype=float)
    data = data[np.isfinite(data)]
    n = len(data)
    if n == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0, confidence)
    mean = float(data.mean())
    if n == 1 or np.all(data == data[0]):
        return Estimate(mean, mean, mean, n, confidence)
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * data.std(ddof=1) / np.sqrt(n))
    return Estimate(mean, mean - half, mean + half, n, confidence)
