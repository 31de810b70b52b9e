"""Phase 1: the month's conditions — markets, competition, pressure drift, effort in force.

Sanctions shut a share of each route's business; a border closure (M20) shuts official
trade and sends traders to earn at home; workers crowding a route beyond its capacity
earn less each (the competition M10 guards against); campaigns (M21) add pressure; fear
from arrests (M23) decays; effort in force is chosen effort plus the response to pressure
and fear (M4).
"""

from __future__ import annotations

import numpy as np

from ..codes import ACTIVE, KERNEL_CODES
from ..kernels import MonthStartRule, effort_in_force_pass, month_start_pass, workers_by_route
from ..rules import assign_targets, border_closed, expected_capacity
from ..state import State

__all__ = ["assess_conditions", "update_markets"]


def assess_conditions(state: State, p, rng: np.random.Generator) -> None:
    """Set this month's markets, duties, pressure drift, effort in force and targets."""
    state.reset_month()
    workers_by_route = _start_month(state, p)
    update_markets(state, p, workers_by_route)
    _rebase_quotas_on_closure_change(state, p)
    _set_effort_in_force(state, p)
    assign_targets(state, p)


def update_markets(state: State, p, headcount: np.ndarray | None = None) -> None:
    """Open share per route (sanctions, closure) and workers' competition factor (M10).

    ``headcount``: active workers per route, when the caller has counted them.
    """
    env = p.environment
    open_share = np.array([1 - env.sanctions_china, 1 - env.sanctions_russia, 1 - env.sanctions_third, 1.0])
    if border_closed(p):
        open_share[:3] = 0.0
    state.market_open = open_share
    if headcount is None:
        headcount = workers_by_route(state.officials.arrays(), KERNEL_CODES)
    headcount = headcount.astype(np.float64)
    capacity = p.worker_caps.capacity_ratio * state.initial_workers_by_route
    crowding = np.divide(capacity, headcount, out=np.ones(4), where=headcount > capacity)
    state.competition = np.minimum(crowding, 1.0) ** p.worker_caps.competition_elasticity


def _start_month(state: State, p) -> np.ndarray:
    """Tenure, closure duty (M20: every trader earns at home while closed, then returns),
    fear's decay (M23), campaign pressure (M21); returns active workers per route."""
    off = state.officials
    campaign = p.year_end_campaign.enabled and p.environment.campaign_active and p.pressure.enabled
    workers_by_route = np.zeros(4, np.int64)
    rule = MonthStartRule(closed=border_closed(p), fear_factor=p.arrest.fear_decay if p.arrest.enabled else 0.0,
                          campaign_pressure=p.year_end_campaign.campaign_pressure if campaign else 0.0)
    month_start_pass(off.arrays(), KERNEL_CODES, rule, workers_by_route)
    return workers_by_route


def _rebase_quotas_on_closure_change(state: State, p) -> None:
    """When the border closes or reopens, quotas are re-set for the new conditions (M20).

    Officials' learned capacity no longer holds, so it is reset to what they can be
    expected to remit now; quotas become ``border_closure.quota_ratio`` times that while
    closed (the domestic quota of seed 003), and ``quota.initial_ratio`` times it on reopening.
    """
    closed = border_closed(p)
    if closed == state.closure_in_force:
        return
    state.closure_in_force = closed
    off, companies = state.officials, state.companies
    off.capacity_usd[:] = expected_capacity(state, p, slice(None))
    live = off.status == ACTIVE
    capacity = np.bincount(off.company[live], weights=off.capacity_usd[live], minlength=companies.n)
    ratio = p.border_closure.quota_ratio if closed else p.quota.initial_ratio
    companies.quota_usd[:] = ratio * capacity


def _set_effort_in_force(state: State, p) -> None:
    """Chosen effort plus what pressure and fear draw out (M4, M23); nothing from those who gave up (M11)."""
    effort_in_force_pass(state.officials.arrays(), KERNEL_CODES, p.pressure.effort_response, p.behaviour.max_effort)
