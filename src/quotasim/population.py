"""The initial state, built from a scenario's population block and the public record.

Companies get a tier and an affiliation; trade officials a company and a post; overseas
workers a company and a country, in the shares the record gives. Skill is lognormal with
median one; first quotas are ``quota.initial_ratio`` times what each company's people
would remit at ordinary effort (M1): the bureau's first quota is what it expects a company
to remit, plus a margin (seed 000's ratchet starts from somewhere; the record gives no
company's quota, so the margin is an assumption, varied in sensitivity analysis). Each
company is assigned the first-tier company it would work through under the directive (M28).
"""

from __future__ import annotations

import numpy as np

from .codes import BORDER_CITY, CENTRAL, CHINA, POST_ROUTE, RUSSIA, RUSSIA_POST, THIRD, THIRD_POST, TRADER, WORKER
from .keyed_random import Key
from .phases.behaviour import forward_effort
from .phases.conditions import update_markets
from .phases.deals import advance_pipeline, start_deals
from .recruitment import new_officials
from .rules import assign_targets, expected_capacity, route_bans
from .scenario import Scenario
from .state import COMPANY_COLUMNS, DEAL_COLUMNS, OFFICIAL_COLUMNS, State, Table

__all__ = ["build_state", "population_rng", "WARM_UP_MONTHS"]

#: Months of trade before the start that fill the approval pipeline (``_warm_up_pipeline``).
WARM_UP_MONTHS = 6


def population_rng(seed: int) -> np.random.Generator:
    """The generator the population's structure (companies, roles, posts, first efforts) is
    drawn from: the first child of ``SeedSequence(seed)``, hashed, so consecutive seeds give
    unrelated populations. Everything drawn per official or per deal is keyed instead
    (``quotasim.keyed_random``)."""
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])


def build_state(p: Scenario, seed: int) -> State:
    """Draw the population of scenario ``p`` from ``seed`` and return the state at month 0."""
    rng = population_rng(seed)
    pop = p.population
    companies = Table(COMPANY_COLUMNS, pop.n_companies)
    companies.append(pop.n_companies,
                     tier=rng.choice(4, pop.n_companies, p=_norm(pop.tier_shares)),
                     affiliation=rng.choice(4, pop.n_companies, p=_norm(pop.affiliation_shares)))
    companies.front[:] = _fronts(companies.tier, rng)
    n_people = pop.n_trade_officials + pop.n_overseas_workers
    officials = Table(OFFICIAL_COLUMNS, n_people + n_people // 4 + 16)
    state = State(officials=officials, companies=companies, deals=Table(DEAL_COLUMNS, 1024), seed=seed,
                  trust=np.full(3, p.frictions.initial_trust if p.frictions.enabled else 1.0),
                  market_open=np.ones(4), competition=np.ones(4), initial_workers_by_route=np.zeros(4))
    state.ban_in_force = route_bans(p)     # issue 14: deals of the warm-up started under the bans in force
    role, post = _roles_and_posts(pop, rng)
    company = _companies_of(pop, rng, role)
    state.initial_workers_by_route = np.bincount(POST_ROUTE[post][role == WORKER], minlength=4).astype(float)
    new_officials(state, p, Key.of(seed, 0), company=company, role=role, post=post, effort=_initial_effort(pop, rng, n_people))
    update_markets(state, p)
    officials.capacity_usd[:] = expected_capacity(state, p, slice(None))
    companies.quota_usd[:] = p.quota.initial_ratio * np.bincount(
        officials.company, weights=officials.capacity_usd, minlength=pop.n_companies)
    _warm_up_pipeline(state, p)
    if p.behaviour.rule == "forward":
        assign_targets(state, p)
        officials.effort[:] = forward_effort(state, p)
    return state


def _fronts(tier: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The first-tier company each company would work through under the directive (M28): a
    first-tier company drawn at random for each; first-tier companies (and all, if there are
    none) front for themselves."""
    central = np.flatnonzero(tier == CENTRAL)
    front = np.arange(len(tier), dtype=np.int32)
    if len(central):
        others = tier != CENTRAL
        front[others] = rng.choice(central, int(others.sum()))
    return front


def _warm_up_pipeline(state: State, p: Scenario) -> None:
    """Fill the approval pipeline as if trade had run before the start (M18).

    Without it the first half-year would start with no deals in approval and every
    company would miss its first quota for a reason the reports do not describe. Money
    from these months is discarded; only the backlog and partners' trust carry over. Their
    draws are keyed by the months before the start, -6 to -1.
    """
    for month in range(-WARM_UP_MONTHS, 0):
        state.reset_month()
        key = Key.of(state.seed, month)
        start_deals(state, p, key)
        advance_pipeline(state, p, key)
    state.reset_month()


def _roles_and_posts(pop, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n_traders, n_workers = pop.n_trade_officials, pop.n_overseas_workers
    trader_post = rng.choice(6, n_traders, p=_norm(pop.trade_post_shares))
    third = max(0.0, 1 - pop.worker_share_china - pop.worker_share_russia)
    worker_route = rng.choice([CHINA, RUSSIA, THIRD], n_workers,
                              p=_norm((pop.worker_share_china, pop.worker_share_russia, third)))
    worker_post = np.choose(worker_route, [BORDER_CITY, RUSSIA_POST, THIRD_POST])
    role = np.concatenate([np.full(n_traders, TRADER), np.full(n_workers, WORKER)]).astype(np.int8)
    return role, np.concatenate([trader_post, worker_post]).astype(np.int8)


def _companies_of(pop, rng: np.random.Generator, role: np.ndarray) -> np.ndarray:
    """Traders spread evenly over companies; workers go mostly to the few companies that dispatch many."""
    company = rng.integers(0, pop.n_companies, len(role))
    workers = np.flatnonzero(role == WORKER)
    weight = rng.lognormal(0.0, pop.worker_concentration, pop.n_companies)
    company[workers] = rng.choice(pop.n_companies, len(workers), p=weight / weight.sum())
    return company


def _initial_effort(pop, rng: np.random.Generator, n: int) -> np.ndarray:
    return np.clip(rng.normal(pop.effort_mean, pop.effort_sd, n), 0.0, None).astype(np.float32)


def _norm(shares) -> np.ndarray:
    shares = np.asarray(shares, np.float64)
    return shares / shares.sum()
