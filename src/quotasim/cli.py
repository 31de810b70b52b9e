"""Command line: ``quotasim run | scenarios | explain | schema | validate | calibrate``, experiments:
``sweep | query | summarize | analyze | discover`` (their logic is in ``quotasim.experiments.commands``),
reports: ``report | compare`` (logic in ``quotasim.report.commands``), and ``dashboard`` (``quotasim.dashboard``).

Bad input (a scenario file, a ``--set`` override, an output folder) ends with a located
one-line-per-problem message and exit status 2, never a traceback. Every command that
prints a table takes ``--format table|csv|json`` (``quotasim.display``); nothing is cut
when the output is piped. Everything heavy is imported inside the command that needs it,
so ``quotasim --help`` answers at once.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="quotasim: simulate a quota-driven state foreign-trade system.")
console = Console(stderr=True, soft_wrap=True)
out_console = Console(soft_wrap=True)

ScenarioArg = Annotated[str, typer.Argument(help="built-in scenario name or path to a .toml file")]
SetOpt = Annotated[list[str] | None, typer.Option("--set", help="override a parameter: dotted.name=value (repeatable)")]
FormatOpt = Annotated[str, typer.Option("--format", help="table (aligned text), csv or json (raw values)")]
BackendOpt = Annotated[str | None, typer.Option(help="where the runs execute: serial (this process), local (process "
                                                        "pool) or dask [default: serial for one worker, else local]")]


def _version(value: bool) -> None:
    if value:
        from importlib import metadata
        try:
            version = metadata.version("quotasim")
        except metadata.PackageNotFoundError:
            version = "unknown (not installed)"
        print(f"quotasim {version}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", is_eager=True, callback=_version,
                                               help="print the version and exit")] = False) -> None:
    """quotasim: simulate a quota-driven state foreign-trade system."""


@app.command()
def run(scenario: ScenarioArg = "baseline",
        seed: Annotated[int, typer.Option(min=0, help="replication seed")] = 0,
        months: Annotated[int | None, typer.Option(min=1, help="override the number of months")] = None,
        out: Annotated[Path | None, typer.Option(help="folder for the tables [default: out/SCENARIO-seedN]")] = None,
        overrides: SetOpt = None,
        overwrite: Annotated[bool, typer.Option("--overwrite", help="replace results of another run in --out")] = False,
        quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
        replications: Annotated[int | None, typer.Option(min=1, max=1000, help="run seeds SEED .. SEED+N-1 into "
                                                            "--out/rep-000, rep-001, ... (for bands in `quotasim report`)")] = None,
        workers: Annotated[int, typer.Option(min=1, help="processes for --replications")] = 1,
        threads: Annotated[int, typer.Option(min=1, max=os.cpu_count() or 1,
                                             help="threads for the passes over officials of a single run "
                                                  "(the tables are the same for any number)")] = 1,
        backend: BackendOpt = None, fmt: FormatOpt = "table") -> None:
    """Run SCENARIO once (or --replications N times) and write monthly, reviews and officials tables to --out."""
    _check_format(fmt)
    spec = _load(scenario, list(overrides or []) + ([f"months={months}"] if months else []))
    # Imported once the input is known to be good: a bad file is refused at once.
    from .results import OutputError, check_destination, estimated_run_bytes
    from .scenario import content_hash
    from .simulation import simulate
    if replications is not None:
        from .report import commands as report_commands
        _check_backend(backend)
        report_commands.run_replications(spec, replications, seed, workers,
                                         out or default_out(spec.name, f"-x{replications}"), overwrite, quiet,
                                         console, out_console, backend, fmt=fmt)
        return
    out = out or default_out(spec.name, f"-seed{seed}")
    try:
        # Refuse before the work, not after it: a folder that cannot take the results, a full disk.
        people = spec.population.n_trade_officials + spec.population.n_overseas_workers
        check_destination(out, content_hash(spec), seed, overwrite, estimated_run_bytes(people, spec.months))
        with _progress(quiet) as bar:
            task = bar.add_task(spec.name, total=spec.months)
            result = simulate(spec, seed, progress=lambda done, total: bar.update(task, completed=done),
                              threads=threads)
        folder = result.write(out, overwrite=overwrite)
    except OutputError as exc:
        console.print("error: " + str(exc), markup=False, highlight=False)
        raise typer.Exit(2) from None
    _print_summary(result, folder, fmt)


@app.command()
def scenarios(fmt: FormatOpt = "table") -> None:
    """List the built-in scenarios: name, calendar, and the full description."""
    from .display import Sheet, emit
    from .scenario import builtin_calendar, builtin_description, builtin_names
    _check_format(fmt)
    sheet = Sheet("scenarios", [("name", "text"), ("start", "text"), ("months", "count"), ("description", "text")])
    for name in builtin_names():
        start, months = builtin_calendar(name)
        sheet.add({"name": name, "start": start, "months": months, "description": builtin_description(name, full=True)})
    emit(sheet, fmt, out_console)


@app.command()
def explain(scenario: ScenarioArg = "baseline", overrides: SetOpt = None, fmt: FormatOpt = "table",
            as_json: Annotated[bool, typer.Option("--json", help="the same as --format json")] = False) -> None:
    """Every parameter of SCENARIO: value, unit, mechanism id (M1-M30) and source; then the sources cited."""
    from .display import Sheet, emit
    from .explain import cited_sources, ledger, mechanisms
    fmt = "json" if as_json else _check_format(fmt)
    spec = _load(scenario, list(overrides or []))
    rows, mechs = ledger(spec), mechanisms(spec)
    summary = Sheet("mechanisms", [("mechanism", "text"), ("key", "text"), ("enabled", "text"), ("title", "text"),
                                   ("source", "text")], title=f"{spec.name}: mechanisms")
    for m in mechs:
        summary.add(m)
    params = Sheet("parameters", [("parameter", "text"), ("value", "text"), ("unit", "text"), ("mechanism", "text"),
                                  ("source", "text"), ("meaning", "text")], title="parameters")
    for row in rows:
        params.add(row)
    sources = Sheet("sources", [("key", "text"), ("outlet", "text"), ("date", "text"), ("headline", "text"),
                                ("link", "text")], title="sources (the keys in the source columns)")
    for citation in cited_sources(spec):
        sources.add(citation)
    emit([summary, params, sources], fmt, out_console, extra={"scenario": spec.name})


@app.command()
def schema(out: Annotated[Path | None, typer.Option("--out", help="write the schema to this file instead")] = None) -> None:
    """The JSON Schema of scenario files, generated from the declarations (for editors and checks)."""

    from .scenario import scenario_schema
    text = json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        print(text, end="")
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"schema written to {out}", markup=False, highlight=False)


@app.command()
def validate(size: Annotated[str, typer.Option(help="reduced (a fifth of the workers; CI) or full (as written)")] = "reduced",
             replications: Annotated[int, typer.Option(min=2, help="replications per scenario")] = 20,
             workers: Annotated[int, typer.Option(min=1, help="processes")] = 2,
             backend: BackendOpt = None,
             fmt: FormatOpt = "table",
             as_json: Annotated[bool, typer.Option("--json", help="the same as --format json")] = False,
             history: Annotated[bool, typer.Option(help="also run every check on history-2016-2025")] = True,
             markdown: Annotated[bool, typer.Option("--markdown", help="the table as Markdown (for docs/validation.md)")] = False
             ) -> None:
    """Run each report's scenario, without its event and under its null; exit 0 only if every check passes
    and every null fails it (history-2016-2025 is shown beside)."""
    from .validation import report
    from .validation import validate as run_checks
    from .validation.runner import SIZES
    fmt = "json" if as_json else _check_format(fmt)
    if size not in SIZES:
        console.print(f"error: --size = {size!r}: one of {', '.join(SIZES)}", markup=False, highlight=False)
        raise typer.Exit(2)
    _check_backend(backend)
    with _bar("validating", "runs", console, disable=fmt != "table" or markdown) as bar:
        task = bar.add_task("validate", total=None)
        results, analytic = run_checks(size, replications, workers,
                                       progress=lambda done, total: bar.update(task, completed=done, total=total),
                                       backend=backend, history=history)
    if fmt == "json":
        print(report.as_json(results, analytic, size))
    elif markdown:
        print(report.as_markdown(results, analytic, size), end="")
    else:
        from .display import emit
        emit(report.as_sheet(results, analytic, size), fmt, out_console)
    if not (all(r.sound for r in results) and analytic["passed"]):
        raise typer.Exit(1)


@app.command()
def calibrate(scenario: ScenarioArg = "history-2016-2025",
              targets: Annotated[str, typer.Option(help="targets file (TOML) or built-in name")] = "record",
              population: Annotated[int, typer.Option(min=4, max=10_000, help="ABC-SMC particles per generation")] = 64,
              generations: Annotated[int, typer.Option(min=1, max=50, help="ABC-SMC generations")] = 5,
              scale: Annotated[float, typer.Option(min=0.01, max=1.0, help="population scale of calibration runs")] = 0.2,
              workers: Annotated[int, typer.Option(min=1, help="processes")] = 2,
              backend: BackendOpt = None,
              seed: Annotated[int, typer.Option(min=0, help="seed of the proposals and simulations")] = 0,
              recovery: Annotated[bool, typer.Option(help="also fit synthetic data made at the posterior mean and "
                                                          "check that the posterior covers it")] = True,
              out: Annotated[Path | None, typer.Option(help="calibrated scenario file [default: out/SCENARIO-calibrated.toml]; "
                                                          "the posterior is written beside it (.posterior.parquet)")] = None,
              overwrite: Annotated[bool, typer.Option(help="replace an existing --out file")] = False,
              overrides: SetOpt = None, fmt: FormatOpt = "table") -> None:
    """Bayesian calibration (ABC-SMC, pyabc) of a targets file's free parameters; write posterior and scenario."""
    from .calibration.abc import abc_calibrate, recovery_check
    from .calibration.output import marginal_sheet, recovery_sheet, write_posterior
    from .display import emit
    _check_format(fmt)
    _check_backend(backend)
    spec_scenario, spec = _load_with_targets(scenario, targets, overrides)
    destination = out or default_out(spec_scenario.name, "-calibrated.toml")
    if destination.exists() and not overwrite:
        console.print(f"error: {destination} exists; pass --overwrite to replace it", markup=False, highlight=False)
        raise typer.Exit(2)
    posterior = abc_calibrate(spec_scenario, spec, seed=seed, population=population, generations=generations,
                              scale=scale, workers=workers, backend=backend)
    check = recovery_check(spec_scenario, spec, posterior.mean(), seed=seed + 1, population=population,
                           generations=generations, scale=scale, workers=workers, backend=backend) if recovery else None
    emit([marginal_sheet(posterior)] + ([recovery_sheet(check)] if check is not None else []), fmt, out_console)
    written = write_posterior(posterior, spec, spec_scenario, str(targets), destination, check)
    console.print(f"posterior and calibrated scenario written: {', '.join(str(p) for p in written)}",
                  markup=False, highlight=False)
    if check is not None and not check.passed:
        console.print("recovery check failed: the posterior does not cover the known parameters",
                      markup=False, highlight=False)
        raise typer.Exit(1)


