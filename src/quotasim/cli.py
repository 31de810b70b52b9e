"""Command line: ``quotasim run | scenarios | explain | validate | calibrate``, experiments:
``sweep | query | summarize | analyze | discover`` (their logic is in ``quotasim.experiments.commands``),
reports: ``report | compare`` (logic in ``quotasim.report.commands``), and ``dashboard`` (``quotasim.dashboard``).

Bad input (a scenario file, a ``--set`` override, an output folder) ends with a located
one-line-per-problem message and exit status 2, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from .errors import ScenarioError
from .execution import check_backend
from .experiments import commands as experiment_commands
from .explain import ledger, mechanisms
from .report import commands as report_commands
from .results import OutputError, check_destination, estimated_run_bytes
from .scenario import builtin_description, builtin_names, content_hash, load_scenario
from .simulation import simulate

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="quotasim: simulate a quota-driven state foreign-trade system.")
console = Console(stderr=True, soft_wrap=True)
out_console = Console()

ScenarioArg = Annotated[str, typer.Argument(help="built-in scenario name or path to a .toml file")]
SetOpt = Annotated[list[str] | None, typer.Option("--set", help="override a parameter: dotted.name=value (repeatable)")]
BackendOpt = Annotated[str | None, typer.Option(help="where the runs execute: serial (this process), local (process "
                                                        "pool) or dask [default: serial for one worker, else local]")]


@app.command()
def run(scenario: ScenarioArg = "baseline",
        seed: Annotated[int, typer.Option(min=0, help="replication seed")] = 0,
        months: Annotated[int | None, typer.Option(min=1, help="override the number of months")] = None,
        out: Annotated[Path | None, typer.Option(help="folder for the tables [default: out/SCENARIO-seedN]")] = None,
        overrides: SetOpt = None,
        overwrite: Annotated[bool, typer.Option(help="replace results of another run in --out")] = False,
        quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
        replications: Annotated[int | None, typer.Option(min=1, max=1000, help="run seeds SEED .. SEED+N-1 into "
                                                            "--out/rep-000, rep-001, ... (for bands in `quotasim report`)")] = None,
        workers: Annotated[int, typer.Option(min=1, help="processes for --replications")] = 1,
        backend: BackendOpt = None) -> None:
    """Run SCENARIO once (or --replications N times) and write monthly, reviews and officials tables to --out."""
    spec = _load(scenario, list(overrides or []) + ([f"months={months}"] if months else []))
    if replications is not None:
        _check_backend(backend)
        report_commands.run_replications(spec, replications, seed, workers,
                                         out or Path("out") / f"{spec.name}-x{replications}", overwrite, quiet,
                                         console, out_console, backend)
        return
    out = out or Path("out") / f"{spec.name}-seed{seed}"
    try:
        # Refuse before the work, not after it: a folder that cannot take the results, a full disk.
        people = spec.population.n_trade_officials + spec.population.n_overseas_workers
        check_destination(out, content_hash(spec), seed, overwrite, estimated_run_bytes(people, spec.months))
        with _progress(quiet) as bar:
            task = bar.add_task(spec.name, total=spec.months)
            result = simulate(spec, seed, progress=lambda done, total: bar.update(task, completed=done))
        folder = result.write(out, overwrite=overwrite)
    except OutputError as exc:
        console.print("error: " + str(exc), markup=False, highlight=False)
        raise typer.Exit(2) from None
    _print_summary(result, folder)


@app.command()
def scenarios() -> None:
    """List the built-in scenarios with a one-line description."""
    table = Table("name", "description", box=None)
    for name in builtin_names():
        table.add_row(name, builtin_description(name))
    out_console.print(table)


@app.command()
def explain(scenario: ScenarioArg = "baseline", overrides: SetOpt = None,
            as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False) -> None:
    """Every parameter of SCENARIO: value, unit, mechanism id (M1-M30) and source."""
    spec = _load(scenario, list(overrides or []))
    rows = ledger(spec)
    if as_json:
        out_console.print_json(json.dumps({"scenario": spec.name, "mechanisms": mechanisms(spec), "parameters": rows}))
        return
    summary = Table("id", "key", "on", "mechanism", "source", title=f"{spec.name}: mechanisms", box=None)
    for m in mechanisms(spec):
        summary.add_row(m["mechanism"], m["key"], "yes" if m["enabled"] else "no", m["title"], m["source"])
    out_console.print(summary)
    params = Table("parameter", "value", "unit", "id", "source", "meaning", title="parameters", box=None)
    for row in rows:
        params.add_row(row["parameter"], str(row["value"]), row["unit"], row["mechanism"], row["source"], row["meaning"])
    out_console.print(params)


@app.command()
def validate(size: Annotated[str, typer.Option(help="reduced (a fifth of the workers; CI) or full (as written)")] = "reduced",
             replications: Annotated[int, typer.Option(min=2, help="replications per scenario")] = 20,
             workers: Annotated[int, typer.Option(min=1, help="processes")] = 2,
             backend: BackendOpt = None,
             as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
             markdown: Annotated[bool, typer.Option(help="the table as Markdown (for docs/validation.md)")] = False) -> None:
    """Run each report's scenario and check the pattern it describes; exit 0 only if all pass."""
    from .validation import report
    from .validation import validate as run_checks
    from .validation.runner import SIZES
    if size not in SIZES:
        console.print(f"error: --size = {size!r}: one of {', '.join(SIZES)}", markup=False, highlight=False)
        raise typer.Exit(2)
    _check_backend(backend)
    with Progress(TextColumn("validating"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
                  TimeRemainingColumn(), console=console, transient=True, disable=as_json or markdown) as bar:
        task = bar.add_task("validate", total=None)
        results, analytic = run_checks(size, replications, workers,
                                       progress=lambda done, total: bar.update(task, completed=done, total=total),
                                       backend=backend)
    if as_json:
        out_console.print_json(report.as_json(results, analytic, size))
    elif markdown:
        print(report.as_markdown(results, analytic, size), end="")
    else:
        out_console.print(report.as_table(results, analytic, size))
    if not (all(r.passed for r in results) and analytic["passed"]):
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
              overrides: SetOpt = None) -> None:
    """Bayesian calibration (ABC-SMC, pyabc) of a targets file's free parameters; write posterior and scenario."""
    from .calibration import load_targets
    from .calibration.abc import abc_calibrate, recovery_check
    from .calibration.output import marginal_table, recovery_table, write_posterior
    spec_scenario = _load(scenario, list(overrides or []))
    _check_backend(backend)
    try:
        spec = load_targets(targets, spec_scenario)
    except ScenarioError as exc:
        console.print("error: " + str(exc), markup=False, highlight=False)
        raise typer.Exit(2) from None
    destination = out or Path("out") / f"{spec_scenario.name}-calibrated.toml"
    if destination.exists() and not overwrite:
        console.print(f"error: {destination} exists; pass --overwrite to replace it", markup=False, highlight=False)
        raise typer.Exit(2)
    posterior = abc_calibrate(spec_scenario, spec, seed=seed, population=population, generations=generations,
                              scale=scale, workers=workers, backend=backend)
    out_console.print(marginal_table(posterior))
    check = recovery_check(spec_scenario, spec, posterior.mean(), seed=seed + 1, population=population,
                           generations=generations, scale=scale, workers=workers, backend=backend) if recovery else None
    if check is not None:
        out_console.print(recovery_table(check))
    written = write_posterior(posterior, spec, spec_scenario, str(targets), destination, check)
    out_console.print(f"posterior and calibrated scenario written: {', '.join(str(p) for p in written)}")
    if check is not None and not check.passed:
        out_console.print("recovery check failed: the posterior does not cover the known parameters")
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
             overrides: SetOpt = None) -> None:
    """Posterior predictive runs of SCENARIO: the fit to the targets and yearly bands (5-50-95 %) of exports,
    workers abroad and state receipts."""
    from .calibration import load_targets
    from .calibration.forecast import bands, figure, fit_bands, load_posterior, posterior_predictive, yearly_record
    spec_scenario = _load(scenario, list(overrides or []))
    _check_backend(backend)
    spec = load_targets(targets, spec_scenario)
    runs, fitted = posterior_predictive(spec_scenario, spec, load_posterior(posterior), draws=draws, scale=scale,
                                        workers=workers, backend=backend)
    band = bands(runs)
    out.mkdir(parents=True, exist_ok=True)
    band.to_csv(out / "bands.csv", index=False)
    fit = fit_bands(fitted, spec)
    fit.to_csv(out / "fit.csv", index=False)
    fit_table = Table(title="fit to the record (2016-2019), posterior predictive")
    for name in ("target", "record", "5 %", "median", "95 %", "record in band"):
        fit_table.add_column(name)
    for row in fit.itertuples():
        fit_table.add_row(row.target, f"{row.record:,.4g}", f"{row.q05:,.4g}", f"{row.median:,.4g}", f"{row.q95:,.4g}",
                          "yes" if row.record_in_band else "no")
    out_console.print(fit_table)
    figure(band, yearly_record(spec), out / "forecast.png")
    table = Table(title=f"posterior predictive · {draws} draws · scale {scale:g}")
    for name in ("statistic", "year", "5 %", "median", "95 %"):
        table.add_column(name)
    for row in band.itertuples():
        table.add_row(row.statistic, str(row.year), f"{row.q05:,.4g}", f"{row.median:,.4g}", f"{row.q95:,.4g}")
    out_console.print(table)
    out_console.print(f"bands and figure written to {out}")


