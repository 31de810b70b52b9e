"""Small derived quantities that several phases read: one definition each.

Each takes the scenario in force (``p``) and the state or its tables and returns arrays;
none changes state.
"""

from __future__ import annotations

import numpy as np

from .codes import ACTIVE, BIG_CITY, BORDER_CITY, CENTRAL, FOREIGN_ROUTES, KERNEL_CODES, N_STAGES, PROVINCE, TRADER, WORKER
from .kernels import assign_targets_pass
from .scenario import Scenario
from .state import State

__all__ = ["HALF", "border_closed", "directive_in_force", "other_sources_usd", "reviews_held", "independent_companies",
           "protection", "access",
           "watch_factor", "remit_share", "earns_domestically", "median_deal_usd",
           "total_rent_share", "worker_pay_factor", "expected_capacity", "assign_targets", "leave",
           "required_stage_mask", "take_home_ratio", "arrest_prior", "campaign_scrutiny",
           "route_bans", "open_by_channel", "closure_factor", "people_move", "worker_charge"]

HALF = 6  # months in a review period (M1, M2)


def border_closed(p: Scenario) -> bool:
    """Official trade suspended (M20 on and the environment says closed)."""
    return bool(p.border_closure.enabled and p.environment.border_closed)


def directive_in_force(p: Scenario) -> bool:
    """Independent trading authority in force (M25 on and the directive issued)."""
    return bool(p.decentralisation.enabled and p.environment.decentralisation_directive)


def reviews_held(p: Scenario) -> bool:
    """Half-year reviews are held while quotas are set (M1): the review block of the schedule."""
    return bool(p.quota.enabled)


def other_sources_usd(p: Scenario) -> float:
    """Foreign cash a month from sources other than trade, while they run (M13)."""
    return p.other_sources.monthly_usd if (p.other_sources.enabled and p.environment.other_sources_open) else 0.0


def independent_companies(state: State, p: Scenario) -> np.ndarray:
    """Companies with independent authority: ministry/central first-class tier (M25)."""
    tier = state.companies.tier
    return (tier == CENTRAL) if directive_in_force(p) else np.zeros(len(tier), bool)


def protection(p: Scenario, affiliation: np.ndarray) -> np.ndarray:
    """Reduction of recall, arrest and crackdown risk by affiliation (M17); 0 when off."""
    if not p.affiliation.enabled:
        return np.zeros(len(affiliation), np.float64)
    return np.asarray(p.affiliation.protection, np.float64)[affiliation]


def access(p: Scenario, affiliation: np.ndarray) -> np.ndarray:
    """Approval speed-up by affiliation (M17); 1 when off."""
    if not p.affiliation.enabled:
        return np.ones(len(affiliation), np.float64)
    return np.asarray(p.affiliation.access, np.float64)[affiliation]


def arrest_prior(p: Scenario) -> float:
    """The arrest risk an official believes before hearing of any case (M23); 0 when arrests are off."""
    return p.arrest.prior_risk if p.arrest.enabled else 0.0


def campaign_scrutiny(p: Scenario) -> float:
    """Multiplier on pressure and arrest risk at a review held during a mobilisation campaign
    (M21, ``environment.campaign_active``); 1 otherwise, December or not."""
    campaign = p.year_end_campaign
    return campaign.scrutiny if (campaign.enabled and p.environment.campaign_active) else 1.0


def watch_factor(p: Scenario) -> float:
    """Rivals watching each other multiply rumour and detection risks (M19)."""
    return 1.0 + p.mutual_watch.intensity if p.mutual_watch.enabled else 1.0


def remit_share(state: State, p: Scenario) -> np.ndarray:
    """Share of net earnings handed to the state, per company (M1; M25 for the independent)."""
    share = np.full(state.companies.n, p.quota.remit_share)
    share[independent_companies(state, p)] = p.decentralisation.remit_share
    return share


def earns_domestically(officials, rows: np.ndarray | slice) -> np.ndarray:
    """Of the officials in ``rows``: traders who earn at home, in province posts or sent home
    by a closure (M20)."""
    post = officials.post[rows]
    return (officials.role[rows] == TRADER) & ((post == PROVINCE) | officials.domestic_duty[rows])