@app.command()
def forecast(scenario: ScenarioArg = "history-2016-2025",
             posterior: Annotated[Path, typer.Option(help="posterior sample written by quotasim calibrate")] = Path(
                 "out/history-2016-2025-calibrated.posterior.parquet"),
             targets: Annotated[str, typer.Option(help="the targets file the posterior was fitted to")] = "record",
             draws: Annotated[int, typer.Option(min=2, max=10_000, help="posterior draws, one run each")] = 40,
             scale: Annotated[float, typer.Option(min=0.01, max=1.0, help="population scale of the runs")] = 0.25,
             workers: Annotated[int, typer.Option(min=1, help="processes")] = 2,
             backend: BackendOpt = None,
             out: Annotated[Path, typer.Option(help="folder for bands.csv, fit.csv and forecast.png")] = Path("out/forecast"),
             overrides: SetOpt = None, fmt: FormatOpt = "table") -> None:
    """Posterior predictive runs of SCENARIO: the fit to the targets and yearly bands (5-50-95 %) of exports,
    workers abroad and state receipts."""
    from .calibration.forecast import bands, figure, fit_bands, load_posterior, posterior_predictive, yearly_record
    from .calibration.output import band_sheet, fit_sheet
    from .display import emit
    _check_format(fmt)
    _check_backend(backend)
    spec_scenario, spec = _load_with_targets(scenario, targets, overrides)
    runs, fitted = posterior_predictive(spec_scenario, spec, load_posterior(posterior), draws=draws, scale=scale,
                                        workers=workers, backend=backend)
    band = bands(runs)
    fit = fit_bands(fitted, spec)
    out.mkdir(parents=True, exist_ok=True)
    band.to_csv(out / "bands.csv", index=False)
    fit.to_csv(out / "fit.csv", index=False)
    figure(band, yearly_record(spec), out / "forecast.png")
    emit([fit_sheet(fit), band_sheet(band, draws, scale)], fmt, out_console)
    console.print(f"bands and figure written to {out}", markup=False, highlight=False)


