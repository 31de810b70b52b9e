"""One number per point for an analysis: a monthly indicator reduced over a run, averaged
over the point's replications. Shared by sensitivity analysis and scenario discovery."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import columns
from .catalogue import query

__all__ = ["STATISTICS", "AnalysisError", "point_outcomes", "reduce_monthly"]

#: How a run's monthly series becomes one number.
STATISTICS = {
    "sum": "sum({col})",                  # totals over the run (flows: USD, counts)
    "mean": "avg({col})",                 # average month (flows or levels)
    "last": "arg_max({col}, month)",      # level at the end (officials in post, trust)
}


class AnalysisError(ValueError):
    """The experiment cannot answer this analysis (wrong design, missing runs, bad output)."""


def reduce_monthly(output: str, statistic: str) -> str:
    """The SQL expression reducing ``output`` over a run's months."""
    if output not in columns.MONTHLY or output in ("month", "date"):
        raise AnalysisError(f"--output {output!r}: not a monthly indicator; allowed: "
                            + ", ".join(c for c in columns.MONTHLY if c not in ("month", "date")))
    if statistic not in STATISTICS:
        raise AnalysisError(f"--statistic {statistic!r}: allowed: {', '.join(STATISTICS)}")
    return STATISTICS[statistic].format(col=f'CAST("{output}" AS DOUBLE)')


def point_outcomes(root: str | Path, n_points: int, output: str, statistic: str) -> np.ndarray:
    """``Y[point]``: the reduced output, mean over the point's finished replications.

    Raises
    ------
    AnalysisError
        The output was not kept, or some point has no finished run (the analysers need
        every point of the design).
    """
    expression = reduce_monthly(output, statistic)
    kept = query(root, "SELECT column_name FROM (DESCRIBE monthly)")["column_name"].tolist() \
        if _has_monthly(root) else []
    if output not in kept:
        raise AnalysisError(f"--output {output!r}: this experiment did not keep it; kept: "
                            + ", ".join(c for c in kept if c not in ("run_id", "point", "replication", "seed")))
    frame = query(root, f"""
        SELECT point, avg(value) AS y FROM (SELECT point, run_id, {expression} AS value FROM monthly
                                           GROUP BY point, run_id)
        GROUP BY point ORDER BY point""")
    y = np.full(n_points, np.nan)
    y[frame["point"].to_numpy()] = frame["y"].to_numpy()
    missing = np.flatnonzero(np.isnan(y))
    if missing.size:
        shown = ", ".join(map(str, missing[:10])) + (" ..." if missing.size > 10 else "")
        raise AnalysisError(f"{missing.size} of {n_points} points have no finished run (points {shown}); "
                            "finish the sweep first (run it again to resume, --retry-failed for failed runs)")
    return y


def _has_monthly(root: str | Path) -> bool:
    return any((Path(root) / "parts" / "monthly").glob("*.parquet"))