# ------------------------------------------------------------------ experiments
DirArg = Annotated[Path, typer.Argument(help="an experiment folder (the --out of quotasim sweep)")]


@app.command()
def sweep(spec: Annotated[Path, typer.Argument(help="experiment spec (.toml); see docs/experiments.md")],
          out: Annotated[Path, typer.Option(help="experiment folder: created, or reopened to resume")],
          workers: Annotated[int | None, typer.Option(min=1, help="worker processes [default: all cores]")] = None,
          backend: Annotated[str, typer.Option(help="local (process pool), dask, or serial (this process)")] = "local",
          address: Annotated[str | None, typer.Option(help="Dask scheduler address [default: a local cluster]")] = None,
          retry_failed: Annotated[bool, typer.Option("--retry-failed", help="run again the runs that raised")] = False,
          quiet: Annotated[bool, typer.Option(help="no progress bar")] = False) -> None:
    """Run every point and replication of SPEC into --out; run it again to resume."""
    experiment_commands.sweep(spec, out, workers=workers, backend=backend, address=address, retry_failed=retry_failed,
                              quiet=quiet, console=console, out_console=out_console)


@app.command()
def query(directory: DirArg, sql: Annotated[str, typer.Argument(help="SQL over the views runs, points, monthly, "
                                                                    "reviews, summary, summary_monthly")],
          fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table") -> None:
    """Query an experiment's results with DuckDB."""
    experiment_commands.query(directory, sql, fmt=fmt, out_console=out_console, console=console)


@app.command()
def summarize(directory: DirArg,
              indicator: Annotated[list[str] | None, typer.Option(help="monthly indicator (repeatable) [default: all]")] = None) -> None:
    """Means and 95 % intervals over replications per point; are there enough replications?"""
    experiment_commands.summarize(directory, indicator, out_console=out_console, console=console)


@app.command()
def analyze(directory: DirArg,
            method: Annotated[str, typer.Option(help="sobol or morris (the experiment's design)")] = "sobol",
            output: Annotated[str, typer.Option(help="monthly indicator")] = "remitted_usd",
            statistic: Annotated[str, typer.Option(help="sum, mean or last over each run")] = "sum") -> None:
    """Sensitivity indices (SALib) of OUTPUT to every varied parameter: table and figure."""
    experiment_commands.analyze(directory, method=method, output=output, statistic=statistic,
                                out_console=out_console, console=console)


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
                                                               "and half the share of cases of interest)")] = None
             ) -> None:
    """Scenario discovery (PRIM): the parameter region where OUTPUT falls below/above a threshold."""
    experiment_commands.discover(directory, output=output, below=below, above=above, reference=reference,
                                 statistic=statistic, density=density, mass_min=mass_min, out_console=out_console, console=console)