# ------------------------------------------------------------------ experiments
DirArg = Annotated[Path, typer.Argument(help="an experiment folder (the --out of quotasim sweep)")]


@app.command()
def sweep(spec: Annotated[Path, typer.Argument(help="experiment spec (.toml); see docs/experiments.md")],
          out: Annotated[Path, typer.Option(help="experiment folder: created, or reopened to resume")],
          workers: Annotated[int | None, typer.Option(min=1, help="worker processes [default: all cores]")] = None,
          backend: Annotated[str, typer.Option(help="local (process pool), dask, or serial (this process)")] = "local",
          address: Annotated[str | None, typer.Option(help="Dask scheduler address [default: a local cluster]")] = None,
          retry_failed: Annotated[bool, typer.Option("--retry-failed", help="run again the runs that raised")] = False,
          quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
          fmt: FormatOpt = "table") -> None:
    """Run every point and replication of SPEC into --out; run it again to resume."""
    from .experiments import commands as experiment_commands
    experiment_commands.sweep(spec, out, workers=workers, backend=backend, address=address, retry_failed=retry_failed,
                              quiet=quiet, console=console, out_console=out_console, fmt=_check_format(fmt))


@app.command()
def query(directory: DirArg, sql: Annotated[str, typer.Argument(help="SQL over the views runs, points, monthly, "
                                                                    "reviews, summary, summary_monthly")],
          fmt: FormatOpt = "table") -> None:
    """Query an experiment's results with DuckDB."""
    from .experiments import commands as experiment_commands
    experiment_commands.query(directory, sql, fmt=_check_format(fmt), out_console=out_console, console=console)


