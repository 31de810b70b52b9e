"""Run every check's scenario over replications and judge each check by its interval."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ..execution import make_executor
from ..scenario import load_scenario
from ..seeds import replication_seeds
from ..simulation import simulate
from .analytic import analytic_check
from .checks import CHECKS, Check
from .stats import Estimate, estimate

__all__ = ["CheckResult", "validate", "size_overrides", "SIZES", "ANALYTIC_TOLERANCE"]

#: Share of the scenario's workers (and of the one aggregate money input, other foreign-cash
#: sources) at each size; companies and traders shrink less, so that companies stay many
#: and each keeps enough traders for the patterns among them.
SIZES = {"reduced": 0.2, "full": 1.0}
ANALYTIC_TOLERANCE = 1e-5


@dataclass(frozen=True)
class CheckResult:
    check: Check
    estimate: Estimate
    passed: bool

    def as_dict(self) -> dict:
        c, e = self.check, self.estimate
        return {"id": c.id, "report": c.report, "scenario": c.scenario, "claim": c.claim, "statistic": c.statistic,
                "threshold": c.threshold, "passes_when": "above" if c.above else "below", "why": c.why,
                "mean": e.mean, "ci_low": e.low, "ci_high": e.high, "confidence": e.confidence,
                "replications": e.n, "passed": self.passed}


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


def _run_replication(task: tuple[str, str, int]) -> dict[str, float]:
    """Run one scenario (and its counterfactuals) on one seed; return every check's statistic."""
    name, size, seed = task
    base = load_scenario(name)
    sized = size_overrides(base, size)
    checks = [c for c in CHECKS if c.scenario == name]
    main = simulate(load_scenario(name, sized), seed=seed)
    values = {}
    for check in checks:
        runs = {"main": main}
        if check.counterfactual:
            runs["counterfactual"] = simulate(load_scenario(name, {**sized, **check.counterfactual}), seed=seed)
        values[check.id] = check.measure(runs)
    return values


def validate(size: str = "reduced", replications: int = 20, workers: int = 1, confidence: float = 0.95,
             progress: Callable[[int, int], None] | None = None,
             backend: str | None = None) -> tuple[list[CheckResult], dict]:
    """Run every check on replications ``0 .. replications - 1`` of base seed 0; return the results
    and the analytic check's figures (with wall time).

    ``backend`` is an executor name (``quotasim.execution``); by default ``serial`` for one
    worker, else a local process pool of ``workers`` processes.
    """
    if replications < 2:
        raise ValueError("replications must be at least 2 for a confidence interval")
    clock = time.perf_counter()
    scenarios = sorted({c.scenario for c in CHECKS})
    tasks = [(name, size, seed) for name in scenarios for seed in replication_seeds(0, replications)]
    report = (lambda done, total: progress(done, total + 1)) if progress else None
    with make_executor(backend, workers, None) as executor:
        runs = executor.map(_run_replication, tasks, report)
    values: dict[str, list[float]] = defaultdict(list)
    for result in runs:
        for check_id, value in result.items():
            values[check_id].append(value)
    results = []
    for check in CHECKS:
        est = estimate(values[check.id], confidence)
        results.append(CheckResult(check, est, est.n >= 2 and check.passes(est.low, est.high)))
    analytic = analytic_check()
    analytic["passed"] = max(analytic["max_rel_error_output"], analytic["max_rel_error_quota"]) < ANALYTIC_TOLERANCE
    analytic["tolerance"] = ANALYTIC_TOLERANCE
    if progress:
        progress(len(tasks) + 1, len(tasks) + 1)
    analytic["wall_seconds"] = time.perf_counter() - clock
    return results, analytic

