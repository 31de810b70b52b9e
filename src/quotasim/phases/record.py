"""One row of monthly indicators, in the order and with the meanings ``quotasim.columns`` declares.

Flows are read from the month's ``state.flows``; every gauge has one reporter below, a
function of a :class:`Snapshot` of the month's end. A gauge declared without a reporter, or
a reporter for an undeclared gauge, is an error at import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ..codes import ACTIVE, CHINA, KERNEL_CODES, RUSSIA, THIRD, TRADER, WORKER
from ..columns import MONTHLY
from ..kernels import census
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
    counts: np.ndarray           # active, traders, workers abroad
    sums: np.ndarray             # effort in force, pressure, fear, recall belief over the active


def _per_active(s: Snapshot, k: int) -> float:
    return float(s.sums[k] / max(int(s.counts[0]), 1))


REPORTERS: dict[str, Callable[[Snapshot], Any]] = {
    "other_sources_usd": lambda s: other_sources_usd(s.p),
    "state_receipts_usd": lambda s: (s.row["remitted_usd"] + s.row["levied_usd"] + s.row["own_pocket_usd"]
                                     + s.row["front_remitted_usd"]),
    "officials_active": lambda s: int(s.counts[0]),
    "traders_active": lambda s: int(s.counts[1]),
    "workers_abroad": lambda s: int(s.counts[2]),
    "officials_total": lambda s: s.state.officials.n,
    "mean_partner_trust": lambda s: float(s.state.trust.mean()),
    "trust_china": lambda s: float(s.state.trust[0]),
    "trust_russia": lambda s: float(s.state.trust[1]),
    "trust_third": lambda s: float(s.state.trust[2]),
    "mean_effort": lambda s: _per_active(s, 0),
    "mean_pressure": lambda s: _per_active(s, 1),
    "mean_fear": lambda s: _per_active(s, 2),
    "mean_recall_belief": lambda s: _per_active(s, 3),
    "total_quota_usd": lambda s: float(s.state.companies.quota_usd.sum()),
    "joint_ventures": lambda s: int(s.state.companies.n_joint_ventures.sum()),
    "sanctions_china": lambda s: s.p.environment.sanctions_china,
    "border_closed": lambda s: border_closed(s.p),
    "decentralisation": lambda s: directive_in_force(s.p),
    "campaign": lambda s: bool(s.p.environment.campaign_active),
    # issue 14: workers abroad by country and permit (M8)
    "workers_china": lambda s: _workers(s, CHINA),
    "workers_russia": lambda s: _workers(s, RUSSIA),
    "workers_third": lambda s: _workers(s, THIRD),
    "workers_russia_permitted": lambda s: _workers(s, RUSSIA, permitted_only=True),
    "workers_other_permits": lambda s: int((_abroad_workers(s) & s.state.officials.other_permit).sum()),
    "worker_debt_usd": lambda s: float(s.state.officials.charge_arrears_usd[_abroad_workers(s)].sum()),
    "mean_effort_traders": lambda s: _trader_effort(s),
}
_FLOWS = MONTHLY.of_kind("flow")
_GAUGES = MONTHLY.of_kind("gauge")
if set(REPORTERS) != set(_GAUGES):
    raise RuntimeError(f"gauges without a reporter or reporters without a declaration: "
                       f"{sorted(set(REPORTERS) ^ set(_GAUGES))}")
_ORDER = tuple(name for name in MONTHLY if name != "date")   # the declared order (the date is added later)
_INT_FLOWS = frozenset(name for name in _FLOWS if MONTHLY[name].type == "int")


def _abroad_workers(s: Snapshot) -> np.ndarray:
    off = s.state.officials
    return (off.status == ACTIVE) & (off.role == WORKER)


def _trader_effort(s: Snapshot) -> float:
    off = s.state.officials
    traders = (off.status == ACTIVE) & (off.role == TRADER)
    return float(off.effort_in_force[traders].mean()) if traders.any() else 0.0


def _workers(s: Snapshot, route: int, permitted_only: bool = False) -> int:
    mask = _abroad_workers(s) & (s.state.officials.route == route)
    if permitted_only:
        mask &= ~s.state.officials.other_permit
    return int(mask.sum())


@mechanisms()
def record_month(state: State, p: Scenario, key: Key) -> None:
    """Append this month's row of declared columns to ``state.monthly_rows``."""
    counts, sums = census(state.officials.arrays(), KERNEL_CODES)
    row: dict[str, Any] = {"month": state.month_index}
    for name in _FLOWS:
        value = state.flows.get(name)
        row[name] = int(value) if name in _INT_FLOWS else value
    snapshot = Snapshot(state, p, row, counts, sums)
    for name in _GAUGES:
        row[name] = REPORTERS[name](snapshot)
    state.monthly_rows.append({name: row[name] for name in _ORDER})
