"""Workers abroad: dispatched under work permits, repatriated under orders (issue 14, M8).

Workers are not traders: they carry no ratcheted personal quota of their own, do not give up
and are not arrested for defiance. Each owes the dispatching company a monthly charge per
head (``workers_abroad.charge_usd``, paid first from pay in ``phases/earnings.py``), for
which the company answers in its quota. Their number moves by permits and policy:

* new dispatches under new work permits (``new_permits`` x ``dispatch_rate``, by country),
  e.g. to Russia after the 2024 treaty; vacated posts are refilled only under new permits
  (``phases/dispatch.py``), so none after resolution 2375 (September 2017);
* repatriation orders (``repatriation_rate``, resolution 2397: all within 24 months), of
  which a share is evaded by moving to other permits (students, trainees), reported at the
  December 2019 deadline;
* all movement of people only as far as the closure allows (``closure_degree.people_open``).

Draws are keyed (``quotasim.keyed_random``): repatriation by worker, the number dispatched by
route, a new worker's company and effort by the row the worker gets.
"""

from __future__ import annotations

import numpy as np
from scipy.special import pdtr, pdtrik

from ..codes import ACTIVE, BORDER_CITY, FOREIGN_ROUTES, RECALLED, RUSSIA_POST, THIRD_POST, WORKER, Purpose
from ..keyed_random import Key
from ..recruitment import new_officials
from ..rules import leave, people_move
from ..scenario import Scenario
from ..state import State
from . import mechanisms

__all__ = ["move_workers"]

_ROUTE_NAMES = ("china", "russia", "third")
_WORKER_POST = (BORDER_CITY, RUSSIA_POST, THIRD_POST)


@mechanisms("M8", "M20")
def move_workers(state: State, p: Scenario, key: Key) -> None:
    """Workers repatriated under orders (some evade on other permits); new workers dispatched under new permits."""
    if not p.workers_abroad.enabled:
        return
    movement = people_move(p)
    _repatriate(state, p, key, movement)
    _dispatch(state, p, key, movement)


def _repatriate(state: State, p: Scenario, key: Key, movement: float) -> None:
    off, w = state.officials, p.workers_abroad
    rate = np.append(w.repatriation_rate * np.asarray(w.compliance, np.float64), 0.0) * movement
    if not (rate > 0).any():         # no order in force: nobody is due (and no million draws to learn it)
        for name in ("repatriation_evaded", "repatriated", *(f"repatriated_{n}" for n in _ROUTE_NAMES)):
            state.flows.add(name, 0)
        return
    on_permit = np.flatnonzero((off.status == ACTIVE) & (off.role == WORKER) & ~off.other_permit)
    due = on_permit[key.uniforms(Purpose.REPATRIATION, on_permit) < rate[off.route[on_permit]]]
    evades = key.uniforms(Purpose.REPATRIATION_EVADED, due) < w.evasion_share
    off.other_permit[due[evades]] = True
    state.flows.add("repatriation_evaded", int(evades.sum()))
    home = due[~evades]
    for code, name in zip(FOREIGN_ROUTES, _ROUTE_NAMES):
        state.flows.add(f"repatriated_{name}", int((off.route[home] == code).sum()))
    state.flows.add("repatriated", len(home))
    leave(state, home, RECALLED, "recalled")
    off.replaced[home] = True          # the post goes with the permit: never refilled


def _dispatch(state: State, p: Scenario, key: Key, movement: float) -> None:
    w, off = p.workers_abroad, state.officials
    routes = np.asarray(FOREIGN_ROUTES)
    expected = (np.asarray(w.dispatch_rate) * np.asarray(w.new_permits) * movement
                * state.initial_workers_by_route[routes])
    if not (expected > 0).any():
        return
    # Poisson counts by the inverse distribution function at a keyed uniform
    counts = poisson_quantile(key.uniforms(Purpose.DISPATCH_COUNT, routes), expected).astype(np.int64)
    if counts.sum() == 0:
        return
    first = off.n           # the row the first new worker gets
    companies: list[np.ndarray] = []
    posts: list[np.ndarray] = []
    workers = off.role == WORKER
    for code, n in zip(FOREIGN_ROUTES, counts):
        if n == 0:
            continue
        # companies that dispatch to this country already send the new workers
        weight = np.bincount(off.company[workers & (off.route == code)], minlength=state.companies.n) + 1e-9
        cumulative = np.cumsum(weight / weight.sum())
        ids = first + sum(c.shape[0] for c in companies) + np.arange(n)
        draw = key.uniforms(Purpose.WORKER_COMPANY, ids) * cumulative[-1]
        companies.append(np.minimum(np.searchsorted(cumulative, draw, side="right"), state.companies.n - 1))
        posts.append(np.full(n, _WORKER_POST[code], np.int8))
    company, post = np.concatenate(companies).astype(np.int32), np.concatenate(posts)
    pop = p.population
    newcomers = np.arange(first, first + len(company))
    normal = key.normals(Purpose.INITIAL_EFFORT, newcomers)
    effort = np.clip(pop.effort_mean + pop.effort_sd * normal, 0.0, None).astype(np.float32)
    new_officials(state, p, key, company=company, role=np.full(len(company), WORKER, np.int8), post=post, effort=effort)
    state.flows.add("dispatched", len(company))
    state.flows.add("workers_dispatched", len(company))


def poisson_quantile(q: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """The Poisson distribution's quantile: the least k with P(X <= k) >= q, for q in (0, 1).

    ``scipy.stats.poisson.ppf`` computes exactly this (its ``_ppf``: the inverse of the
    incomplete gamma function, then one step down where the distribution function already
    reaches q); written here over ``scipy.special`` because importing ``scipy.stats`` costs a
    sweep's every worker process about 0.35 s before its first run.
    """
    upper = np.ceil(pdtrik(q, mean))
    lower = np.maximum(upper - 1, 0)
    return np.where(pdtr(lower, mean) >= q, lower, upper)
