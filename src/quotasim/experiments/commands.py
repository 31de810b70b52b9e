"""What ``quotasim sweep | query | summarize | analyze | discover`` do and print.

``cli.py`` holds only thin typer wrappers around these. Every error a user can act on
(a bad spec, a folder holding another experiment, bad SQL, an analysis the design cannot
answer) ends with ``error: ...`` and exit status 2, never a traceback; finished runs are
never touched by an error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from ..display import Sheet, emit, number

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
          quiet: bool, console: Console, out_console: Console, fmt: str = "table") -> None:
    from .catalogue import replication_report
    from .progress import SweepProgress
    from .runner import run_sweep

    progress = SweepProgress(console=console, disable=quiet)
    report = _guarded(lambda: run_sweep(spec, out, workers=workers, backend=backend, address=address,
                                        retry_failed=retry_failed, progress=progress), console)
    manifest = report.manifest
    table = Sheet("sweep", [("quantity", "text"), ("value", "number")],
                  title=f"{manifest['name']} · {manifest['design']} · {manifest['points']:,} points x "
                        f"{manifest['replications']} replications")
    rows = [("runs in the design", report.runs), ("finished earlier (skipped)", report.done_before),
            ("finished now", report.ok), ("failed now", report.failed),
            ("failed earlier, not retried", report.failed_skipped),
            ("wall time (s)", report.wall_seconds), ("runs per second", report.runs_per_second),
            (f"workers ({backend})", report.workers),
            ("worker pools restarted (a worker died)", report.restarts),
            ("finished in all", manifest["finished"]), ("runs in all", manifest["runs"])]
    for label, value in rows:
        table.add({"quantity": label, "value": value})
    emit(table, fmt, out_console)
    for run, error in report.errors:
        console.print(f"failed {run}: {error}", markup=False, highlight=False)
    if manifest.get("failed"):
        console.print(f"{manifest['failed']} run(s) failed: their errors are in the catalogue "
                          f"(quotasim query {out} \"SELECT run_id, error FROM runs WHERE status = 'failed'\"); "
                          "run again with --retry-failed to retry them", markup=False, highlight=False)
    if (Path(out) / "summary.parquet").exists():
        kept = [name for name in _HEADLINE if name in _kept_columns(out)]
        adequacy = replication_report(out, kept)
        if len(adequacy) and adequacy["replications"].min() > 1:
            _print_frame(adequacy, out_console, "replications: 95 % interval half-width relative to the mean, over points",
                         fmt)
        elif len(adequacy):
            console.print("one replication per point: no confidence intervals (set replications >= 2 to measure "
                              "the spread)")
    console.print(f"results in {out}/ · query them: quotasim query {out} \"SELECT * FROM runs LIMIT 5\"",
                      markup=False, highlight=False)
    if manifest["status"] != "complete":
        raise typer.Exit(1)


def query(directory: Path, sql: str, *, fmt: str, out_console: Console, console: Console) -> None:
    from .catalogue import query as run_query

    frame = _guarded(lambda: run_query(directory, sql), console)
    _print_frame(frame, out_console, None, fmt)


def summarize(directory: Path, indicators: list[str] | None, *, out_console: Console, console: Console,
              fmt: str = "table") -> None:
    from .catalogue import replication_report
    from .catalogue import summarize as write_summary
    from .store import ExperimentStore

    def run() -> Any:
        from .lock import FolderLock
        from .outcomes import AnalysisError
        if not (Path(directory) / "manifest.json").is_file():
            raise AnalysisError(f"{directory}: not an experiment folder (no manifest.json)")
        with FolderLock(directory, "summarize"):
            written = write_summary(directory)
            if not written:
                raise AnalysisError(f"{directory}: no finished run to summarise")
            ExperimentStore(directory).add_files(written)
        return replication_report(directory, indicators)
    frame = _guarded(run, console)
    _print_frame(frame, out_console, "per indicator, over points: 95 % interval half-width relative to the mean", fmt)
    console.print(f"per point and month: quotasim query {directory} \"SELECT * FROM summary_monthly LIMIT 5\"",
                      markup=False, highlight=False)


def analyze(directory: Path, *, method: str, output: str, statistic: str, out_console: Console,
            console: Console, fmt: str = "table") -> None:
    from .analyze import analyze as run_analysis

    result = _guarded(lambda: run_analysis(directory, method, output, statistic), console)
    _print_frame(result.table, out_console, f"{method} indices of {output} ({statistic} over each run)", fmt)
    console.print(f"table: {result.table_path}\nfigure: {result.figure_path}", markup=False, highlight=False)


def discover(directory: Path, *, output: str, below: float | None, above: float | None, reference: str,
             statistic: str, density: float, mass_min: float | None, out_console: Console,
             console: Console, fmt: str = "table") -> None:
    from .discovery import discover as run_discovery

    result = _guarded(lambda: run_discovery(directory, output, below=below, above=above, reference=reference,
                                            statistic=statistic, density_threshold=density, mass_min=mass_min),
                      console)
    side = "below" if below is not None else "above"
    basis = f" ({below if below is not None else above} x base scenario {number(result.reference)})" \
        if result.reference is not None else ""
    console.print(f"cases of interest: {output} ({statistic}) {side} {number(result.threshold)}{basis}: "
                  f"{result.cases} of {result.points} points", markup=False, highlight=False)
    console.print(f"PRIM box: coverage {result.coverage:.0%}, density {result.density:.0%}, "
                      f"mass {result.mass:.0%}", markup=False, highlight=False)
    if not result.meets_density:
        console.print(f"no box on the peeling trajectory reaches density {result.density_threshold:.0%}: "
                          "this is the densest one (see the trade-off figure)", markup=False, highlight=False)
    _print_frame(result.box, out_console, "parameters the box restricts", fmt)
    console.print(f"table: {result.table_path}\nfigure: {result.figure_path}", markup=False, highlight=False)


def _kept_columns(directory: Path) -> list[str]:
    from .catalogue import query as run_query
    return run_query(directory, "SELECT column_name FROM (DESCRIBE monthly)")["column_name"].tolist()


def _print_frame(frame, console: Console, title: str | None = None, fmt: str = "table") -> None:
    """A pandas frame through :func:`quotasim.display.emit`: whole numbers as counts, other numbers
    to four significant figures, the rest as text."""
    import pandas as pd
    columns = []
    for name in frame.columns:
        dtype = frame[name].dtype
        kind = ("count" if pd.api.types.is_integer_dtype(dtype) else "number"
                if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype) else "text")
        columns.append((str(name), kind))
    sheet = Sheet("rows", columns, title=title)
    for record in frame.to_dict("records"):
        sheet.add({str(k): v for k, v in record.items()})
    emit(sheet, fmt, console)
