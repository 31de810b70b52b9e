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
"""

from __future__ import annotations

import numpy as np

from ..codes import ACTIVE, BORDER_CITY, FOREIGN_ROUTES, RECALLED, RUSSIA_POST, THIRD_POST, WORKER
from ..recruitment import new_officials
from ..rules import leave, people_move
from ..scenario import Scenario
from ..state import State
from . import mechanisms

__all__ = ["move_workers"]

_ROUTE_NAMES = ("china", "russia", "third")
_WORKER_POST = (BORDER_CITY, RUSSIA_POST, THIRD_POST)


@mechanisms("M8", "M20")
def move_workers(state: State, p: Scenario, rng: np.random.Generator) -> None:
    """Workers repatriated under orders (some evade on other permits); new workers dispatched under new permits."""
    if not p.workers_abroad.enabled:
        return
    movement = people_move(p)
    _repatriate(state, p, rng, movement)
    _dispatch(state, p, rng, movement)


def _repatriate(state: State, p: Scenario, rng: np.random.Generator, movement: float) -> None:
    off, w = state.officials, p.workers_abroad
    rate = np.append(w.repatriation_rate * np.asarray(w.compliance, np.float64), 0.0) * movement
    on_permit = np.flatnonzero((off.status == ACTIVE) & (off.role == WORKER) & ~off.other_permit)
    due = on_permit[rng.random(len(on_permit)) < rate[off.route[on_permit]]]
    evades = rng.random(len(due)) < w.evasion_share
    off.other_permit[due[evades]] = True
    state.flows.add("repatriation_evaded", int(evades.sum()))
    home = due[~evades]
    for code, name in zip(FOREIGN_ROUTES, _ROUTE_NAMES):
        state.flows.add(f"repatriated_{name}", int((off.route[home] == code).sum()))
    state.flows.add("repatriated", len(home))
    leave(state, home, RECALLED, "recalled")
    off.replaced[home] = True          # the post goes with the permit: never refilled


def _dispatch(state: State, p: Scenario, rng: np.random.Generator, movement: float) -> None:
    w, off = p.workers_abroad, state.officials
    expected = (np.asarray(w.dispatch_rate) * np.asarray(w.new_permits) * movement
                * state.initial_workers_by_route[list(FOREIGN_ROUTES)])
    counts = rng.poisson(expected)
    if counts.sum() == 0:
        return
    companies, posts = [], []
    workers = off.role == WORKER
    for code, n in zip(FOREIGN_ROUTES, counts):
        if n == 0:
            continue
        # companies that dispatch to this country already send the new workers
        weight = np.bincount(off.company[workers & (off.route == code)], minlength=state.companies.n) + 1e-9
        companies.append(rng.choice(state.companies.n, n, p=weight / weight.sum()))
        posts.append(np.full(n, _WORKER_POST[code], np.int8))
    company, post = np.concatenate(companies).astype(np.int32), np.concatenate(posts)
    pop = p.population
    effort = np.clip(rng.normal(pop.effort_mean, pop.effort_sd, len(company)), 0.0, None).astype(np.float32)
    new_officials(state, p, rng, company=company, role=np.full(len(company), WORKER, np.int8), post=post, effort=effort)
    state.flows.add("dispatched", len(company))
    state.flows.add("workers_dispatched", len(company))
