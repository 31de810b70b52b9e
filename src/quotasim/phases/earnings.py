"""Workers' pay and foreign cash raised at home.

Overseas workers (M8) earn their pay times skill, effort in force and the route's pay
factor (open share x competition, M10). The monthly charge per head owed to the dispatching
company comes first (issue 14; unpaid, it becomes debt and the company presses), living
costs next, and a shortfall of those comes out of savings — most earn little above their
keep and the charge. Province-post traders, and every trader
sent home by a closure (M20), raise foreign cash at home.
"""

from __future__ import annotations

import numpy as np

from ..codes import FOREIGN_ROUTES, KERNEL_CODES, Purpose
from ..columns import EARNED_BY_ROUTE
from ..kernels import HomeRule, PayRule, active_workers, earn_at_home_pass, pay_workers_pass, single_affine
from ..keyed_random import Key
from ..rules import earns_domestically, worker_charge, worker_pay_factor
from ..scenario import Scenario
from ..state import State, totals_record
from . import mechanisms

__all__ = ["earn_wages_and_domestic"]


@mechanisms("M8", "M10", "M20")
def earn_wages_and_domestic(state: State, p: Scenario, key: Key) -> None:
    """Credit this month's pay (net of living costs) and domestic earnings.

    Each is one compiled pass (``kernels``); the noise is drawn here, keyed by official.
    """
    # nearly every official is a worker: their rows and noise go into buffers kept from month
    # to month (``State.scratch``), not into fresh arrays of a million elements
    n = state.officials.n
    rows = state.scratch("worker_rows", np.int64, n)
    workers = rows[:active_workers(state.officials.arrays(), KERNEL_CODES, rows)]
    normals = state.scratch("normals", np.float64, n)[:len(workers)]
    noise = state.scratch("worker_noise", np.float32, n)[:len(workers)]
    traders = state.active_traders()
    home = traders[earns_domestically(state.officials, traders)]
    _pay_workers(state, p, workers, _noise(p, key, workers, normals, noise))
    _earn_at_home(state, p, home, _noise(p, key, home))


def _pay_workers(state: State, p: Scenario, rows: np.ndarray, noise: np.ndarray) -> None:
    pay = p.overseas_earnings
    rule = PayRule(wage_usd=pay.wage_usd, living_usd=pay.living_cost_usd if pay.enabled else 0.0,
                   arrears_pressure=p.workers_abroad.shortfall_pressure if p.pressure.enabled else 0.0)
    by_route = np.zeros(4)
    totals = totals_record("workers_gross_usd", "workers_net_usd", "workers_living_deficit_usd",
                           "worker_charges_owed_usd", "worker_charges_paid_usd", "worker_charge_arrears_usd")
    pay_workers_pass(state.officials.arrays(), rows, worker_pay_factor(state, p), worker_charge(p), noise, rule,
                     state.month.earned, state.month.charged, by_route, totals)
    for code, name in zip(FOREIGN_ROUTES, EARNED_BY_ROUTE):
        state.flows.add(name, by_route[code])
    state.flows.add_totals(totals)


def _earn_at_home(state: State, p: Scenario, rows: np.ndarray, noise: np.ndarray) -> None:
    rule = HomeRule(province_yield_usd=p.posts.province_yield_usd,
                    domestic_yield_usd=p.border_closure.domestic_yield_usd)
    total = earn_at_home_pass(state.officials.arrays(), KERNEL_CODES, rows, noise, rule, state.month.earned)
    state.flows.add("earned_domestic_usd", total)


def _noise(p: Scenario, key: Key, rows: np.ndarray, normals: np.ndarray | None = None,
           noise: np.ndarray | None = None) -> np.ndarray:
    """Lognormal month-to-month variation with mean one (off: exactly one), in single
    precision, into ``noise``; ``normals`` (float64) holds the draws on the way. Both are as
    long as ``rows``; new arrays when not given (the few traders at home)."""
    normals = np.empty(len(rows)) if normals is None else normals
    noise = np.empty(len(rows), np.float32) if noise is None else noise
    sd = p.overseas_earnings.noise_sd
    if not p.behaviour.earnings_noise or sd == 0:
        noise[:] = 1.0
        return noise
    # sd x normal - sd^2 / 2, in single precision (one compiled pass), then NumPy's exponential:
    # a compiled one is the C library's, which differs from NumPy's in the last bit
    single_affine(key.normals(Purpose.EARNINGS_NOISE, rows, out=normals), sd, -sd * sd / 2, noise)
    return np.exp(noise, out=noise)