def median_deal_usd(p: Scenario, post: np.ndarray) -> np.ndarray:
    """Median deal value by post (M16); one value for all posts when M16 is off."""
    posts = p.posts
    if not posts.enabled:
        return np.full(len(post), posts.other_deal_usd)
    values = np.full(len(post), posts.other_deal_usd)
    values[post == BIG_CITY] = posts.big_city_deal_usd
    values[post == BORDER_CITY] = posts.border_deal_usd
    return values


def total_rent_share(p: Scenario) -> float:
    """Share of a deal's profit taken by the approval stages' interests (M18)."""
    return float(min(sum(p.pipeline.rent_share), 0.95)) if p.pipeline.enabled else 0.0


def worker_pay_factor(state: State, p: Scenario) -> np.ndarray:
    """Per-route pay factor for workers: the part of sanctions that reaches pay (M8) x competition (M10); closure: M20."""
    exposure = p.overseas_earnings.sanction_exposure
    factor = (1 - exposure * (1 - state.market_open)) * state.competition
    if border_closed(p):
        factor = factor.copy()
        factor[list(FOREIGN_ROUTES)] = p.border_closure.worker_yield * state.competition[list(FOREIGN_ROUTES)]
    return factor


def expected_capacity(state: State, p: Scenario, rows: np.ndarray | slice) -> np.ndarray:
    """Expected remittance of each official over a half-year at effort 1, in USD.

    Used to size first quotas (M1), to split a company's quota among its people, and by
    the forward-looking rule. Noise has mean one, so it drops out. Workers, traders at home
    and traders who deal are each computed over their own rows only.
    """
    off = state.officials
    rows = np.arange(off.n)[rows] if isinstance(rows, slice) else np.asarray(rows)
    worker = off.role[rows] == WORKER
    home = earns_domestically(off, rows)
    dealing = ~worker & ~home
    monthly = np.empty(len(rows))
    workers = rows[worker]
    skill = off.skill[workers].astype(np.float64)
    gross = p.overseas_earnings.wage_usd * skill * worker_pay_factor(state, p)[off.route[workers]]
    living = p.overseas_earnings.living_cost_usd if p.overseas_earnings.enabled else 0.0
    monthly[worker] = np.maximum(gross - living, 0.0)
    at_home = rows[home]
    monthly[home] = np.where(off.post[at_home] == PROVINCE, p.posts.province_yield_usd,
                             p.border_closure.domestic_yield_usd) * off.skill[at_home].astype(np.float64)
    monthly[dealing] = _expected_deal_profit(state, p, rows[dealing])
    rho = remit_share(state, p)[off.company[rows]]
    if p.workers_abroad.enabled:   # issue 14: a worker remits the charge per head, paid first (M8)
        out = HALF * (rho * monthly)
        out[worker] = HALF * np.minimum(worker_charge(p)[off.route[workers]], gross)
        return out
    return HALF * rho * monthly


def _expected_deal_profit(state: State, p: Scenario, rows: np.ndarray) -> np.ndarray:
    """A dealing trader's expected monthly profit at effort 1 (M16): deals started x trust x
    what is open x the mean deal (lognormal) x margin, net of rents, times the share completed."""
    off = state.officials
    route = off.route[rows]
    trust = np.append(state.trust, 1.0)[route]
    goods = 1 - p.frictions.goods_shortfall if p.frictions.enabled else 1.0
    deal_sd = p.posts.deal_sd
    mean_value = median_deal_usd(p, off.post[rows]) * np.exp(deal_sd * deal_sd / 2) * goods * off.skill[rows].astype(np.float64)
    completion = 0.8 if p.pipeline.enabled else 1.0
    return (min(p.posts.deal_rate, 1.0) * trust * state.market_open[route] * mean_value
            * p.posts.margin * (1 - total_rent_share(p)) * completion)


def assign_targets(state: State, p: Scenario) -> None:
    """Split each company's half-year quota among its active people by capacity (M1)."""
    assign_targets_pass(state.officials.arrays(), KERNEL_CODES, state.companies.quota_usd,
                        np.zeros(state.companies.n))


