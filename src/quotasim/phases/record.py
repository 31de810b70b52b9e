"""Phase 16: one row of monthly indicators (documented in ``quotasim.columns``)."""

from __future__ import annotations

import numpy as np

from ..kernels import census
from ..rules import border_closed, directive_in_force
from ..state import State

__all__ = ["record_month", "MONEY_SPLIT"]

#: The parts earned_usd splits into, every month (the accounting identity).
MONEY_SPLIT = ("remitted_usd", "levied_usd", "kept_by_officials_usd", "shared_upward_usd", "rents_usd", "lost_usd")
_FLOW_COLUMNS = (
    "earned_usd", "earned_china_usd", "earned_russia_usd", "earned_third_usd", "earned_domestic_usd",
    *MONEY_SPLIT, "own_pocket_usd", "party_funds_usd", "confiscated_usd", "skimming_confiscated_usd", "trade_volume_usd",
    "trade_volume_china_usd", "trade_volume_russia_usd", "trade_volume_third_usd", "joint_venture_usd",
    "workers_gross_usd", "workers_net_usd", "workers_living_deficit_usd",
    "recalled", "recalled_by_rumour", "recalled_at_goal", "recalled_by_cap", "relocated", "arrested",
    "arrested_defiant", "defected", "gave_up", "stopped_trying", "dispatched", "relatives_placed", "relatives_recalled",
    "caught_by_surveillance", "deals_started", "deals_completed", "deals_cancelled", "deals_delayed",
    "deals_rejected", "mou_deals_completed", "pipeline_backlog",
)
_COUNT_COLUMNS = {"recalled", "recalled_by_rumour", "recalled_at_goal", "recalled_by_cap", "relocated", "arrested",
                  "arrested_defiant", "defected", "gave_up", "stopped_trying", "dispatched", "relatives_placed", "relatives_recalled",
                  "caught_by_surveillance", "deals_started", "deals_completed", "deals_cancelled", "deals_delayed",
                  "deals_rejected", "mou_deals_completed", "pipeline_backlog"}


def record_month(state: State, p, rng: np.random.Generator) -> None:
    """Append this month's indicators to ``state.monthly_rows``."""
    off, flows = state.officials, state.flows
    (n_active, n_traders, n_workers_abroad), (effort, pressure, fear) = census(
        off.status, off.role, off.post, off.effort_in_force, off.pressure, off.fear)
    row: dict[str, float | int | str] = {"month": state.month_index}
    for name in _FLOW_COLUMNS:
        value = flows.get(name)
        row[name] = int(value) if name in _COUNT_COLUMNS else value
    other = p.other_sources.monthly_usd if (p.other_sources.enabled and p.environment.other_sources_open) else 0.0
    row["other_sources_usd"] = other
    row["state_receipts_usd"] = row["remitted_usd"] + row["levied_usd"] + row["own_pocket_usd"]
    n_live = max(int(n_active), 1)
    row.update(
        officials_active=int(n_active),
        traders_active=int(n_traders),
        workers_abroad=int(n_workers_abroad),
        officials_total=off.n,
        mean_partner_trust=float(state.trust.mean()),
        trust_china=float(state.trust[0]), trust_russia=float(state.trust[1]), trust_third=float(state.trust[2]),
        mean_effort=float(effort / n_live),
        mean_pressure=float(pressure / n_live),
        mean_fear=float(fear / n_live),
        total_quota_usd=float(state.companies.quota_usd.sum()),
        joint_ventures=int(state.companies.n_joint_ventures.sum()),
        sanctions_china=p.environment.sanctions_china,
        border_closed=border_closed(p),
        decentralisation=directive_in_force(p),
        campaign=bool(p.environment.campaign_active),
    )
    state.monthly_rows.append(row)
