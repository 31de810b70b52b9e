"""One row of monthly indicators, in the order and with the meanings ``quotasim.columns`` declares.

Flows are read from the month's ``state.flows``; every gauge has one reporter below, a
function of a :class:`Snapshot` of the month's end. A gauge declared without a reporter, or
a reporter for an undeclared gauge, is an error at import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from ..codes import KERNEL_CODES
from ..columns import MONTHLY
from ..kernels import CENSUS_COUNTS, CENSUS_SUMS, census
from ..keyed_random import Key
from ..rules import border_closed, directive_in_force, other_sources_usd
from ..scenario import Scenario
from ..state import State
from . import mechanisms

__all__ = ["record_month", "REPORTERS"]


class Snapshot(NamedTuple):
    """What the gauges read at the month's end."""

    state: State
    p: Any
    row: dict[str, Any]          # the month's flows, already in the row
    counts: dict[str, int]       # the census's counts (kernels.CENSUS_COUNTS)
    sums: dict[str, float]       # and its sums (kernels.CENSUS_SUMS)


def _per_active(s: Snapshot, name: str) -> float:
    return s.sums[name] / max(s.counts["active"], 1)


REPORTERS: dict[str, Callable[[Snapshot], Any]] = {
    "other_sources_usd": lambda s: other_sources_usd(s.p),
    "state_receipts_usd": lambda s: (s.row["remitted_usd"] + s.row["levied_usd"] + s.row["own_pocket_usd"]
                                     + s.row["front_remitted_usd"]),
    "officials_active": lambda s: s.counts["active"],
    "traders_active": lambda s: s.counts["traders"],
    "workers_abroad": lambda s: s.counts["workers_abroad"],
    "officials_total": lambda s: s.state.officials.n,
    "mean_partner_trust": lambda s: float(s.state.trust.mean()),
    "trust_china": lambda s: float(s.state.trust[0]),
    "trust_russia": lambda s: float(s.state.trust[1]),
    "trust_third": lambda s: float(s.state.trust[2]),
    "mean_effort": lambda s: _per_active(s, "effort"),
    "mean_pressure": lambda s: _per_active(s, "pressure"),
    "mean_fear": lambda s: _per_active(s, "fear"),
    "mean_recall_belief": lambda s: _per_active(s, "recall_belief"),
    "total_quota_usd": lambda s: float(s.state.companies.quota_usd.sum()),
    "joint_ventures": lambda s: int(s.state.companies.n_joint_ventures.sum()),
    "sanctions_china": lambda s: s.p.environment.sanctions_china,
    "border_closed": lambda s: border_closed(s.p),
    "decentralisation": lambda s: directive_in_force(s.p),
    "campaign": lambda s: bool(s.p.environment.campaign_active),
    # issue 14: workers abroad by country and permit (M8), whatever their post
    "workers_china": lambda s: s.counts["workers_china"],
    "workers_russia": lambda s: s.counts["workers_russia"],
    "workers_third": lambda s: s.counts["workers_third"],
    "workers_russia_permitted": lambda s: s.counts["workers_russia_permitted"],
    "workers_other_permits": lambda s: s.counts["workers_other_permits"],
    "worker_debt_usd": lambda s: s.sums["worker_debt_usd"],
    "mean_effort_traders": lambda s: s.sums["trader_effort"] / s.counts["traders"] if s.counts["traders"] else 0.0,
}
_FLOWS = MONTHLY.of_kind("flow")
_GAUGES = MONTHLY.of_kind("gauge")
if set(REPORTERS) != set(_GAUGES):
    raise RuntimeError(f"gauges without a reporter or reporters without a declaration: "
                       f"{sorted(set(REPORTERS) ^ set(_GAUGES))}")
_ORDER = tuple(name for name in MONTHLY if name != "date")   # the declared order (the date is added later)
_INT_FLOWS = frozenset(name for name in _FLOWS if MONTHLY[name].type == "int")


@mechanisms()
def record_month(state: State, p: Scenario, key: Key) -> None:
    """Append this month's row of declared columns to ``state.monthly_rows``."""
    counted, summed = census(state.officials.arrays(), KERNEL_CODES)
    row: dict[str, Any] = {"month": state.month_index}
    for name in _FLOWS:
        value = state.flows.get(name)
        row[name] = int(value) if name in _INT_FLOWS else value
    snapshot = Snapshot(state, p, row, dict(zip(CENSUS_COUNTS, counted.tolist())), dict(zip(CENSUS_SUMS, summed.tolist())))
    for name in _GAUGES:
        row[name] = REPORTERS[name](snapshot)
    state.monthly_rows.append({name: row[name] for name in _ORDER})