@app.command()
def summarize(directory: DirArg,
              indicator: Annotated[list[str] | None, typer.Option(help="monthly indicator (repeatable) [default: all]")] = None,
              fmt: FormatOpt = "table") -> None:
    """Means and 95 % intervals over replications per point; are there enough replications?"""
    from .experiments import commands as experiment_commands
    experiment_commands.summarize(directory, indicator, out_console=out_console, console=console, fmt=_check_format(fmt))


@app.command()
def analyze(directory: DirArg,
            method: Annotated[str, typer.Option(help="sobol or morris (the experiment's design)")] = "sobol",
            output: Annotated[str, typer.Option(help="monthly indicator")] = "remitted_usd",
            statistic: Annotated[str, typer.Option(help="sum, mean or last over each run")] = "sum",
            fmt: FormatOpt = "table") -> None:
    """Sensitivity indices (SALib) of OUTPUT to every varied parameter: table and figure."""
    from .experiments import commands as experiment_commands
    experiment_commands.analyze(directory, method=method, output=output, statistic=statistic,
                                out_console=out_console, console=console, fmt=_check_format(fmt))


@app.command()
def discover(directory: DirArg,
             output: Annotated[str, typer.Option(help="monthly indicator")] = "state_receipts_usd",
             below: Annotated[float | None, typer.Option(help="cases of interest: output below this")] = None,
             above: Annotated[float | None, typer.Option(help="cases of interest: output above this")] = None,
             reference: Annotated[str, typer.Option(help="base: --below/--above are fractions of the base scenario; "
                                                         "absolute: in the output's units")] = "base",
             statistic: Annotated[str, typer.Option(help="sum, mean or last over each run")] = "sum",
             density: Annotated[float, typer.Option(min=0.0, max=1.0, help="PRIM's density threshold")] = 0.8,
             mass_min: Annotated[float | None, typer.Option(min=0.0, max=1.0, help="smallest box PRIM peels to, as "
                                                               "a share of the points (default: the smaller of 0.05 "
                                                               "and half the share of cases of interest)")] = None,
             fmt: FormatOpt = "table") -> None:
    """Scenario discovery (PRIM): the parameter region where OUTPUT falls below/above a threshold."""
    from .experiments import commands as experiment_commands
    experiment_commands.discover(directory, output=output, below=below, above=above, reference=reference,
                                 statistic=statistic, density=density, mass_min=mass_min, out_console=out_console,
                                 console=console, fmt=_check_format(fmt))


