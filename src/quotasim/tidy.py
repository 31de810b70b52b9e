"""Tidy pandas tables over replications, for notebooks: :func:`replicate` and :func:`compare`.

Both run replication ``k`` on ``seeds.replication_seed(seed, k)`` through the one executor
(``quotasim.execution``), so their numbers are those of ``quotasim run --replications`` and
``quotasim compare`` on the same seeds.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .scenario import Scenario, load_scenario

__all__ = ["replicate", "compare", "SUMMARY_COLUMNS"]

#: The columns of ``replicate(..., table="summary")``: one row per replication and figure.
SUMMARY_COLUMNS = ["scenario", "replication", "seed", "metric", "value", "unit"]


def replicate(scenario: str | Scenario | dict = "baseline", replications: int = 8, seed: int = 0, *,
              overrides: list[str] | dict[str, Any] | None = None, table: str = "summary", workers: int = 1,
              backend: str | None = None) -> pd.DataFrame:
    """Run ``scenario`` ``replications`` times; return one tidy table.

    Parameters
    ----------
    scenario : name, path, dict or Scenario
    replications, seed : int
        Replication ``k`` runs on seed ``seed + k``.
    overrides : ``["dotted.name=value", ...]`` or a dict, applied to ``scenario``
    table : ``"summary"``, ``"yearly"`` or ``"monthly"``
        ``summary``: the headline figures of ``quotasim compare`` (money and events per year,
        attainment, officials in post; tier by tier), long format (:data:`SUMMARY_COLUMNS`).
        ``yearly``: flows and counts per calendar year (``RunResult.yearly``). ``monthly``: the
        monthly table (``date`` a real date). Both with ``scenario``, ``replication`` and ``seed`` first.
    """
    from .report.headline import headline
    from .report.replicate import replicate as run_replications
    if table not in ("summary", "yearly", "monthly"):
        raise ValueError(f"table = {table!r}: 'summary', 'yearly' or 'monthly'")
    spec = scenario if isinstance(scenario, Scenario) and not overrides else load_scenario(
        scenario.model_dump(mode="json") if isinstance(scenario, Scenario) else scenario, overrides)
    runs = run_replications(spec, replications, seed, workers, None, backend)
    frames = []
    for index, run in enumerate(runs):
        keys = {"scenario": spec.name, "replication": index, "seed": run.seed}
        if table == "summary":
            frames.append(pd.DataFrame([{**keys, "metric": metric, "value": value, "unit": _unit(metric)}
                                        for metric, value in headline(run).items()], columns=SUMMARY_COLUMNS))
        else:
            frame = run.yearly() if table == "yearly" else run.monthly.to_pandas()
            for position, (name, value) in enumerate(keys.items()):
                frame.insert(position, name, value)
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def compare(scenarios: str | list[str], replications: int = 8, seed: int = 0, *,
            overrides: list[str] | None = None, workers: int = 1, backend: str | None = None,
            allow_different_calendars: bool = False) -> pd.DataFrame:
    """Each headline figure of each scenario against the first, on common seeds: a tidy table
    (``scenario, reference, metric, reference_mean, mean, difference, low, high, relative, ..., n,
    paired``; the interval is 95 %).

    A report scenario alone (``compare("decentralisation-2025")``) is compared with its
    same-calendar counterfactual (``no-directive-2025``). Scenarios on different calendars are
    refused (``ReportError``) unless ``allow_different_calendars``.
    """
    from .report.compare import compare_sets, gather
    arguments = [scenarios] if isinstance(scenarios, str) else list(scenarios)
    sets = gather(arguments, replications, seed, list(overrides or []), workers, None, backend,
                  allow_different_calendars=allow_different_calendars)
    return compare_sets(sets)


def _unit(metric: str) -> str:
    if "_usd" in metric:
        return "USD per year"
    if "attainment" in metric or metric.startswith("share"):
        return "share"
    return "officials" if metric == "officials_active_end" else "per year"
