"""Fit free parameters to the record's figures with Optuna, and report the fit with intervals."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import optuna

from ..calendar import month_text
from ..execution import Executor, make_executor
from ..scenario import Scenario, load_scenario
from ..seeds import FRESH_BASE_SEED, replication_seeds
from ..simulation import simulate
from ..validation.stats import Estimate, estimate
from .targets import Target, TargetsSpec, apply_free

__all__ = ["Calibration", "calibrate", "measure", "scaled"]

#: Population counts a calibration run scales; money statistics that are sums scale back by 1/scale.
_COUNTS = ("n_companies", "n_trade_officials", "n_overseas_workers")


@dataclass
class Calibration:
    scenario: Scenario                       # the calibrated scenario (full size)
    best: dict[str, float]                   # free parameter label -> fitted value
    ranges: dict[str, tuple[float, float]]   # label -> (min, max) over trials meeting every tolerance
    accepted_trials: int
    trials: int
    loss: float                              # of the chosen set, re-run on fresh seeds
    fit: list[dict] = field(default_factory=list)   # per target: record, model mean and CI, error, within
    replications: int = 0
    wall_seconds: float = 0.0

    @property
    def within_tolerance(self) -> bool:
        return all(row["within"] for row in self.fit)


def scaled(scenario: Scenario, scale: float) -> Scenario:
    """``scenario`` with every population count (and the aggregate other-sources money) times ``scale``."""
    if scale == 1.0:
        return scenario
    pop = scenario.population
    overrides = {f"population.{name}": max(1, round(getattr(pop, name) * scale)) for name in _COUNTS}
    overrides["other_sources.monthly_usd"] = scenario.other_sources.monthly_usd * scale
    return load_scenario(scenario.model_dump(mode="json"), overrides)


def measure(result, target: Target, scale: float = 1.0) -> float:
    """``target``'s statistic in one run (sums scaled back to the full population)."""
    frame = result.monthly.to_pandas()
    monthly = frame.set_index(frame["date"].map(month_text).rename("date")).drop(columns="date")
    first, last = target.months()
    values = monthly.loc[first:last, list(target.columns)].sum(axis=1)
    if values.empty:
        raise ValueError(f"target {target.name!r}: the run has no months in {target.period}")
    value = float(values.sum()) if target.aggregate == "sum" else float(values.mean())
    return value / scale if target.extensive else value


def _loss(values: dict[str, float], targets) -> float:
    """Mean squared log error, each in units of its tolerance (1 = at the edge of tolerance)."""
    terms = [(math.log(max(values[t.name], 1e-12) / t.value) / math.log1p(t.tolerance)) ** 2 for t in targets]
    return float(np.mean(terms))


def _trial_loss(trial: optuna.trial.FrozenTrial) -> float:
    """A finished trial's loss (callers keep only the trials that have one)."""
    assert trial.value is not None
    return trial.value


def _evaluate(task) -> dict[str, float]:
    scenario, targets, scale, seed = task
    result = simulate(scaled(scenario, scale), seed=seed)
    return {t.name: measure(result, t, scale) for t in targets}


def _mean_over(executor: Executor, scenario, targets, scale, seeds) -> dict[str, list[float]]:
    runs = executor.map(_evaluate, [(scenario, targets, scale, seed) for seed in seeds])
    return {t.name: [run[t.name] for run in runs] for t in targets}


def calibrate(scenario: Scenario, spec: TargetsSpec, *, trials: int = 60, replications: int = 2,
              final_replications: int = 10, scale: float = 0.25, workers: int = 2, seed: int = 0,
              finalists_kept: int = 8, final_scale: float = 1.0,
              progress: Callable[[int, int], None] | None = None, backend: str | None = None) -> Calibration:
    """Search ``spec.free`` to match ``spec.target``; return the calibrated scenario and its fit.

    Each trial averages replications ``0 .. replications - 1`` of base seed 0; the finalists are
    re-run on replications of base seed ``seeds.FRESH_BASE_SEED`` (``seeds.replication_seed``).
    ``seed`` seeds the search only. ``backend`` is an executor name (``quotasim.execution``); by
    default ``serial`` for one worker, else a local process pool of ``workers`` processes.
    """
    clock = time.perf_counter()
    targets = spec.target
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
    accepted: list[dict[str, float]] = []
    seeds = replication_seeds(0, replications)
    with make_executor(backend, workers, None) as executor:
        for number in range(trials):
            trial = study.ask()
            values = {free: trial.suggest_float(free.label, free.low, free.high, log=free.log) for free in spec.free}
            candidate = apply_free(scenario, values)
            runs = _mean_over(executor, candidate, targets, scale, seeds)
            means = {name: float(np.mean(v)) for name, v in runs.items()}
            loss = _loss(means, targets)
            study.tell(trial, loss)
            if all(abs(means[t.name] / t.value - 1) <= t.tolerance for t in targets):
                accepted.append({free.label: value for free, value in values.items()})
            if progress:
                progress(number + 1, trials + 1)
        # The best trial of a noisy search is partly luck: re-run the few best on fresh seeds
        # and keep the one that does best there.
        finalists = sorted((t for t in study.trials if t.value is not None), key=_trial_loss)[:finalists_kept]
        fresh = replication_seeds(FRESH_BASE_SEED, final_replications)
        scored = []
        for finalist in finalists:
            values = {free: finalist.params[free.label] for free in spec.free}
            runs = _mean_over(executor, apply_free(scenario, values), targets, scale, fresh)
            scored.append((_loss({name: float(np.mean(v)) for name, v in runs.items()}, targets), values, runs))
        loss, best, final = min(scored, key=lambda item: item[0])
        calibrated = apply_free(scenario, best)
        if final_scale != scale:           # report the fit of the scenario as it will be run
            final = _mean_over(executor, calibrated, targets, final_scale, fresh)
    if progress:
        progress(trials + 1, trials + 1)
    fit = []
    for t in targets:
        est: Estimate = estimate(final[t.name])
        fit.append({"target": t.name, "statistic": t.statistic, "period": t.period, "record": t.value,
                    "model": est.mean, "ci_low": est.low, "ci_high": est.high, "error": est.mean / t.value - 1,
                    "tolerance": t.tolerance, "within": abs(est.mean / t.value - 1) <= t.tolerance, "source": t.source})
    ranges = {free.label: (min(a[free.label] for a in accepted), max(a[free.label] for a in accepted))
              for free in spec.free} if accepted else {}
    return Calibration(scenario=calibrated, best={free.label: value for free, value in best.items()}, ranges=ranges,
                       accepted_trials=len(accepted), trials=trials, loss=float(loss), fit=fit,
                       replications=final_replications, wall_seconds=time.perf_counter() - clock)
