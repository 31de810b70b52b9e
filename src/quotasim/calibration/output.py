"""What ``quotasim calibrate`` prints and writes: the fit, the parameters, a calibrated scenario file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from rich.table import Table

from ..results import write_atomic
from ..scenario import load_scenario, to_toml

__all__ = ["fit_table", "parameter_table", "write_calibrated", "as_json"]


def fit_table(cal) -> Table:
    table = Table(title=f"fit at the best parameters · {cal.replications} replications · "
                        f"{cal.trials} trials · {cal.wall_seconds:.0f} s")
    for name in ("target", "record", "model (95 % CI)", "error", "tolerance", "within"):
        table.add_column(name, no_wrap=name != "target")
    for row in cal.fit:
        table.add_row(row["target"], f"{row['record']:,.3g}", f"{row['model']:,.3g} [{row['ci_low']:,.3g}, {row['ci_high']:,.3g}]",
                      f"{row['error']:+.0%}", f"±{row['tolerance']:.0%}", "yes" if row["within"] else "[red]no[/red]")
    return table


def parameter_table(cal, spec) -> Table:
    table = Table(title=f"fitted parameters · range over the {cal.accepted_trials} trials that met every tolerance")
    for name in ("parameter", "prior range", "best", "accepted range"):
        table.add_column(name, no_wrap=True)
    for free in spec.free:
        accepted = cal.ranges.get(free.label)
        table.add_row(free.label, f"{free.low:g} – {free.high:g}", f"{cal.best[free.label]:.4g}",
                      f"{accepted[0]:.4g} – {accepted[1]:.4g}" if accepted else "none met every tolerance")
    return table


def as_json(cal, spec) -> dict:
    return {"scenario": cal.scenario.name, "trials": cal.trials, "accepted_trials": cal.accepted_trials,
            "loss": cal.loss, "replications": cal.replications, "wall_seconds": cal.wall_seconds,
            "within_tolerance": cal.within_tolerance, "best": cal.best,
            "accepted_ranges": {k: list(v) for k, v in cal.ranges.items()},
            "priors": {f.label: [f.low, f.high] for f in spec.free}, "fit": cal.fit}


def write_calibrated(cal, spec, targets_label: str, out: Path) -> tuple[Path, Path]:
    """Write the calibrated scenario (TOML, loadable by ``quotasim run``) and its fit (JSON), atomically."""
    base = cal.scenario
    fitted = ", ".join(f"{label} = {value:.4g}" for label, value in cal.best.items())
    description = (f"{base.description}\n\nCalibrated on {targets_label} with quotasim calibrate on {date.today()}: "
                   f"{fitted}. Fit: " + "; ".join(f"{r['target']} {r['error']:+.0%}" for r in cal.fit) + ".")
    data = base.model_dump(mode="json")
    data.update(name=f"{base.name}-calibrated", description=description,
                sources=list(base.sources) + [t.source for t in spec.target if t.source not in base.sources])
    scenario = load_scenario(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, lambda path: Path(path).write_text(to_toml(scenario)))
    report = out.with_suffix(".fit.json")
    write_atomic(report, lambda path: Path(path).write_text(json.dumps(as_json(cal, spec), indent=2)))
    return out, report


# ------------------------------------------------------------------ Bayesian calibration (issue 14)
def marginal_table(posterior) -> Table:
    """Which parameters the record pins down: posterior mean and 90 % interval against the prior."""
    from .abc import posterior_table

    table = Table(title=f"posterior · ABC-SMC · {posterior.generations} generations · {posterior.evaluations} "
                        f"simulations · {posterior.wall_seconds:.0f} s")
    for name in ("parameter", "prior (uniform)", "posterior mean", "90 % interval", "width / prior's", "the record"):
        table.add_column(name, no_wrap=True)
    for row in posterior_table(posterior):
        table.add_row(row["parameter"], f"{row['prior_low']:g} – {row['prior_high']:g}", f"{row['mean']:.4g}",
                      f"{row['q05']:.4g} – {row['q95']:.4g}", f"{row['width_ratio']:.2f}", row["verdict"])
    return table


def recovery_table(check) -> Table:
    table = Table(title=f"recovery check: synthetic data at known parameters · {check.posterior.wall_seconds:.0f} s · "
                        + ("passed" if check.passed else "FAILED"))
    for name in ("parameter", "true value", f"{check.mass:.0%} interval", "covered"):
        table.add_column(name, no_wrap=True)
    for free in check.posterior.free:
        low, high = check.posterior.interval(free.label, check.mass)
        table.add_row(free.label, f"{check.truth[free.label]:.4g}", f"{low:.4g} – {high:.4g}",
                      "yes" if check.covered[free.label] else "[red]no[/red]")
    return table


def write_posterior(posterior, spec, base, targets_label: str, out: Path, check=None) -> tuple[Path, Path, Path]:
    """Write the posterior sample (Parquet), the calibrated scenario at the posterior mean (TOML) and a
    summary (JSON), each atomically."""
    from .abc import posterior_table
    from .targets import apply_free

    mean = posterior.mean()
    calibrated = apply_free(base, {free: mean[free.label] for free in spec.free})
    fitted = ", ".join(f"{label} = {value:.4g}" for label, value in mean.items())
    data = calibrated.model_dump(mode="json")
    data.update(name=f"{base.name}-calibrated",
                description=f"{base.description}\n\nCalibrated on {targets_label} with quotasim calibrate (ABC-SMC) on "
                            f"{date.today()}: posterior means {fitted}.",
                sources=list(base.sources) + [t.source for t in spec.target if t.source not in base.sources])
    scenario = load_scenario(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, lambda path: Path(path).write_text(to_toml(scenario)))
    parquet = out.with_suffix(".posterior.parquet")
    write_atomic(parquet, lambda path: posterior.samples.to_parquet(path, index=False))
    summary = out.with_suffix(".posterior.json")
    report = {"scenario": base.name, "targets": targets_label, "generations": posterior.generations,
              "simulations": posterior.evaluations, "epsilons": posterior.epsilons,
              "wall_seconds": posterior.wall_seconds, "marginals": posterior_table(posterior),
              "recovery": None if check is None else {
                  "truth": check.truth, "mass": check.mass, "covered": check.covered, "passed": check.passed,
                  "wall_seconds": check.posterior.wall_seconds}}
    write_atomic(summary, lambda path: Path(path).write_text(json.dumps(report, indent=2)))
    return out, parquet, summary