def leave(state: State, rows: np.ndarray, status: int, flow: str) -> None:
    """Move the active officials in ``rows`` (indices) to ``status`` and count them in ``flow``."""
    off = state.officials
    rows = rows[off.status[rows] == ACTIVE]
    off.status[rows] = status
    off.exit_month[rows] = state.month_index
    off.effort_in_force[rows] = 0.0
    state.flows.add(flow, len(rows))
    state.companies.headcount[:] -= np.bincount(off.company[rows], minlength=state.companies.n).astype(np.int32)


def take_home_ratio(rho: np.ndarray) -> np.ndarray:
    """What an official keeps per dollar remitted, (1 - ρ) / ρ; finite however small the state's share."""
    return (1 - rho) / np.maximum(rho, 1e-9)


def required_stage_mask(p: Scenario, post: np.ndarray, independent: np.ndarray) -> np.ndarray:
    """Bit mask of the approval stages a deal must pass (M18; M16 and M25 skip some)."""
    mask = np.full(len(post), (1 << N_STAGES) - 1, np.int8)
    if p.posts.enabled:
        mask[post != BIG_CITY] &= ~np.int8(1 << 1)        # only MOUs go to the feasibility review
    if independent.any():
        mask[independent] &= ~np.int8((1 << 0) | (1 << 2))  # no party approval, no planning licence
    return mask




# --------------------------------------------------------------------------------------------
# Issue 14: trade channels (M5, M17), the closure by degree and channel (M20), workers' charges (M8)
def route_bans(p: Scenario) -> np.ndarray:
    """Share of each route's official trade banned by sanctions (domestic: none), shape (4,)."""
    env = p.environment
    return np.array([env.sanctions_china, env.sanctions_russia, env.sanctions_third, 0.0])


def open_by_channel(p: Scenario) -> np.ndarray:
    """Open share of each route's business by channel, shape (4 routes, 3 channels, 2).

    Channels are official customs trade, state and military trade, and smuggling and
    ship-to-ship transfers (``codes.CHANNEL_NAMES``); the last axis is an ordinary company
    (0) and one affiliated with the army, State Security or the fund office (1), which alone
    has state and military trade (M17). Sanctions (``environment.sanctions_*``) ban a share
    of official trade; ``trade_channels.evasion`` of what is banned moves to the other
    channels. A closure (M20) shuts each channel to ``closure_degree``'s share of capacity
    (all of them when that mechanism is off); the domestic route is never shut.
    """
    tc = p.trade_channels
    ban = route_bans(p)
    evaded = ban * (tc.evasion if tc.enabled else 0.0)
    factor = closure_factor(p)
    out = np.zeros((4, 3, 2))
    out[:, 0, :] = ((1 - ban) * factor[:, 0])[:, None]
    out[:, 1, 1] = evaded * tc.state_share * factor[:, 1]
    out[:, 2, 1] = evaded * (1 - tc.state_share) * factor[:, 2]
    out[:, 2, 0] = evaded * factor[:, 2]
    return out


def closure_factor(p: Scenario) -> np.ndarray:
    """Share of each route's capacity open by channel under the closure, shape (4, 3): all ones
    while open; while closed, ``closure_degree``'s shares (zeros abroad when it is off, M20)."""
    factor = np.ones((4, 3))
    if border_closed(p):
        cd = p.closure_degree
        if cd.enabled:
            factor[:3] = np.column_stack([np.asarray(cd.official_open), np.full(3, cd.state_open),
                                          np.full(3, cd.smuggling_open)])
        else:
            factor[:3] = 0.0
    return factor


def people_move(p: Scenario) -> float:
    """Share of the usual movement of people (dispatch, refills, repatriation) possible now (M20)."""
    if not border_closed(p):
        return 1.0
    return p.closure_degree.people_open if p.closure_degree.enabled else 0.0


def worker_charge(p: Scenario) -> np.ndarray:
    """Monthly charge per head owed by a worker, by route (domestic 0); zeros when M8's charges are off."""
    if not p.workers_abroad.enabled:
        return np.zeros(4)
    return np.append(np.asarray(p.workers_abroad.charge_usd, np.float64), 0.0)
