"""quotasim as an EMA Workbench ``Model``, for ``perform_experiments`` and its samplers.

::

    from ema_workbench import perform_experiments
    from quotasim.ema import ema_model

    model = ema_model("baseline", uncertainties=["ratchet.up_rate", "frictions.goods_shortfall"],
                      outcomes=["state_receipts_usd", "median_attainment"], replications=2)
    experiments, outcomes = perform_experiments(model, scenarios=50)

Each uncertainty is a scenario parameter (its dotted name); its range is the declaration's
bounds unless given as ``{"ratchet.up_rate": (0.1, 0.9)}``. EMA names must be Python
identifiers, so ``ratchet.up_rate`` appears in EMA's tables as ``ratchet__up_rate``.
Outcomes are the headline figures of ``quotasim compare`` (money and events per year,
``median_attainment``, ``officials_active_end``, …), each the mean over ``replications`` runs
on seeds ``seed, seed + 1, …`` — the same seeds for every experiment (common random numbers).
"""

from __future__ import annotations

from typing import Any

from .scenario import load_scenario, parameter_field

__all__ = ["ema_model", "QuotasimFunction", "ema_name"]


def ema_name(dotted: str) -> str:
    """``ratchet.up_rate`` -> ``ratchet__up_rate`` (EMA names are Python identifiers)."""
    return dotted.replace(".", "__")


class QuotasimFunction:
    """The function EMA calls with one experiment's values (by dotted name); picklable, so
    EMA's multiprocessing evaluator can ship it to its workers."""

    def __init__(self, scenario: str | dict, outcomes: list[str], replications: int = 1, seed: int = 0,
                 overrides: dict[str, Any] | None = None) -> None:
        self.scenario, self.outcomes = scenario, list(outcomes)
        self.replications, self.seed, self.overrides = replications, seed, dict(overrides or {})

    def __call__(self, **values: Any) -> dict[str, float]:
        from .report.headline import headline
        from .seeds import replication_seeds
        from .simulation import simulate
        plain = {name: value.item() if hasattr(value, "item") else value for name, value in values.items()}
        spec = load_scenario(self.scenario, {**self.overrides, **plain})   # NumPy scalars as Python ones (strict types)
        runs = [headline(simulate(spec, s)) for s in replication_seeds(self.seed, self.replications)]
        return {name: sum(run[_metric(name)] for run in runs) / len(runs) for name in self.outcomes}


def ema_model(scenario: str | dict = "baseline", uncertainties: list[str] | dict[str, tuple] | None = None,
              outcomes: list[str] | None = None, *, replications: int = 1, seed: int = 0,
              overrides: dict[str, Any] | None = None, name: str = "quotasim"):
    """An ``ema_workbench.Model`` running ``scenario`` with the given uncertainties and outcomes.

    Parameters
    ----------
    scenario : built-in name, path or dict
    uncertainties : dotted parameter names (ranges from their declared bounds) or name -> (low, high)
        Floats become ``RealParameter``, integers ``IntegerParameter``, switches ``BooleanParameter``.
    outcomes : headline figure names (default: state receipts, earned, median attainment)
        Money and counts are per year; ``state_receipts_usd`` means ``state_receipts_usd per year``.
    replications, seed : runs averaged per experiment, on seeds ``seed .. seed + replications - 1``
    overrides : dotted name -> value, fixed for every experiment (e.g. a smaller population)
    """
    from ema_workbench import Model, ScalarOutcome
    outcomes = list(outcomes or ["state_receipts_usd", "earned_usd", "median_attainment"])
    load_scenario(scenario, overrides)   # a bad scenario or override fails here, located, not in a worker
    model = Model(name, function=QuotasimFunction(scenario, outcomes, replications, seed, overrides))
    ranges = uncertainties if isinstance(uncertainties, dict) else {u: None for u in (uncertainties or [])}
    model.uncertainties = [_parameter(dotted, bounds) for dotted, bounds in ranges.items()]
    model.outcomes = [ScalarOutcome(ema_name(o), variable_name=o) for o in outcomes]
    return model


def _metric(outcome: str) -> str:
    from .report.headline import COUNTS, FLOWS
    return f"{outcome} per year" if outcome in FLOWS + COUNTS else outcome


def _parameter(dotted: str, bounds: tuple | None):
    from ema_workbench import BooleanParameter, IntegerParameter, RealParameter
    info = parameter_field(dotted, label="uncertainties", field=dotted)
    kind = info.annotation
    if kind is bool:
        return BooleanParameter(ema_name(dotted), variable_name=dotted)
    low, high = bounds if bounds is not None else _declared_bounds(dotted, info)
    if kind is int:
        return IntegerParameter(ema_name(dotted), int(low), int(high), variable_name=dotted)
    return RealParameter(ema_name(dotted), float(low), float(high), variable_name=dotted)


def _declared_bounds(dotted: str, info) -> tuple[float, float]:
    low = high = None
    for rule in info.metadata:
        low = getattr(rule, "ge", getattr(rule, "gt", low))
        high = getattr(rule, "le", getattr(rule, "lt", high))
    if low is None or high is None:
        raise ValueError(f"uncertainties: {dotted!r} has no declared range; give one: {{{dotted!r}: (low, high)}}")
    return low, high
