"""Phase 5: workers' pay and foreign cash raised at home.

Overseas workers (M8) earn their pay times skill, effort in force and the route's pay
factor (open share x competition, M10); living costs come first, and a shortfall comes out
of savings — most earn little above their keep. Province-post traders, and every trader
sent home by a closure (M20), raise foreign cash at home.
"""

from __future__ import annotations

import numpy as np

from ..kernels import earn_at_home_pass, earners, pay_workers_pass
from ..rules import worker_pay_factor
from ..state import State

__all__ = ["earn_wages_and_domestic"]


def earn_wages_and_domestic(state: State, p, rng: np.random.Generator) -> None:
    """Credit this month's pay (net of living costs) and domestic earnings.

    Each is one compiled pass (``kernels``); the noise is drawn here, workers first.
    """
    off = state.officials
    workers, home = earners(off.status, off.role, off.post, off.domestic_duty)
    _pay_workers(state, p, workers, _noise(p, rng, len(workers)))
    _earn_at_home(state, p, home, _noise(p, rng, len(home)))


def _pay_workers(state: State, p, rows: np.ndarray, noise: np.ndarray) -> None:
    off, pay = state.officials, p.overseas_earnings
    living = pay.living_cost_usd if pay.enabled else 0.0
    by_route, totals = np.zeros(4), np.zeros(3)
    pay_workers_pass(rows, off.route, off.skill, off.effort_in_force, worker_pay_factor(state, p), noise,
                     pay.wage_usd, living, off.wealth_usd, state.month["earned"], by_route, totals)
    for code, name in enumerate(("china", "russia", "third")):
        state.flows.add(f"earned_{name}_usd", by_route[code])
    for name, total in zip(("workers_gross_usd", "workers_net_usd", "workers_living_deficit_usd"), totals):
        state.flows.add(name, total)


def _earn_at_home(state: State, p, rows: np.ndarray, noise: np.ndarray) -> None:
    off = state.officials
    total = earn_at_home_pass(rows, off.post, off.skill, off.effort_in_force, noise, p.posts.province_yield_usd,
                              p.border_closure.domestic_yield_usd, state.month["earned"])
    state.flows.add("earned_domestic_usd", total)


def _noise(p, rng: np.random.Generator, n: int) -> np.ndarray:
    """Lognormal month-to-month variation with mean one (off: exactly one), in single precision."""
    sd = p.overseas_earnings.noise_sd
    if not p.behaviour.earnings_noise or sd == 0:
        return np.ones(n, np.float32)
    noise = rng.standard_normal(n, dtype=np.float32)
    noise *= np.float32(sd)
    noise += np.float32(-sd * sd / 2)
    return np.exp(noise, out=noise)
