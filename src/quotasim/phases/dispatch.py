"""The state fills vacated posts with new dispatches.

Each month a share (``population.refill_rate``) of vacated posts gets a new official in the
same company, role and post — none abroad while the border is closed (M20), no workers
beyond a route's cap (M10). A new dispatch may be a relative placed by a serving trader
(M24): less skilled, and raising the patron's exposure to rumours. Adaptive newcomers copy
the effort of a serving colleague of the same role (imitation of survivors); forward-
looking ones best-respond to their target.

Draws about a vacancy are keyed by the vacated row; draws about a newcomer by the row the
newcomer gets (``quotasim.keyed_random``).
"""

from __future__ import annotations

import numpy as np

from ..codes import ACTIVE, FOREIGN_ROUTES, KERNEL_CODES, TRADER, WORKER, Purpose
from ..kernels import workers_by_route
from ..keyed_random import Key
from ..recruitment import new_officials
from ..rules import assign_targets
from ..scenario import Scenario
from ..state import State
from . import mechanisms
from .behaviour import forward_effort
from .closure import refill_chance

__all__ = ["fill_vacancies"]


@mechanisms("M10", "M20", "M24")
def fill_vacancies(state: State, p: Scenario, key: Key) -> None:
    """Refill some vacated posts with new officials, some of them relatives of serving traders."""
    off = state.officials
    vacant = np.flatnonzero((off.status != ACTIVE) & ~off.replaced)
    chance = p.population.refill_rate * refill_chance(p, off.post[vacant], off.role[vacant], off.route[vacant])
    chosen = vacant[key.uniforms(Purpose.REFILL, vacant) < chance]
    chosen = _within_worker_caps(state, p, key, chosen)
    if len(chosen) == 0:
        return
    off.replaced[chosen] = True
    role = off.role[chosen].copy()
    newcomers = np.arange(off.n, off.n + len(chosen))     # the rows they will get
    effort = _newcomer_effort(state, p, key, role, newcomers)
    skill_factor, patron = _patronage(state, p, key, newcomers)
    rows = new_officials(state, p, key, company=off.company[chosen].copy(), role=role, post=off.post[chosen].copy(),
                         effort=effort, skill_factor=skill_factor, patron=patron)
    state.flows.add("dispatched", len(chosen))
    if p.behaviour.rule == "forward":
        assign_targets(state, p)
        state.officials.effort[rows] = forward_effort(state, p)[rows]


def _within_worker_caps(state: State, p: Scenario, key: Key, chosen: np.ndarray) -> np.ndarray:
    if not p.worker_caps.enabled or len(chosen) == 0:
        return chosen
    off = state.officials
    room = (np.floor(p.worker_caps.cap_ratio * state.initial_workers_by_route)
            - workers_by_route(off.arrays(), KERNEL_CODES))
    chosen = key.order(Purpose.CAP_ORDER, chosen)
    keep = off.role[chosen] != WORKER
    for route in FOREIGN_ROUTES:
        on_route = np.flatnonzero((off.role[chosen] == WORKER) & (off.route[chosen] == route))
        keep[on_route[: int(max(room[route], 0))]] = True
    return np.sort(chosen[keep])


def _newcomer_effort(state: State, p: Scenario, key: Key, role: np.ndarray, newcomers: np.ndarray) -> np.ndarray:
    pop, off = p.population, state.officials
    normal = key.normals(Purpose.INITIAL_EFFORT, newcomers)
    drawn = np.clip(pop.effort_mean + pop.effort_sd * normal, 0.0, None).astype(np.float32)
    if p.behaviour.rule != "adaptive" or not p.behaviour.imitation:
        return drawn
    effort = drawn
    for kind in (TRADER, WORKER):
        new = role == kind
        if not new.any():
            continue
        if kind == TRADER:      # the few traders from their cached rows; workers are nearly every row
            serving = state.active_traders()
            serving = serving[~off.resigned[serving]]
        else:
            serving = np.flatnonzero((off.status == ACTIVE) & (off.role == kind) & ~off.resigned)
        if len(serving):
            effort[new] = off.effort[serving[key.below(Purpose.IMITATED, newcomers[new], len(serving))]]
    return effort


def _patronage(state: State, p: Scenario, key: Key, newcomers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Some newcomers are relatives of serving traders (M24)."""
    off, n = state.officials, len(newcomers)
    patron = np.full(n, -1, np.int32)
    skill = np.ones(n)
    traders = state.active_traders()
    if not p.patronage.enabled or len(traders) == 0:
        return skill, patron
    relative = key.uniforms(Purpose.RELATIVE, newcomers) < p.patronage.rate
    patron[relative] = traders[key.below(Purpose.PATRON, newcomers[relative], len(traders))]
    skill[relative] = p.patronage.skill_factor
    np.add.at(off.n_relatives, patron[relative], 1)
    state.flows.add("relatives_placed", int(relative.sum()))
    return skill, patron