# ------------------------------------------------------------------ reports
@app.command()
def report(paths: Annotated[list[Path], typer.Argument(help="run folders, folders of replications, or one sweep folder")],
           output: Annotated[Path, typer.Option("-o", "--output", help="the report, an .html file")] = Path("report.html"),
           overwrite: Annotated[bool, typer.Option(help="replace an existing report")] = False) -> None:
    """One self-contained HTML report (figures also as PNG and SVG in REPORT_figures/)."""
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
            overwrite: Annotated[bool, typer.Option(help="replace an existing report")] = False,
            quiet: Annotated[bool, typer.Option(help="no progress bar")] = False) -> None:
    """Differences of headline figures against the first scenario, with paired intervals; and a report."""
    _check_backend(backend)
    report_commands.compare(scenarios, output, replications, seed, list(overrides or []), workers, overwrite, quiet,
                            console=console, out_console=out_console, backend=backend)


@app.command()
def dashboard(port: Annotated[int, typer.Option(min=1, max=65535, help="port to listen on")] = 8050,
              host: Annotated[str, typer.Option(help="address to bind; the default serves this machine only")] = "127.0.0.1",
              workers: Annotated[int | None, typer.Option(min=1, help="runs at once [default: cores]")] = None,
              keep_seconds: Annotated[float, typer.Option(min=1, help="how long a finished run is kept for its page "
                                                          "after it was last looked at")] = 900.0) -> None:
    """Start the web dashboard: pick or upload a scenario, move its main parameters, run, compare, download."""
    from .dashboard import serve
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"warning: serving on {host}: anyone who can reach it can start runs on this machine",
                      markup=False, highlight=False)
    out_console.print(f"quotasim dashboard on http://{host}:{port}/ (Ctrl+C stops it)", markup=False, highlight=False)
    serve(host, port, workers, keep_seconds)


