"""The month's conditions — markets, competition, pressure drift, effort in force.

Sanctions shut a share of each route's business; a border closure (M20) shuts official
trade and sends traders to earn at home; workers crowding a route beyond its capacity
earn less each (the competition M10 guards against); campaigns (M21) add pressure; the
believed risk of arrest (M23) drifts back to its prior; debts bear interest (M22); effort in
force is chosen effort plus the response to pressure (M4).
"""

from __future__ import annotations

import numpy as np

from ..codes import KERNEL_CODES
from ..kernels import MonthStartRule, month_start_pass, workers_by_route
from ..keyed_random import Key
from ..rules import arrest_prior, assign_targets, border_closed, open_by_channel
from ..scenario import Scenario
from ..state import State, totals_record
from . import mechanisms

__all__ = ["assess_conditions", "set_personal_targets", "update_markets"]


@mechanisms("M4", "M10", "M20", "M21", "M23")
def assess_conditions(state: State, p: Scenario, key: Key) -> None:
    """Markets, duties, pressure drift and effort in force for the month."""
    state.reset_month()
    workers_by_route = _start_month(state, p)
    update_markets(state, p, workers_by_route)


@mechanisms("M1")
def set_personal_targets(state: State, p: Scenario, key: Key) -> None:
    """Each company's half-year quota split among its active people by capacity."""
    assign_targets(state, p)


def update_markets(state: State, p: Scenario, headcount: np.ndarray | None = None) -> None:
    """Open share per route (sanctions, closure) and workers' competition factor (M10).

    ``headcount``: active workers per route, when the caller has counted them.
    """
    # Open share per route over all channels (issue 14: official, state and military, smuggling),
    # averaged over ordinary and affiliated companies.
    state.market_open = open_by_channel(p).sum(axis=1).mean(axis=1)
    if headcount is None:
        headcount = workers_by_route(state.officials.arrays(), KERNEL_CODES)
    headcount = headcount.astype(np.float64)
    capacity = p.worker_caps.capacity_ratio * state.initial_workers_by_route
    crowding = np.divide(capacity, headcount, out=np.ones(4), where=headcount > capacity)
    state.competition = np.minimum(crowding, 1.0) ** p.worker_caps.competition_elasticity


def _start_month(state: State, p: Scenario) -> np.ndarray:
    """Tenure, closure duty (M20: every trader earns at home while closed, then returns),
    the believed arrest risk's drift back to the prior (M23), campaign pressure (M21),
    interest on debts (M22), and effort in force: chosen effort plus what pressure draws
    out (M4), nothing from those who gave up (M11) or refuse (M23); returns active workers
    per route."""
    off = state.officials
    campaign = p.year_end_campaign.enabled and p.environment.campaign_active and p.pressure.enabled
    workers_by_route = np.zeros(4, np.int64)
    rule = MonthStartRule(closed=border_closed(p), home_posts_trade=p.closure_degree.enabled,
                          fear_factor=p.arrest.fear_decay if p.arrest.enabled else 0.0,
                          fear_prior=arrest_prior(p),
                          campaign_pressure=p.year_end_campaign.campaign_pressure if campaign else 0.0,
                          interest_rate=p.own_pocket.interest_rate, effort_response=p.pressure.effort_response,
                          max_effort=p.behaviour.max_effort)
    totals = totals_record("interest_paid_usd")
    month_start_pass(off.arrays(), KERNEL_CODES, rule, workers_by_route, totals)
    state.flows.add_totals(totals)
    return workers_by_route
