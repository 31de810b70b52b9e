"""Per-point means and confidence intervals over replications, for every monthly indicator.

Two tables, computed inside DuckDB from the parts (the parent never loads the runs):

* ``summary_monthly.parquet`` — per point, month and indicator: replications ``n``, mean,
  standard deviation, Student-t confidence interval and its half-width;
* ``summary.parquet`` — per point and indicator, over each run's average monthly value:
  the same, plus the interval's half-width relative to the mean and how many replications
  would bring it to ±5 % of the mean (``replications_for_5pct``).

With one replication there is no spread to measure: the interval columns are empty, and
that is the signal to add replications.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from scipy import stats

from ..results import write_atomic
from .worker import RUN_ID_COLUMNS

__all__ = ["write_summaries", "CONFIDENCE", "TARGET_RELATIVE_HALF_WIDTH"]

CONFIDENCE = 0.95
TARGET_RELATIVE_HALF_WIDTH = 0.05


def write_summaries(con, root: str | Path, confidence: float = CONFIDENCE) -> list[str]:
    """Write ``summary.parquet`` and ``summary_monthly.parquet`` into ``root`` from an open
    catalogue connection (``catalogue.connect``); return their names (none before any run)."""
    root = Path(root)
    if "monthly" not in _views(con):
        return []
    indicators = _indicators(con)
    casts = ", ".join(f'CAST("{c}" AS DOUBLE) AS "{c}"' for c in indicators)
    unpivot = ", ".join(f'"{c}"' for c in indicators)
    long = (f"(UNPIVOT (SELECT run_id, point, month, {casts} FROM monthly) "
            f"ON {unpivot} INTO NAME indicator VALUE value)")
    counts = [r[0] for r in con.execute("SELECT DISTINCT count(*) FROM runs WHERE status = 'ok' GROUP BY point").fetchall()]
    con.register("t_quantiles", pa.table({
        "n": pa.array(counts, pa.int64()),
        "t": pa.array([float(stats.t.ppf(0.5 + confidence / 2, n - 1)) if n > 1 else None for n in counts], pa.float64()),
    }))
    interval = f"""
        SELECT a.*, q.t * a.sd / sqrt(a.n) AS half_width,
               a.mean - q.t * a.sd / sqrt(a.n) AS ci_low, a.mean + q.t * a.sd / sqrt(a.n) AS ci_high,
               {confidence} AS confidence
        FROM agg a LEFT JOIN t_quantiles q USING (n)"""
    monthly_sql = f"""
        WITH agg AS (SELECT point, month, indicator, count(*)::BIGINT AS n, avg(value) AS mean,
                            stddev_samp(value) AS sd
                     FROM {long} GROUP BY point, month, indicator)
        {interval} ORDER BY point, indicator, month"""
    target = TARGET_RELATIVE_HALF_WIDTH
    point_sql = f"""
        WITH per_run AS (SELECT run_id, point, indicator, avg(value) AS value FROM {long}
                         GROUP BY run_id, point, indicator),
             agg AS (SELECT point, indicator, count(*)::BIGINT AS n, avg(value) AS mean, stddev_samp(value) AS sd
                     FROM per_run GROUP BY point, indicator),
             with_ci AS ({interval})
        SELECT *, half_width / nullif(abs(mean), 0) AS relative_half_width,
               ceil(pow(half_width * sqrt(n) / ({target} * nullif(abs(mean), 0)), 2))::BIGINT
                   AS replications_for_5pct
        FROM with_ci ORDER BY point, indicator"""
    written = []
    for name, sql in (("summary_monthly", monthly_sql), ("summary", point_sql)):
        write_atomic(root / f"{name}.parquet",
                     lambda path, q=sql: con.execute(f"COPY ({q}) TO '{_escape(path)}' (FORMAT parquet)"))
        written.append(f"{name}.parquet")
    return written


def _views(con) -> set[str]:
    return {row[0] for row in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()} | \
           {row[0] for row in con.execute("SHOW TABLES").fetchall()}


def _indicators(con) -> list[str]:
    """Numeric and switch columns of the monthly parts, except the run's identity and month."""
    skip = set(RUN_ID_COLUMNS) | {"month", "date"}
    numeric = ("DOUBLE", "FLOAT", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "BOOLEAN")
    return [name for name, kind, *_ in con.execute("DESCRIBE monthly").fetchall()
            if name not in skip and kind in numeric]


def _escape(path: str | Path) -> str:
    return str(path).replace("'", "''")