def _load(scenario: str, overrides: list[str]):
    try:
        return load_scenario(scenario, overrides)
    except ScenarioError as exc:
        console.print("error: " + str(exc), markup=False, highlight=False)
        raise typer.Exit(2) from None


def _check_backend(name: str | None) -> None:
    try:
        check_backend(name)
    except ValueError as exc:
        console.print(f"error: --backend: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None


def _progress(quiet: bool) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("months"),
                    TimeRemainingColumn(), console=console, transient=True, disable=quiet)


def _print_summary(result, folder: Path) -> None:
    s, m = result.summary(), result.manifest
    years = m["months"] / 12
    table = Table(title=f"{m['scenario']} · seed {m['seed']} · {m['first_month']} + {m['months']} months "
                        f"· {m['wall_seconds']:.2f} s", box=None)
    table.add_column("indicator")
    table.add_column("value", justify="right")
    for label, value in (
        ("earned (USD per year)", s["earned_usd"] / years), ("state receipts (USD per year)", s["state_receipts_usd"] / years),
        ("  of which paid from own pockets", s["own_pocket_usd"] / years), ("kept by officials (USD per year)",
                                                                           s["kept_by_officials_usd"] / years),
        ("rents + lost (USD per year)", (s["rents_usd"] + s["lost_usd"]) / years),
    ):
        table.add_row(label, f"{value:,.0f}")
    table.add_row("median company attainment", f"{s['median_attainment']:.0%}")
    table.add_row("reviews at or above target", f"{s['share_companies_at_target']:.0%}")
    table.add_row("recalled / arrested / defected / gave up",
                  f"{s['recalled']:,} / {s['arrested']:,} / {s['defected']:,} / {s['gave_up']:,}")
    table.add_row("in post at the end", f"{s['officials_active_end']:,}")
    out_console.print(table)
    out_console.print(f"tables written to {folder}/ (monthly.parquet, reviews.parquet, officials.parquet, manifest.json)")


if __name__ == "__main__":  # pragma: no cover
    app()
