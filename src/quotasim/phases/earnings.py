"""Phase 5: workers' pay and foreign cash raised at home.

Overseas workers (M8) earn their pay times skill, effort in force and the route's pay
factor (open share x competition, M10); living costs come first, and a shortfall comes out
of savings — most earn little above their keep. Province-post traders, and every trader
sent home by a closure (M20), raise foreign cash at home.
"""

from __future__ import annotations

import numpy as np

from ..rules import earns_domestically, worker_pay_factor
from ..state import ACTIVE, PROVINCE, WORKER, State

__all__ = ["earn_wages_and_domestic"]


def earn_wages_and_domestic(state: State, p, rng: np.random.Generator) -> None:
    """Credit this month's pay (net of living costs) and domestic earnings."""
    off = state.officials
    live = off.status == ACTIVE
    workers = np.flatnonzero(live & (off.role == WORKER))
    home = np.flatnonzero(live & earns_domestically(off, p))
    _pay_workers(state, p, workers, _noise(p, rng, len(workers)))
    _earn_at_home(state, p, home, _noise(p, rng, len(home)))


def _pay_workers(state: State, p, rows: np.ndarray, noise: np.ndarray) -> None:
    off, pay = state.officials, p.overseas_earnings
    route = off.route[rows]
    factor = worker_pay_factor(state, p)[route]
    gross = pay.wage_usd * off.skill[rows] * off.effort_in_force[rows] * factor * noise
    living = pay.living_cost_usd if pay.enabled else 0.0
    net = np.maximum(gross - living, 0.0)
    deficit = np.maximum(living - gross, 0.0)
    off.wealth_usd[rows] -= np.minimum(deficit, off.wealth_usd[rows])
    state.month["earned"][rows] += net
    by_route = np.bincount(route, weights=net, minlength=4)
    for code, name in enumerate(("china", "russia", "third")):
        state.flows.add(f"earned_{name}_usd", by_route[code])
    state.flows.add("workers_gross_usd", gross.sum())
    state.flows.add("workers_net_usd", net.sum())
    state.flows.add("workers_living_deficit_usd", deficit.sum())


def _earn_at_home(state: State, p, rows: np.ndarray, noise: np.ndarray) -> None:
    off = state.officials
    yield_usd = np.where(off.post[rows] == PROVINCE, p.posts.province_yield_usd, p.border_closure.domestic_yield_usd)
    earned = yield_usd * off.skill[rows] * off.effort_in_force[rows] * noise
    state.month["earned"][rows] += earned
    state.flows.add("earned_domestic_usd", earned.sum())


def _noise(p, rng: np.random.Generator, n: int) -> np.ndarray:
    """Lognormal month-to-month variation with mean one (off: exactly one), in single precision."""
    sd = p.overseas_earnings.noise_sd
    if not p.behaviour.earnings_noise or sd == 0:
        return np.ones(n, np.float32)
    noise = rng.standard_normal(n, dtype=np.float32)
    noise *= np.float32(sd)
    noise += np.float32(-sd * sd / 2)
    return np.exp(noise, out=noise)