# ------------------------------------------------------------------ reports
@app.command()
def report(paths: Annotated[list[Path], typer.Argument(help="run folders, folders of replications, or one sweep folder")],
           output: Annotated[Path, typer.Option("-o", "--output", help="the report, an .html file")] = Path("report.html"),
           overwrite: Annotated[bool, typer.Option("--overwrite", help="replace an existing report")] = False) -> None:
    """One self-contained HTML report (figures also as PNG and SVG in REPORT_figures/)."""
    from .report import commands as report_commands
    report_commands.report(paths, output, overwrite, console=console, out_console=out_console)


@app.command()
def compare(scenarios: Annotated[list[str], typer.Argument(help="scenario names, .toml files or run folders; "
                                                                "the first is the reference")],
            output: Annotated[Path, typer.Option("-o", "--output", help="the report, an .html file")] = Path("compare.html"),
            replications: Annotated[int, typer.Option(min=2, max=1000, help="runs per scenario (same seeds for all)")] = 8,
            seed: Annotated[int, typer.Option(min=0, help="first seed")] = 0,
            overrides: SetOpt = None,
            workers: Annotated[int, typer.Option(min=1, help="processes")] = 1,
            backend: BackendOpt = None,
            overwrite: Annotated[bool, typer.Option("--overwrite", help="replace an existing report")] = False,
            quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
            different_calendars: Annotated[bool, typer.Option("--different-calendars", help="compare scenarios on "
                                                              "different calendars (refused otherwise: the difference "
                                                              "is then not a scenario's effect)")] = False,
            fmt: FormatOpt = "table") -> None:
    """Differences of headline figures against the first scenario, with paired intervals; and a report.

    Give a report scenario alone (e.g. `quotasim compare decentralisation-2025`) to compare it
    with its built-in counterfactual: the same calendar and seeds without its event.
    """
    from .report import commands as report_commands
    _check_backend(backend)
    report_commands.compare(scenarios, output, replications, seed, list(overrides or []), workers, overwrite, quiet,
                            console=console, out_console=out_console, backend=backend, fmt=_check_format(fmt),
                            different_calendars=different_calendars)


@app.command()
def dashboard(port: Annotated[int, typer.Option(min=1, max=65535, help="port to listen on")] = 8050,
              host: Annotated[str, typer.Option(help="address to bind; the default serves this machine only")] = "127.0.0.1",
              workers: Annotated[int | None, typer.Option(min=1, help="runs at once [default: cores]")] = None,
              keep_seconds: Annotated[float, typer.Option(min=1, help="how long a finished run is kept for its page "
                                                          "after it was last looked at")] = 900.0,
              public: Annotated[bool, typer.Option("--public", help="required to bind an address other machines "
                                                   "can reach (anyone reaching it can start runs and see results)")] = False,
              allow_host: Annotated[list[str] | None, typer.Option("--allow-host", help="a further host name "
                                                                      "requests may name (repeatable), e.g. a DNS "
                                                                      "name of this machine")] = None) -> None:
    """Start the web dashboard: pick or upload a scenario, move its main parameters, run, compare, download."""
    from .dashboard import serve
    from .dashboard.guard import is_loopback, outsider_warning
    if not is_loopback(host):
        if not public:
            console.print(f"error: --host {host!r} serves other machines, not this one only. "
                          + outsider_warning(host)[len("warning: "):] + ". Pass --public to serve it anyway.",
                          markup=False, highlight=False)
            raise typer.Exit(2)
        console.print(outsider_warning(host), markup=False, highlight=False)
    out_console.print(f"quotasim dashboard on http://{host}:{port}/ (Ctrl+C stops it)", markup=False, highlight=False)
    serve(host, port, workers, keep_seconds, allow_hosts=tuple(allow_host or ()))


#: Longest scenario name used in a default output path (file names allow 255 bytes).
MAX_NAME_IN_PATH = 100


