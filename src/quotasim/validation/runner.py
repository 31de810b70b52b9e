"""Run every check's scenario, its counterfactual and its null over replications; judge each check.

For each replication seed, a task runs one scenario in every variant its checks need: as
written, with each check's event removed, under each check's null (with and without the
event, when the check is paired), and ``history-2016-2025`` with and without each event.
Runs are shared between checks that need the same variant.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ..execution import make_executor
from ..scenario import load_scenario
from ..seeds import replication_seeds
from ..simulation import simulate
from .analytic import analytic_check
from .checks import CHECKS, HISTORY, Check
from .stats import Estimate, estimate

__all__ = ["CheckResult", "validate", "size_overrides", "SIZES", "ANALYTIC_TOLERANCE", "variant"]

#: Share of the scenario's workers (and of the one aggregate money input, other foreign-cash
#: sources) at each size; companies and traders shrink less, so that companies stay many
#: and each keeps enough traders for the patterns among them.
SIZES = {"reduced": 0.2, "full": 1.0}
ANALYTIC_TOLERANCE = 1e-5
#: The figures measured per check and replication.
FIGURES = ("value", "with_event", "without_event", "null_value", "history_value", "history_with", "history_without")


@dataclass(frozen=True)
class CheckResult:
    check: Check
    estimate: Estimate              # the statistic
    passed: bool
    null: Estimate                  # the statistic under the null
    null_fails: bool
    with_event: Estimate            # the pattern's figure as written
    without_event: Estimate         # and with the event removed
    history: Estimate               # the statistic on history-2016-2025
    history_passed: bool

    @property
    def sound(self) -> bool:
        return self.passed and self.null_fails

    def as_dict(self) -> dict:
        c, e, n = self.check, self.estimate, self.null
        return {"id": c.id, "report": c.report, "scenario": c.scenario, "claim": c.claim, "statistic": c.statistic,
                "value": e.mean, "ci": [e.low, e.high], "threshold": c.threshold,
                "passes_when": "above" if c.above else "below", "passes": self.passed,
                "counterfactual": c.event.name, "counterfactual_changes": _changes(c.event.drop, c.event.set),
                "paired": c.paired, "with_event": self.with_event.mean, "without_event": self.without_event.mean,
                "null": c.null_name, "null_changes": _changes(c.null_drop, c.null),
                "null_value": n.mean, "null_ci": [n.low, n.high], "null_fails": self.null_fails,
                "history_value": self.history.mean, "history_ci": [self.history.low, self.history.high],
                "history_passes": self.history_passed, "why": c.why, "confidence": e.confidence,
                "replications": e.n,
                # kept for older readers of the JSON
                "mean": e.mean, "ci_low": e.low, "ci_high": e.high, "passed": self.passed}


def _changes(drop, overrides) -> list[str]:
    return [f"timeline without {key}" for key in drop] + [f"{k}={v}" for k, v in overrides.items()]


def size_overrides(scenario, size: str) -> dict:
    """Overrides that run ``scenario`` at ``size`` ("full": as written; "reduced": a fifth of the workers)."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, got {size!r}")
    factor = SIZES[size]
    if factor == 1.0:
        return {}
    pop = scenario.population
    return {"population.n_companies": max(1, round(pop.n_companies * 2 * factor)),
            "population.n_trade_officials": max(1, round(pop.n_trade_officials * 2 * factor)),
            "population.n_overseas_workers": round(pop.n_overseas_workers * factor),
            "other_sources.monthly_usd": scenario.other_sources.monthly_usd * factor}


def variant(name: str, drop: tuple[str, ...] = (), overrides: dict | None = None):
    """Built-in scenario ``name`` with the timeline settings of the dotted keys ``drop`` removed
    (an entry left with nothing to set is dropped) and ``overrides`` applied."""
    data = load_scenario(name).model_dump(mode="json")
    if drop:
        timeline = []
        for entry in data.get("timeline", []):
            kept = {key: value for key, value in entry["set"].items() if key not in drop}
            if kept:
                timeline.append({**entry, "set": kept})
        data["timeline"] = timeline
    return load_scenario(data, overrides or {})


