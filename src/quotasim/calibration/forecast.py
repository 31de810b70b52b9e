"""Posterior predictive runs: the calibrated scenario run with parameter sets drawn from the posterior.

Each draw is one parameter set resampled by weight from the ABC-SMC posterior (Parquet, as
``quotasim calibrate`` writes it) and one fresh seed; every run covers the whole scenario, so
the years after the fitting window are a forecast from 2016-2019 alone. Yearly statistics
are summarised by their 5th, 50th and 95th percentiles.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from ..execution import make_executor
from ..scenario import Scenario, load_scenario
from ..seeds import FRESH_BASE_SEED, replication_seed
from ..simulation import simulate
from .fit import measure, scaled
from .targets import Free, TargetsSpec, apply_free

__all__ = ["YEARLY", "posterior_predictive", "bands", "load_posterior", "yearly_record", "figure", "fit_bands"]

#: Yearly statistics of the forecast: name -> (monthly column, how a year aggregates it).
YEARLY = {
    "exports through customs (USD)": ("customs_exports_usd", "sum"),
    "exports to China through customs (USD)": ("customs_exports_china_usd", "sum"),
    "state and military trade (USD)": ("trade_state_channel_usd", "sum"),
    "smuggling and ship-to-ship (USD)": ("trade_smuggled_usd", "sum"),
    "workers abroad, December (persons)": ("workers_abroad", "last"),
    "workers in Russia on work permits, December (persons)": ("workers_russia_permitted", "last"),
    "workers' charges paid (USD)": ("worker_charges_paid_usd", "sum"),
    "state receipts (USD)": ("state_receipts_usd", "sum"),
}


def load_posterior(path: str | Path) -> pd.DataFrame:
    return pd.read_parquet(path)


def _yearly(task) -> tuple[pd.DataFrame, dict[str, float]]:
    scenario_json, values, scale, seed, targets = task
    scenario = load_scenario(scenario_json)
    free = {Free.model_validate(f): v for f, v in values}
    result = simulate(scaled(apply_free(scenario, free), scale), seed=seed)
    fitted = {t.name: measure(result, t, scale) for t in targets}
    monthly = result.monthly.to_pandas()
    year = monthly["date"].dt.strftime("%Y")
    out = {}
    for name, (column, how) in YEARLY.items():
        grouped = monthly.groupby(year)[column]
        out[name] = (grouped.sum() if how == "sum" else grouped.last()) / scale
    return pd.DataFrame(out), fitted


def posterior_predictive(scenario: Scenario, spec: TargetsSpec, posterior: pd.DataFrame, *, draws: int = 40,
                         scale: float = 0.25, workers: int = 2, backend: str | None = None,
                         seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Yearly statistics of ``draws`` runs (long format: draw, year, statistic, value), and each
    run's value of every target (columns: draw, target, value)."""
    rng = np.random.default_rng(seed)
    weights = posterior["weight"].to_numpy()
    rows = rng.choice(len(posterior), draws, p=weights / weights.sum())
    tasks = []
    for k, row in enumerate(rows):
        values = [(f.model_dump(), float(posterior[f.label].iloc[row])) for f in spec.free]
        tasks.append((scenario.model_dump(mode="json"), values, scale, replication_seed(FRESH_BASE_SEED, k),
                      spec.target))
    with make_executor(backend, workers, None) as executor:
        results = executor.map(functools.partial(_yearly), tasks)
    long = [frame.rename_axis("year").reset_index().melt(id_vars="year", var_name="statistic").assign(draw=k)
            for k, (frame, _) in enumerate(results)]
    fitted = pd.DataFrame([{"draw": k, "target": name, "value": value}
                           for k, (_, values) in enumerate(results) for name, value in values.items()])
    return pd.concat(long, ignore_index=True), fitted


def fit_bands(fitted: pd.DataFrame, spec: TargetsSpec) -> pd.DataFrame:
    """Per target: the record, and the posterior predictive 5-50-95 % of the model's value."""
    grouped = fitted.groupby("target")["value"]
    rows = []
    for t in spec.target:
        q05, median, q95 = (float(grouped.get_group(t.name).quantile(q)) for q in (0.05, 0.5, 0.95))
        rows.append({"target": t.name, "period": t.period, "record": t.value, "q05": q05, "median": median, "q95": q95,
                     "error_of_median": median / t.value - 1, "record_in_band": q05 <= t.value <= q95})
    return pd.DataFrame(rows)


def bands(runs: pd.DataFrame) -> pd.DataFrame:
    """5th, 50th and 95th percentiles per statistic and year."""
    grouped = runs.groupby(["statistic", "year"])["value"]
    return pd.DataFrame({"q05": grouped.quantile(0.05), "median": grouped.quantile(0.5),
                         "q95": grouped.quantile(0.95)}).reset_index()


def yearly_record(spec: TargetsSpec) -> dict[str, dict[str, float]]:
    """The targets' whole-year sums of a forecast statistic: statistic name -> {year: figure}."""
    names = {column: name for name, (column, how) in YEARLY.items() if how == "sum"}
    out: dict[str, dict[str, float]] = {}
    for t in spec.target:
        if t.aggregate == "sum" and len(t.period) == 4 and t.statistic in names:
            out.setdefault(names[t.statistic], {})[t.period] = t.value
    return out


def figure(band: pd.DataFrame, record: dict[str, dict[str, float]], path: Path, last_fitted_year: int = 2019) -> Path:
    """Bands per statistic (5-95 % shaded, median line), the record's fitted figures as points,
    the fitting window shaded grey."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = ["exports through customs (USD)", "exports to China through customs (USD)",
             "workers abroad, December (persons)", "state receipts (USD)"]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7))
    for ax, name in zip(axes.flat, shown):
        rows = band[band["statistic"] == name].sort_values("year")
        years = rows["year"].astype(int).to_numpy()
        money = "(USD)" in name
        unit = 1e6 if money else 1e3
        ax.fill_between(years, rows["q05"] / unit, rows["q95"] / unit, alpha=0.3, label="posterior predictive 5-95 %")
        ax.plot(years, rows["median"] / unit, marker="o", label="median")
        ax.axvspan(years.min() - 0.5, last_fitted_year + 0.5, color="grey", alpha=0.12, label="fitted (2016-2019)")
        for year, value in record.get(name, {}).items():
            ax.plot(int(year), value / unit, "k*", markersize=11)
        ax.set_title(name.replace(" (USD)", "").replace(" (persons)", ""))
        ax.set_ylabel("million USD" if money else "thousand persons")
        ax.set_ylim(bottom=0)
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("history-2016-2025: fit 2016-2019 (record: stars) and forecast 2020-2025")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