def default_out(name: str, suffix: str) -> Path:
    """``out/NAME+suffix`` with NAME made safe: letters, digits, ``.``, ``_`` and ``-`` only (any
    other character, a path separator or NUL included, becomes ``_``), no leading dot, at
    most ``MAX_NAME_IN_PATH`` characters. A scenario's name never leads outside ``out/``."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:MAX_NAME_IN_PATH].lstrip(".") or "scenario"
    return Path("out") / f"{safe}{suffix}"


def _load_with_targets(scenario: str, targets: str, overrides: list[str] | None):
    """A scenario and a targets file read against it; a problem with either on stderr, exit status 2."""
    from .calibration import load_targets
    from .errors import ScenarioError
    spec_scenario = _load(scenario, list(overrides or []))
    try:
        return spec_scenario, load_targets(targets, spec_scenario)
    except ScenarioError as exc:
        console.print("error: " + str(exc), markup=False, highlight=False)
        raise typer.Exit(2) from None


def _load(scenario: str, overrides: list[str]):
    """Load a scenario; every problem of it on stderr with exit status 2, and its warnings."""
    import warnings

    from .errors import ScenarioError, ScenarioWarning
    from .scenario import load_scenario
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ScenarioWarning)
            spec = load_scenario(scenario, overrides)
    except ScenarioError as exc:
        console.print("error: " + str(exc), markup=False, highlight=False)
        raise typer.Exit(2) from None
    for warning in caught:
        if issubclass(warning.category, ScenarioWarning):
            console.print(f"warning: {warning.message}", markup=False, highlight=False)
        else:
            warnings.showwarning(warning.message, warning.category, warning.filename, warning.lineno)
    return spec


def _check_format(fmt: str) -> str:
    from .display import check_format
    try:
        return check_format(fmt)
    except ValueError as exc:
        console.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None


def _check_backend(name: str | None) -> None:
    from .execution import check_backend
    try:
        check_backend(name)
    except ValueError as exc:
        console.print(f"error: --backend: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None


def _bar(label: str, unit: str, console: Console, disable: bool = False):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn(unit),
                    TimeRemainingColumn(), console=console, transient=True, disable=disable)


def _progress(quiet: bool):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("months"),
                    TimeRemainingColumn(), console=console, transient=True, disable=quiet)


def _print_summary(result, folder: Path, fmt: str) -> None:
    """The run's figures per year (money, events), attainment and officials in post."""
    from .display import Sheet, emit
    s, m = result.summary(per="year"), result.manifest
    sheet = Sheet("summary", [("indicator", "text"), ("value", "row"), ("unit", "text")],
                  title=f"{m['scenario']} · seed {m['seed']} · {m['first_month']} + {m['months']} months "
                        f"· {m['wall_seconds']:.2f} s")
    usd = (("earned", "earned_usd"), ("state receipts", "state_receipts_usd"),
           ("  of which paid from own pockets", "own_pocket_usd"), ("kept by officials", "kept_by_officials_usd"))
    for label, name in usd:
        sheet.add({"indicator": label, "value": s[name], "unit": "USD per year", "name": name}, "usd")
    sheet.add({"indicator": "rents + lost", "value": s["rents_usd"] + s["lost_usd"], "unit": "USD per year",
               "name": "rents_and_lost_usd"}, "usd")
    for label, name in (("recalled", "recalled"), ("arrested", "arrested"), ("defected", "defected"),
                        ("gave up", "gave_up")):
        sheet.add({"indicator": label, "value": s[name], "unit": "officials per year", "name": name}, "number")
    sheet.add({"indicator": "median company attainment", "value": s["median_attainment"], "unit": "share of target",
               "name": "median_attainment"}, "share")
    sheet.add({"indicator": "reviews at or above target", "value": s["share_companies_at_target"],
               "unit": "share of reviews", "name": "share_companies_at_target"}, "share")
    sheet.add({"indicator": "in post at the end", "value": s["officials_active_end"], "unit": "officials",
               "name": "officials_active_end"}, "count")
    emit(sheet, fmt, out_console)
    console.print(f"tables written to {folder}/ (monthly.parquet, reviews.parquet, officials.parquet, manifest.json)",
                  markup=False, highlight=False)


if __name__ == "__main__":  # pragma: no cover
    app()
