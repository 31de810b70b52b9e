"""What ``quotasim calibrate`` prints and writes: the marginals against the priors, the recovery
check, the posterior sample and a calibrated scenario file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from ..display import Sheet
from ..results import write_atomic
from ..scenario import load_scenario, to_toml

__all__ = ["marginal_sheet", "recovery_sheet", "write_posterior", "fit_sheet", "band_sheet"]


# ------------------------------------------------------------------ Bayesian calibration (issue 14)
def marginal_sheet(posterior) -> Sheet:
    """Which parameters the record pins down: posterior mean and 90 % interval against the prior."""
    from .abc import posterior_table

    sheet = Sheet("posterior", [("parameter", "text"), ("prior_low", "number"), ("prior_high", "number"),
                                ("mean", "number"), ("q05", "number"), ("q95", "number"), ("width_ratio", "number"),
                                ("verdict", "text")],
                  title=f"posterior · ABC-SMC · {posterior.generations} generations · {posterior.evaluations} "
                        f"simulations · {posterior.wall_seconds:.0f} s (uniform priors; width_ratio: the 90 % "
                        "interval's width over the prior's)")
    for row in posterior_table(posterior):
        sheet.add({name: row[name] for name, _ in sheet.columns})
    return sheet


def recovery_sheet(check) -> Sheet:
    """The recovery check: the known parameters and the posterior interval fitted to data made at them."""
    sheet = Sheet("recovery", [("parameter", "text"), ("truth", "number"), ("low", "number"), ("high", "number"),
                               ("covered", "text")],
                  title=f"recovery check: synthetic data at known parameters · {check.mass:.0%} intervals · "
                        f"{check.posterior.wall_seconds:.0f} s · " + ("passed" if check.passed else "FAILED"))
    for free in check.posterior.free:
        low, high = check.posterior.interval(free.label, check.mass)
        sheet.add({"parameter": free.label, "truth": check.truth[free.label], "low": low, "high": high,
                   "covered": "yes" if check.covered[free.label] else "no"})
    return sheet


def fit_sheet(fit) -> Sheet:
    """The fit to each target: the record against the posterior predictive median and 90 % band."""
    sheet = Sheet("fit", [("target", "text"), ("period", "text"), ("record", "number"), ("q05", "number"),
                          ("median", "number"), ("q95", "number"), ("error_of_median", "share"),
                          ("record_in_band", "text")],
                  title="fit to the record (2016-2019), posterior predictive: median and 90 % band")
    for row in fit.to_dict("records"):
        sheet.add({**row, "record_in_band": "yes" if row["record_in_band"] else "no"})
    return sheet


def band_sheet(band, draws: int, scale: float) -> Sheet:
    """Yearly bands (5 %, median, 95 %) of each forecast statistic."""
    sheet = Sheet("bands", [("statistic", "text"), ("year", "text"), ("q05", "number"), ("median", "number"),
                            ("q95", "number")],
                  title=f"posterior predictive · {draws} draws · scale {scale:g} (figures scaled to the full system)")
    for row in band.to_dict("records"):
        sheet.add({**row, "year": str(row["year"])})
    return sheet


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
