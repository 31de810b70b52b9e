"""New officials and workers: appended to the officials table with drawn skill and family.

Used by the initial population (``population.py``) and by the refilling of vacated posts
(``phases/dispatch.py``); one definition of what a newcomer starts with.
"""

from __future__ import annotations

import numpy as np

from .codes import ACTIVE, POST_ROUTE, Purpose
from .keyed_random import Key
from .rules import HALF, arrest_prior, expected_capacity, remit_share, take_home_ratio
from .scenario import Scenario
from .state import State

__all__ = ["new_officials"]


def new_officials(state: State, p: Scenario, key: Key, *, company: np.ndarray, role: np.ndarray,
                  post: np.ndarray, effort: np.ndarray, skill_factor: np.ndarray | float = 1.0,
                  patron: np.ndarray | int = -1) -> slice:
    """Append officials; draw skill and family (keyed by each newcomer's id, the row it gets);
    size capacity and savings."""
    pop, n = p.population, len(company)
    ids = np.arange(state.officials.n, state.officials.n + n)
    rows = state.officials.append(
        n, company=company, role=role, post=post, route=POST_ROUTE[post], status=ACTIVE,
        skill=key.lognormals(Purpose.SKILL, ids, 0.0, pop.skill_sigma) * skill_factor, effort=effort,
        effort_in_force=effort, family_at_home=key.uniforms(Purpose.FAMILY_AT_HOME, ids) < pop.family_at_home_share,
        attainment=1.0,
        patron=patron, fear=arrest_prior(p), hold_at=np.inf, recalled_by=-1,
        dispatched_month=state.month_index, exit_month=-1)
    off = state.officials
    off.capacity_usd[rows] = expected_capacity(state, p, rows)
    rho = remit_share(state, p)[company]
    take_home = off.capacity_usd[rows] * take_home_ratio(rho) / HALF
    off.wealth_usd[rows] = pop.initial_wealth_months * take_home
    state.companies.headcount[:] += np.bincount(company, minlength=state.companies.n).astype(np.int32)
    return rows
