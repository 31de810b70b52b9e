"""Differences between scenarios: each headline figure of each scenario against the first
(the reference), with a confidence interval.

``gather`` turns the command line's arguments into run sets: a folder is read as it is; a
scenario name or file is run on replications ``0 .. n - 1`` from base seed ``seed``
(``seeds.replication_seed``) — the same seeds for every scenario, so that differences are
paired over common random numbers and their intervals are narrow. Folders with different
seeds fall back to Welch's interval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..scenario import COUNTERFACTUALS, load_scenario
from .bands import CONFIDENCE, difference
from .headline import headline
from .replicate import replicate
from .sources import ReportError, RunSet, load_sources, run_sets

__all__ = ["gather", "compare_sets", "calendar_caution", "with_counterfactual", "DIFFERENCE_COLUMNS"]

DIFFERENCE_COLUMNS = ["scenario", "reference", "metric", "reference_mean", "mean", "difference", "low", "high",
                      "relative", "relative_low", "relative_high", "n", "paired"]


def gather(arguments: list[str], replications: int = 8, seed: int = 0, overrides: list[str] | None = None,
           workers: int = 1, progress: Callable[[str, int, int], None] | None = None,
           backend: str | None = None, allow_different_calendars: bool = True) -> list[RunSet]:
    """One run set per argument, in order: folders are loaded, scenarios are run. One report
    scenario alone is compared with its counterfactual (:func:`with_counterfactual`).

    Raises
    ------
    ReportError
        Fewer than two arguments, a folder that is not a run, or (unless
        ``allow_different_calendars``) scenarios on different calendars — before any run.
    quotasim.ScenarioError
        A scenario that does not load (file, field and what is allowed).
    """
    arguments = with_counterfactual(arguments)
    # Every argument is read first, so a bad one fails before any run is spent.
    resolved = [_folder_sets(argument) if Path(argument).is_dir() else load_scenario(argument, list(overrides or []))
                for argument in arguments]
    spans = [(s.label, s.scenario) for item in resolved if isinstance(item, list) for s in item]
    spans += [(item.name, item) for item in resolved if not isinstance(item, list)]
    caution = _caution(spans)
    if caution and not allow_different_calendars:
        raise ReportError(caution + " Pass --different-calendars to compare them anyway.")
    sets: list[RunSet] = []
    for item in resolved:
        if isinstance(item, list):
            sets.extend(item)
            continue
        report = (lambda done, total, name=item.name: progress(name, done, total)) if progress else None
        sets.extend(run_sets(replicate(item, replications, seed, workers, report, backend)))
    return _distinct_labels(sets)


def with_counterfactual(arguments: list[str]) -> list[str]:
    """``[scenario]`` alone becomes ``[its counterfactual, scenario]`` for a report scenario
    (``scenario.COUNTERFACTUALS``); two or more arguments are kept as they are.

    Raises
    ------
    ReportError
        One argument that has no built-in counterfactual, or none.
    """
    if len(arguments) == 1 and arguments[0] in COUNTERFACTUALS:
        return [COUNTERFACTUALS[arguments[0]], arguments[0]]
    if len(arguments) < 2:
        pairs = ", ".join(f"{k} (against {v})" for k, v in COUNTERFACTUALS.items())
        raise ReportError("compare needs at least two scenarios or run folders (the first is the reference), "
                          f"or one report scenario alone, compared with its same-calendar counterfactual: {pairs}")
    return list(arguments)


def compare_sets(sets: list[RunSet], confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Rows of :data:`DIFFERENCE_COLUMNS`: every scenario after the first against the first."""
    reference, *others = sets
    ref_values = {run.seed: headline(run) for run in reference.runs}
    rows = []
    for other in others:
        values = {run.seed: headline(run) for run in other.runs}
        metrics = [m for m in next(iter(ref_values.values())) if all(m in v for v in values.values())]
        for metric in metrics:
            mine = {s: v[metric] for s, v in values.items()}
            theirs = {s: v[metric] for s, v in ref_values.items()}
            est, paired = difference(mine, theirs, confidence)
            base = float(np.mean(list(theirs.values())))
            scale = abs(base) if base != 0 else np.nan
            rows.append({"scenario": other.label, "reference": reference.label, "metric": metric,
                         "reference_mean": base, "mean": float(np.mean(list(mine.values()))), "difference": est.mean,
                         "low": est.low, "high": est.high, "relative": est.mean / scale, "relative_low": est.low / scale,
                         "relative_high": est.high / scale, "n": est.n, "paired": paired})
    return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)


def _folder_sets(argument: str) -> list[RunSet]:
    loaded = load_sources([argument])
    if not isinstance(loaded, list):
        raise ReportError(f"{argument}: a sweep folder cannot be compared; give scenarios or run folders")
    return loaded


def _distinct_labels(sets: list[RunSet]) -> list[RunSet]:
    seen: dict[str, int] = {}
    for s in sets:
        seen[s.label] = seen.get(s.label, 0) + 1
        if seen[s.label] > 1:
            s.label = f"{s.label} ({seen[s.label]})"
    return sets


def calendar_caution(sets: list[RunSet]) -> str | None:
    """A warning when the scenarios cover different calendars, or None.

    Per-year figures put scenarios of different lengths on one footing, but not different
    periods: ``decentralisation-2025`` (2024-07, 30 months) against ``baseline`` (2016-01,
    120 months) mixes the years' sanctions and closures with the directive. The effect of a
    policy alone is the difference from the same calendar without it: ``quotasim compare
    decentralisation-2025`` runs it against ``no-directive-2025``."""
    return _caution([(s.label, s.scenario) for s in sets])


def _caution(spans: Sequence[tuple[str, Any]]) -> str | None:
    if len({(sc.start, sc.months) for _, sc in spans}) < 2:
        return None
    listed = "; ".join(f"{label}: {sc.start} + {sc.months} months" for label, sc in spans)
    same = [f"{k} against {v}" for k, v in COUNTERFACTUALS.items()]
    return (f"these scenarios cover different calendars ({listed}), so each difference mixes the periods' "
            "own events with what the scenarios change, and is not a scenario's effect. For a policy's effect "
            "alone, compare it with the same calendar without it: `quotasim compare SCENARIO` with a report "
            f"scenario alone runs its built-in counterfactual ({'; '.join(same)}).")
