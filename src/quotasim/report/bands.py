"""Bands over replications, month by month, and differences between scenarios with intervals.

Two kinds of band, because they answer different questions:

* ``interval`` — replications of one scenario: the mean and its Student-t confidence
  interval (how well the replications pin down the scenario's expected trajectory), *and* the
  spread between runs, the middle 90 % of replications (``spread_low``, ``spread_high``: how
  far one run, one possible history, strays from the mean). The interval of the mean narrows
  as replications are added; the spread does not. Figures draw both, labelled;
* ``range`` — the runs of a sweep: the median and the 5–95 % range across the design's
  points and replications (how far the trajectory moves over the parameter space).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ..validation.stats import Estimate, estimate

__all__ = ["Band", "band", "difference", "Aggregate", "CONFIDENCE", "RANGE"]

CONFIDENCE = 0.95
RANGE = (0.05, 0.95)

#: How rows sharing ``by`` within one run are combined (a pandas reduction by name).
Aggregate = Literal["sum", "mean", "median", "min", "max"]


@dataclass(frozen=True)
class Band:
    """A centre line and its band at each x; ``kind`` says which band it is."""

    x: np.ndarray
    centre: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n: int
    kind: str
    spread_low: np.ndarray | None = None
    spread_high: np.ndarray | None = None

    @property
    def description(self) -> str:
        if self.kind == "range":
            return f"median, band {RANGE[0]:.0%}–{RANGE[1]:.0%} of {self.n} runs"
        return f"mean of {self.n} replications" if self.n > 1 else "one replication"


def band(frame: pd.DataFrame, value: str, by: str = "month", run: str = "seed", kind: str = "interval",
         aggregate: Aggregate = "sum") -> Band:
    """``value`` per ``by`` across the runs named by ``run``; rows sharing ``by`` within a run
    are combined by ``aggregate``. A run with no row at some ``by`` is left out there, not
    counted as zero."""
    wide = frame.pivot_table(index=by, columns=run, values=value, aggfunc=aggregate, observed=True).sort_index()
    data = wide.to_numpy(dtype=float)
    present = np.isfinite(data)
    keep = present.any(axis=1)                      # an x no run reached has no band
    wide, data, present = wide[keep], data[keep], present[keep]
    n = data.shape[1]
    if kind == "range":
        centre = np.nanmedian(data, axis=1)
        low, high = np.nanquantile(data, RANGE[0], axis=1), np.nanquantile(data, RANGE[1], axis=1)
    elif kind == "interval":
        counts = present.sum(axis=1)
        filled = np.where(present, data, 0.0)
        centre = filled.sum(axis=1) / counts
        # Written out rather than np.nanstd, which warns where a single run reached this x.
        squares = np.where(present, (data - centre[:, None]) ** 2, 0.0).sum(axis=1)
        several = counts > 1
        sd = np.sqrt(np.divide(squares, counts - 1, out=np.zeros_like(squares), where=several))
        t = stats.t.ppf(0.5 + CONFIDENCE / 2, np.maximum(counts - 1, 1))
        half = np.where(several, t * sd / np.sqrt(counts), 0.0)
        low, high = centre - half, centre + half
        spread_low, spread_high = _quantiles(data, present)
        return Band(wide.index.to_numpy(), centre, low, high, n, kind, spread_low, spread_high)
    else:
        raise ValueError(f"kind must be 'interval' or 'range', got {kind!r}")
    return Band(wide.index.to_numpy(), centre, low, high, n, kind)


def _quantiles(data: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 5 % and 95 % quantiles of each row over the runs present there (nan-free rows only
    call numpy, which warns on all-nan slices)."""
    low, high = np.empty(len(data)), np.empty(len(data))
    for i, (row, mask) in enumerate(zip(data, present)):
        values = row[mask]
        low[i], high[i] = np.quantile(values, RANGE[0]), np.quantile(values, RANGE[1])
    return low, high


def difference(values: dict[int, float], reference: dict[int, float], confidence: float = CONFIDENCE) -> tuple[Estimate, bool]:
    """Mean difference ``values - reference`` with its interval; paired over common seeds
    (common random numbers), else Welch's interval for independent samples. Returns the
    estimate and whether it was paired."""
    common = sorted(set(values) & set(reference))
    if len(common) == len(values) == len(reference):
        if len(common) < 2:
            return _undetermined([values[s] - reference[s] for s in common], confidence), True
        return estimate([values[s] - reference[s] for s in common], confidence), True
    a, b = np.array(list(values.values()), float), np.array(list(reference.values()), float)
    if len(a) < 2 or len(b) < 2:
        return _undetermined([a.mean() - b.mean()], confidence), False
    mean = float(a.mean() - b.mean())
    # Welch's interval, written out: scipy's ttest_ind warns on nearly constant samples
    # (a count that is the same in every run), which are ordinary here.
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = float(np.sqrt(va + vb))
    if se == 0:
        return Estimate(mean, mean, mean, min(len(a), len(b)), confidence), False
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    return Estimate(mean, mean - half, mean + half, min(len(a), len(b)), confidence), False


def _undetermined(differences, confidence: float) -> Estimate:
    """One replication: a difference but no interval."""
    return Estimate(float(np.mean(differences)), float("nan"), float("nan"), len(differences), confidence)
