"""What ``quotasim calibrate`` prints and writes: the fit, the parameters, a calibrated scenario file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from ..display import Sheet
from ..results import write_atomic
from ..scenario import load_scenario, to_toml

__all__ = ["fit_sheet", "parameter_sheet", "write_calibrated", "as_json"]


def fit_sheet(cal) -> Sheet:
    """The fit at the best parameters: record, model mean and 95 % interval, relative error, tolerance."""
    sheet = Sheet("fit", [("target", "text"), ("record", "number"), ("model", "number"), ("ci_low", "number"),
                          ("ci_high", "number"), ("error", "share"), ("tolerance", "share"), ("within", "text")],
                  title=f"fit at the best parameters · {cal.replications} replications · "
                        f"{cal.trials} trials · {cal.wall_seconds:.0f} s (model: mean and 95 % interval of the mean)")
    for row in cal.fit:
        sheet.add({name: row[name] for name, _ in sheet.columns})
    return sheet


def parameter_sheet(cal, spec) -> Sheet:
    """Each free parameter: its prior range, the best value, and the range of the accepted trials."""
    sheet = Sheet("parameters", [("parameter", "text"), ("prior_low", "number"), ("prior_high", "number"),
                                 ("best", "number"), ("accepted_low", "number"), ("accepted_high", "number")],
                  title=f"fitted parameters · range over the {cal.accepted_trials} trials that met every tolerance "
                        "(– : none met every tolerance)")
    for free in spec.free:
        accepted = cal.ranges.get(free.label) or (None, None)
        sheet.add({"parameter": free.label, "prior_low": free.low, "prior_high": free.high,
                   "best": cal.best[free.label], "accepted_low": accepted[0], "accepted_high": accepted[1]})
    return sheet


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
