"""A sweep's sensitivity figure for any design: Spearman rank correlation of each varied
parameter with each outcome, over the design's points.

Rank correlation needs no particular design (grid, Latin hypercube, Saltelli or Morris
points all serve) and reads as "raising this parameter raises (or lowers) the outcome";
its interval is Fisher's z with the Bonett–Wright standard error. Variance-based indices
need a Sobol' design and ``quotasim analyze``; when that analysis exists, the report shows
its figure too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .bands import CONFIDENCE

__all__ = ["rank_correlations", "OUTPUTS"]

#: Outcomes correlated, when the sweep kept them (sum over each run).
OUTPUTS = ("state_receipts_usd", "earned_usd", "kept_by_officials_usd", "recalled")


def rank_correlations(points: pd.DataFrame, monthly: pd.DataFrame, outputs=OUTPUTS,
                      confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Rows (output, parameter, rho, low, high, n); parameters that are not numbers or do
    not vary are left out."""
    kept = [o for o in outputs if o in monthly]
    per_point = (monthly.groupby(["point", "run_id"])[kept].sum().groupby(level="point").mean())
    frame = points.set_index("point").join(per_point, how="inner")
    parameters = [c for c in points.columns if c != "point" and pd.api.types.is_numeric_dtype(points[c])
                  and not pd.api.types.is_bool_dtype(points[c]) and points[c].nunique() > 1]
    rows = []
    n = len(frame)
    z = stats.norm.ppf(0.5 + confidence / 2)
    for output in kept:
        y = frame[output].to_numpy(float)
        if n < 4 or np.ptp(y) == 0:
            continue              # too few points, or an outcome that never moved: nothing to rank
        for name in parameters:
            rho = float(stats.spearmanr(frame[name].to_numpy(float), y).statistic)
            spread = z * np.sqrt((1 + rho ** 2 / 2) / (n - 3))
            centre = np.arctanh(np.clip(rho, -0.999999, 0.999999))
            # At |rho| = 1 the clipped centre puts one end a hair inside rho: keep rho within its interval.
            low, high = min(float(np.tanh(centre - spread)), rho), max(float(np.tanh(centre + spread)), rho)
            rows.append({"output": output, "parameter": name, "rho": rho, "low": low, "high": high, "n": n})
    return pd.DataFrame(rows, columns=["output", "parameter", "rho", "low", "high", "n"])
