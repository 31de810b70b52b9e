"""What ``quotasim sweep | query | summarize | analyze | discover`` do and print.

``cli.py`` holds only thin typer wrappers around these. Every error a user can act on
(a bad spec, a folder holding another experiment, bad SQL, an analysis the design cannot
answer) ends with ``error: ...`` and exit status 2, never a traceback; finished runs are
never touched by an error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["sweep", "query", "summarize", "analyze", "discover"]

_HEADLINE = ("state_receipts_usd", "remitted_usd", "earned_usd", "officials_active")


def _guarded(action: Callable[[], Any], console: Console) -> Any:
    from ..errors import ScenarioError
    from ..results import OutputError
    from .catalogue import QueryError
    from .outcomes import AnalysisError

    try:
        return action()
    except (ScenarioError, OutputError, AnalysisError, QueryError, ValueError) as exc:
        console.print("error: " + str(exc), markup=False, highlight=False)
        raise typer.Exit(2) from None


def sweep(spec: Path, out: Path, *, workers: int | None, backend: str, address: str | None, retry_failed: bool,
          quiet: bool, console: Console, out_console: Console) -> None:
    from .progress import SweepProgress
    from .runner import run_sweep
    from .summary import replication_report

    progress = SweepProgress(console=console, disable=quiet)
    report = _guarded(lambda: run_sweep(spec, out, workers=workers, backend=backend, address=address,
                                        retry_failed=retry_failed, progress=progress), console)
    manifest = report.manifest
    table = Table(title=f"{manifest['name']} · {manifest['design']} · {manifest['points']:,} points x "
                        f"{manifest['replications']} replications", box=None)
    table.add_column("")
    table.add_column("", justify="right")
    rows = [("runs in the design", f"{report.runs:,}"), ("finished earlier (skipped)", f"{report.done_before:,}"),
            ("finished now", f"{report.ok:,}"), ("failed now", f"{report.failed:,}"),
            ("failed earlier, not retried", f"{report.failed_skipped:,}"),
            ("wall time", f"{report.wall_seconds:,.1f} s"), ("runs per second", f"{report.runs_per_second:,.2f}"),
            (f"workers ({backend})", f"{report.workers}"),
            ("worker pools restarted (a worker died)", f"{report.restarts}"),
            ("finished in all", f"{manifest['finished']:,} of {manifest['runs']:,}")]
    for label, value in rows:
        table.add_row(label, value)
    out_console.print(table)
    for run, error in report.errors:
        out_console.print(f"failed {run}: {error}", markup=False, highlight=False)
    if manifest.get("failed"):
        out_console.print(f"{manifest['failed']} run(s) failed: their errors are in the catalogue "
                          f"(quotasim query {out} \"SELECT run_id, error FROM runs WHERE status = 'failed'\"); "
                          "run again with --retry-failed to retry them", markup=False, highlight=False)
    if (Path(out) / "summary.parquet").exists():
        kept = [name for name in _HEADLINE if name in _kept_columns(out)]
        adequacy = replication_report(out, kept)
        if len(adequacy) and adequacy["replications"].min() > 1:
            _print_frame(adequacy, out_console, "replications: 95 % interval half-width relative to the mean, over points")
        elif len(adequacy):
            out_console.print("one replication per point: no confidence intervals (set replications >= 2 to measure "
                              "the spread)")
    out_console.print(f"results in {out}/ · query them: quotasim query {out} \"SELECT * FROM runs LIMIT 5\"",
                      markup=False, highlight=False)
    if manifest["status"] != "complete":
        raise typer.Exit(1)


def query(directory: Path, sql: str, *, fmt: str, out_console: Console, console: Console) -> None:
    from .catalogue import query as run_query

    frame = _guarded(lambda: run_query(directory, sql), console)
    if fmt == "csv":
        out_console.print(frame.to_csv(index=False), end="", markup=False, highlight=False, soft_wrap=True)
    elif fmt == "json":
        out_console.print(frame.to_json(orient="records"), markup=False, highlight=False, soft_wrap=True)
    else:
        _print_frame(frame, out_console)


def summarize(directory: Path, indicators: list[str] | None, *, out_console: Console, console: Console) -> None:
    from .store import ExperimentStore
    from .summary import replication_report
    from .summary import summarize as write_summary

    def run() -> Any:
        written = write_summary(directory)
        if not written:
            from .outcomes import AnalysisError
            raise AnalysisError(f"{directory}: no finished run to summarise")
        ExperimentStore(directory).add_files(written)
        return replication_report(directory, indicators)
    frame = _guarded(run, console)
    _print_frame(frame, out_console, "per indicator, over points: 95 % interval half-width relative to the mean")
    out_console.print(f"per point and month: quotasim query {directory} \"SELECT * FROM summary_monthly LIMIT 5\"",
                      markup=False, highlight=False)


def analyze(directory: Path, *, method: str, output: str, statistic: str, out_console: Console,
            console: Console) -> None:
    from .analyze import analyze as run_analysis

    result = _guarded(lambda: run_analysis(directory, method, output, statistic), console)
    _print_frame(result.table, out_console, f"{method} indices of {output} ({statistic} over each run)")
    out_console.print(f"table: {result.table_path}\nfigure: {result.figure_path}", markup=False, highlight=False)


def discover(directory: Path, *, output: str, below: float | None, above: float | None, reference: str,
             statistic: str, density: float, mass_min: float | None, out_console: Console,
             console: Console) -> None:
    from .discovery import discover as run_discovery

    result = _guarded(lambda: run_discovery(directory, output, below=below, above=above, reference=reference,
                                            statistic=statistic, density_threshold=density, mass_min=mass_min),
                      console)
    side = "below" if below is not None else "above"
    basis = f" ({below if below is not None else above} x base scenario {result.reference:,.4g})" \
        if result.reference is not None else ""
    out_console.print(f"cases of interest: {output} ({statistic}) {side} {result.threshold:,.4g}{basis}: "
                      f"{result.cases} of {result.points} points", markup=False, highlight=False)
    out_console.print(f"PRIM box: coverage {result.coverage:.0%}, density {result.density:.0%}, "
                      f"mass {result.mass:.0%}", markup=False, highlight=False)
    if not result.meets_density:
        out_console.print(f"no box on the peeling trajectory reaches density {result.density_threshold:.0%}: "
                          "this is the densest one (see the trade-off figure)", markup=False, highlight=False)
    _print_frame(result.box, out_console, "parameters the box restricts")
    out_console.print(f"table: {result.table_path}\nfigure: {result.figure_path}", markup=False, highlight=False)


def _kept_columns(directory: Path) -> list[str]:
    from .catalogue import query as run_query
    return run_query(directory, "SELECT column_name FROM (DESCRIBE monthly)")["column_name"].tolist()


def _print_frame(frame, console: Console, title: str | None = None) -> None:
    table = Table(*[str(c) for c in frame.columns], title=title, box=None)
    for row in frame.itertuples(index=False):
        table.add_row(*[_cell(v) for v in row])
    console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)
