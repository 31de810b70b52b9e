"""The catalogue: DuckDB views over an experiment folder's Parquet files, queried in place.

Views (join them on ``point`` and ``run_id``):

* ``runs`` — one row per run that finished or failed: point, replication, seed, status,
  attempts, error, wall time, the part's SHA-256 (from the journal, so always current);
* ``points`` — the design: ``point`` and one column per varied parameter (quote dotted
  names: ``"ratchet.up_rate"``);
* ``monthly`` — every kept monthly row of every finished run, tagged with run_id, point,
  replication and seed; every checksum the manifest records is verified first (a summary
  that fails is rebuilt, a corrupted spec or points file is named); only parts whose SHA-256 matches the journal's are read: a part
  corrupted or altered on disk stops the query with the runs named (the sweep's command,
  run again, re-runs them);
* ``reviews`` — likewise, when the spec keeps reviews;
* ``summary`` and ``summary_monthly`` — means and confidence intervals per point
  (see :mod:`quotasim.experiments.summary`), once a sweep has ended.

Nothing is loaded into memory to build them: DuckDB reads the parts when a query runs.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from ..results import OutputError
from .store import JOURNAL, MANIFEST, PARTS, POINTS, ExperimentStore
from .summary import CONFIDENCE, write_summaries

__all__ = ["connect", "query", "summarize", "replication_report", "QueryError"]

SUMMARIES = ("summary", "summary_monthly")


class QueryError(ValueError):
    """The SQL could not run against this experiment (DuckDB's message, unchanged)."""


def connect(root: str | Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the experiment's views defined."""
    root = Path(root)
    if not (root / MANIFEST).is_file():
        raise OutputError(f"{root}: not an experiment folder (no {MANIFEST}); run `quotasim sweep SPEC --out {root}`")
    store = ExperimentStore(root)
    rebuild = [name for name in store.verify() if name in {f"{s}.parquet" for s in SUMMARIES}]
    con = duckdb.connect()
    if (root / JOURNAL).exists():
        con.execute(f"CREATE VIEW runs AS {store.runs_sql()}")
    else:
        con.register("runs", store.runs_table())  # an experiment whose first run has not ended: empty
    con.execute(f"CREATE VIEW points AS SELECT * FROM read_parquet({_literal(root / POINTS)})")
    for table in ("monthly", "reviews"):
        corrupted = store.corrupted_parts(table)
        if corrupted:
            con.close()
            shown = ", ".join(corrupted[:5]) + (f" and {len(corrupted) - 5} more" if len(corrupted) > 5 else "")
            raise OutputError(f"{root}: {len(corrupted)} {table} part(s) missing or not matching their checksum "
                              f"(corrupted or altered on disk): {shown}; run the sweep's command again "
                              f"(quotasim sweep SPEC --out {root}) to re-run them")
        folder = root / PARTS / table
        if folder.is_dir() and any(folder.glob("*.parquet")):
            # Only journalled runs: a part renamed into place just before a kill, with no
            # journal line yet, is run again on resume and is not a result until then.
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet({_literal(folder / '*.parquet')}) "
                        "WHERE run_id IN (SELECT run_id FROM runs WHERE status = 'ok')")
    if rebuild:   # a summary that no longer matched its checksum was removed: make it again
        store.add_files(write_summaries(con, root))
    for name in SUMMARIES:
        if (root / f"{name}.parquet").is_file():
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({_literal(root / f'{name}.parquet')})")
    return con


def query(root: str | Path, sql: str) -> pd.DataFrame:
    """Run ``sql`` against the experiment in ``root``; return a pandas DataFrame.

    >>> query("out/lhs", "SELECT point, sum(remitted_usd) FROM monthly GROUP BY point")  # doctest: +SKIP
    """
    con = connect(root)
    try:
        return con.execute(sql).fetchdf()
    except duckdb.Error as exc:
        raise QueryError(str(exc)) from None
    finally:
        con.close()


def summarize(root: str | Path, confidence: float = CONFIDENCE) -> list[str]:
    """Write ``summary.parquet`` and ``summary_monthly.parquet`` into ``root``; return their names."""
    con = connect(root)
    try:
        return write_summaries(con, root, confidence)
    finally:
        con.close()


def replication_report(root: str | Path, indicators: list[str] | None = None) -> pd.DataFrame:
    """Per indicator, over points: median and worst relative half-width, replications for ±5 %."""
    where = ""
    if indicators:
        where = "WHERE indicator IN (" + ", ".join("'" + i.replace("'", "''") + "'" for i in indicators) + ")"
    return query(root, f"""
        SELECT indicator, min(n) AS replications, median(relative_half_width) AS median_relative_half_width,
               max(relative_half_width) AS worst_relative_half_width,
               max(replications_for_5pct) AS replications_for_5pct
        FROM summary {where} GROUP BY indicator ORDER BY indicator""")


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