class _Runs:
    """Runs of one seed, each variant simulated once."""

    def __init__(self, size: str, seed: int) -> None:
        self.size, self.seed = size, seed
        self._cache: dict[tuple, object] = {}

    def get(self, name: str, drop=(), overrides: dict | None = None):
        overrides = overrides or {}
        key = (name, tuple(sorted(drop)), tuple(sorted(overrides.items())))
        if key not in self._cache:
            sized = size_overrides(load_scenario(name), self.size)
            self._cache[key] = simulate(variant(name, tuple(drop), {**sized, **overrides}), seed=self.seed)
        return self._cache[key]


def _figure(check: Check, run) -> float:
    try:
        return float(check.level(run))
    except (KeyError, ValueError, ZeroDivisionError):   # a date the scenario does not reach
        return math.nan


def _measure(check: Check, runs: _Runs, scenario: str, null: bool) -> tuple[float, float]:
    """The pattern's figure with and without the event, in ``scenario``, as written or under the null."""
    event = check.event
    drop = tuple(check.null_drop) if null else ()
    overrides = dict(check.null) if null else {}
    with_event = _figure(check, runs.get(scenario, drop, overrides))
    needs_without = check.paired or check.combine is not None or not null
    without = (_figure(check, runs.get(scenario, drop + tuple(event.drop), {**overrides, **event.set}))
               if needs_without else math.nan)
    return with_event, without


def _run_replication(task: tuple[str, str, int]) -> dict[str, dict[str, float]]:
    """Every figure of every check of one scenario (or of the history, ``HISTORY``) on one seed."""
    name, size, seed = task
    runs = _Runs(size, seed)
    values: dict[str, dict[str, float]] = {}
    if name == HISTORY:
        for check in CHECKS:
            with_event, without = _measure(check, runs, HISTORY, null=False)
            values[check.id] = {"history_value": check.statistic_of(with_event, without),
                                "history_with": with_event, "history_without": without}
        return values
    for check in (c for c in CHECKS if c.scenario == name):
        with_event, without = _measure(check, runs, name, null=False)
        null_with, null_without = _measure(check, runs, name, null=True)
        values[check.id] = {"value": check.statistic_of(with_event, without), "with_event": with_event,
                            "without_event": without, "null_value": check.statistic_of(null_with, null_without)}
    return values


def validate(size: str = "reduced", replications: int = 20, workers: int = 1, confidence: float = 0.95,
             progress: Callable[[int, int], None] | None = None, backend: str | None = None,
             history: bool = True) -> tuple[list[CheckResult], dict]:
    """Run every check, its counterfactual and null on replications ``0 .. replications - 1`` of
    base seed 0 (and on ``history-2016-2025`` unless ``history`` is false); return the results
    and the analytic check's figures (with wall time).

    ``backend`` is an executor name (``quotasim.execution``); by default ``serial`` for one
    worker, else a local process pool of ``workers`` processes.
    """
    if replications < 2:
        raise ValueError("replications must be at least 2 for a confidence interval")
    clock = time.perf_counter()
    scenarios = sorted({c.scenario for c in CHECKS}) + ([HISTORY] if history else [])
    tasks = [(name, size, seed) for seed in replication_seeds(0, replications) for name in scenarios]
    report = (lambda done, total: progress(done, total + 1)) if progress else None
    with make_executor(backend, workers, None) as executor:
        runs = executor.map(_run_replication, tasks, report)
    values: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for result in runs:
        for check_id, figures in result.items():
            for figure, value in figures.items():
                values[check_id][figure].append(value)
    results = [_judge(check, values[check.id], confidence) for check in CHECKS]
    analytic = analytic_check()
    analytic["passed"] = max(analytic["max_rel_error_output"], analytic["max_rel_error_quota"]) < ANALYTIC_TOLERANCE
    analytic["tolerance"] = ANALYTIC_TOLERANCE
    if progress:
        progress(len(tasks) + 1, len(tasks) + 1)
    analytic["wall_seconds"] = time.perf_counter() - clock
    return results, analytic


def _judge(check: Check, figures: dict[str, list[float]], confidence: float) -> CheckResult:
    est = {name: estimate(figures.get(name, []), confidence) for name in FIGURES}

    def passes(e: Estimate) -> bool:
        return e.n >= 2 and check.passes(e.low, e.high)

    return CheckResult(check, est["value"], passes(est["value"]), est["null_value"], not passes(est["null_value"]),
                       est["with_event"], est["without_event"], est["history_value"], passes(est["history_value"]))
