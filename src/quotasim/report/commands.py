"""The logic of ``quotasim run --replications``, ``quotasim report`` and ``quotasim compare``;
``cli.py`` holds only thin wrappers. Bad input ends with one line per problem and exit
status 2, never a traceback; nothing already written is removed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from ..display import Sheet, emit
from ..errors import ScenarioError
from ..results import OutputError
from .build import check_destination, figures_folder

__all__ = ["run_replications", "report", "compare"]


def run_replications(spec, replications: int, seed: int, workers: int, out: Path, overwrite: bool, quiet: bool,
                     console: Console, out_console: Console, backend: str | None = None, fmt: str = "table") -> None:
    """Run ``spec`` on ``replications`` seeds from ``seed``; write ``out/rep-NNN/``; print the headline table."""
    from .build import headline_rows
    from .replicate import check_replication_folders, replicate, write_replications
    from .sources import run_sets
    _fail_on(lambda: check_replication_folders(spec, replications, seed, out, overwrite), console)  # before the work
    with _bar("runs", quiet, console) as bar:
        task = bar.add_task(spec.name, total=replications)
        results = replicate(spec, replications, seed, workers, lambda done, total: bar.update(task, completed=done),
                            backend)
    _fail_on(lambda: write_replications(results, out, overwrite), console)
    rows = headline_rows(run_sets(results)[0])
    _print_headline(out_console, f"{spec.name} · seeds {seed}–{seed + replications - 1} · {spec.start} + {spec.months} "
                                 "months", rows, fmt)
    console.print(f"{replications} runs written to {out}/rep-000 … rep-{replications - 1:03d}; "
                      f"report: quotasim report {out} -o {out}.html")


def report(paths: list[Path], out: Path, overwrite: bool, console: Console, out_console: Console) -> None:
    from .build import build_report
    made = _fail_on(lambda: build_report(paths, out, overwrite), console)
    console.print(f"report written to {made.path} ({len(made.figures)} figures; PNG and SVG in "
                      f"{made.figures_dir}/)")


def compare(arguments: list[str], out: Path, replications: int, seed: int, overrides: list[str], workers: int,
            overwrite: bool, quiet: bool, console: Console, out_console: Console, backend: str | None = None,
            fmt: str = "table", different_calendars: bool = False) -> None:
    """Run or load each argument, report differences against the first with intervals.

    Scenarios on different calendars are refused unless ``different_calendars``; then the
    caution is printed first, above the figures, and leads the report."""
    from .build import metric_kind, render_runs
    from .compare import calendar_caution, compare_sets, gather
    _fail_on(lambda: check_destination(out, overwrite), console)
    with _bar("runs", quiet, console) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done)
        sets = _fail_on(lambda: gather(arguments, replications, seed, overrides, workers, progress, backend,
                                       allow_different_calendars=different_calendars), console)
    caution = calendar_caution(sets)
    if caution:
        console.print("CAUTION: " + caution, markup=False, highlight=False)
    differences = compare_sets(sets)
    made = _fail_on(lambda: render_runs(sets, out, differences), console)
    sheet = Sheet("differences", [("scenario", "text"), ("metric", "text"), ("reference_mean", "row"), ("mean", "row"),
                                  ("difference", "row"), ("low", "row"), ("high", "row"), ("excludes_zero", "text"),
                                  ("paired", "text"), ("n", "count")],
                  title=f"against {sets[0].label}: difference and its 95 % interval (paired over common seeds when "
                        "'paired'); shares' differences in percentage points (pp)",
                  differences=("difference", "low", "high"))
    for row in differences.to_dict("records"):
        sheet.add({**{str(key): value for key, value in row.items()},
                   "excludes_zero": bool(row["low"] > 0 or row["high"] < 0)}, metric_kind(str(row["metric"])))
    emit(sheet, fmt, out_console)
    console.print(f"report written to {made.path} (figures in {figures_folder(made.path)}/)", markup=False,
                  highlight=False)


# ------------------------------------------------------------------ internals
def _fail_on(action: Callable, console: Console):
    """Run ``action``; turn an input or output problem into located lines and exit status 2."""
    from .sources import ReportError
    try:
        return action()
    except (ScenarioError, ReportError, OutputError) as exc:
        console.print("error: " + str(exc), markup=False, highlight=False)
        raise typer.Exit(2) from None


def _bar(unit: str, quiet: bool, console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn(unit),
                    TimeRemainingColumn(), console=console, transient=True, disable=quiet)


def _print_headline(out_console: Console, title: str, rows: list[dict], fmt: str = "table") -> None:
    sheet = Sheet("headline", [("metric", "text"), ("mean", "row"), ("low", "row"), ("high", "row"), ("n", "count")],
                  title=title + " · mean and 95 % interval of the mean over replications")
    for r in rows:
        sheet.add(r, r["kind"])
    emit(sheet, fmt, out_console)
