"""Phase 1: the month's conditions — markets, competition, pressure drift, effort in force.

Sanctions shut a share of each route's business; a border closure (M20) shuts official
trade and sends traders to earn at home; workers crowding a route beyond its capacity
earn less each (the competition M10 guards against); campaigns (M21) add pressure; fear
from arrests (M23) decays; effort in force is chosen effort plus the response to pressure
and fear (M4).
"""

from __future__ import annotations

import numpy as np

from ..rules import active, assign_targets, border_closed, expected_capacity, pressure_extra
from ..state import ACTIVE, PROVINCE, TRADER, WORKER, State

__all__ = ["assess_conditions", "update_markets"]


def assess_conditions(state: State, p, rng: np.random.Generator) -> None:
    """Set this month's markets, duties, pressure drift, effort in force and targets."""
    state.reset_month()
    state.officials.tenure_months[active(state.officials)] += 1
    update_markets(state, p)
    _assign_domestic_duty(state, p)
    _rebase_quotas_on_closure_change(state, p)
    _drift_pressure_and_fear(state, p)
    _set_effort_in_force(state, p)
    assign_targets(state, p)


def update_markets(state: State, p) -> None:
    """Open share per route (sanctions, closure) and workers' competition factor (M10)."""
    env = p.environment
    open_share = np.array([1 - env.sanctions_china, 1 - env.sanctions_russia, 1 - env.sanctions_third, 1.0])
    if border_closed(p):
        open_share[:3] = 0.0
    state.market_open = open_share
    off = state.officials
    workers = (off.status == ACTIVE) & (off.role == WORKER)
    headcount = np.bincount(off.route[workers], minlength=4).astype(np.float64)
    capacity = p.worker_caps.capacity_ratio * state.initial_workers_by_route
    crowding = np.divide(capacity, headcount, out=np.ones(4), where=headcount > capacity)
    state.competition = np.minimum(crowding, 1.0) ** p.worker_caps.competition_elasticity


def _assign_domestic_duty(state: State, p) -> None:
    """During a closure with M20 on, every trader earns at home; afterwards they return."""
    off = state.officials
    off.domestic_duty[:] = border_closed(p) & (off.role == TRADER) & (off.post != PROVINCE)


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


def _drift_pressure_and_fear(state: State, p) -> None:
    off = state.officials
    if p.arrest.enabled:
        off.fear *= np.float32(p.arrest.fear_decay)
    else:
        off.fear[:] = 0.0
    if p.year_end_campaign.enabled and p.environment.campaign_active and p.pressure.enabled:
        off.pressure[active(off)] += np.float32(p.year_end_campaign.campaign_pressure)


def _set_effort_in_force(state: State, p) -> None:
    off = state.officials
    in_force = off.effort + pressure_extra(off, p).astype(np.float32)
    np.clip(in_force, 0.0, p.behaviour.max_effort, out=in_force)
    in_force[off.resigned] = 0.0          # those who gave up do nothing, whatever the pressure (M11)
    off.effort_in_force[:] = np.where(off.status == ACTIVE, in_force, 0.0)


