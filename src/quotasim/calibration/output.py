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
