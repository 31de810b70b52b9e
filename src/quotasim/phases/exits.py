"""Defection, giving up, and caps on workers abroad.

* Defection (M9): abroad, a small hazard that grows with pressure and fear; a family
  held at home deters it. A defector's month's earnings leave the system.
* Giving up (M11): an official under heavy pressure and far below target may stop trying
  (effort 0) and wait to be summoned home: "some don't care about achieving their target
  figure, and are prepared to be summoned home [for punishment]" (seed 001). At the next
  review the openly idle may be arrested (M23, seed 003); the rest are summoned home.
* Worker caps (M10): while on, the state recalls workers above each route's cap.
"""

from __future__ import annotations

import numpy as np

from ..codes import ACTIVE, DEFECTED, FOREIGN_ROUTES, GAVE_UP, KERNEL_CODES, RECALLED, WORKER
from ..kernels import DefectionRule, GiveUpRule, defection_hazard, overwhelmed
from ..rules import leave
from ..scenario import Scenario
from ..state import State
from . import mechanisms

__all__ = ["defect_and_give_up", "cap_workers", "summon_home_the_resigned"]


@mechanisms("M9", "M11")
def defect_and_give_up(state: State, p: Scenario, rng: np.random.Generator) -> None:
    """Officials abroad may defect; overwhelmed officials may give up."""
    off = state.officials
    if p.defection.enabled:
        d = p.defection
        rule = DefectionRule(base_rate=d.base_rate, pressure_factor=d.pressure_factor,
                             family_deterrence=d.family_deterrence)
        at_risk, hazard = defection_hazard(off.arrays(), KERNEL_CODES, rule)
        leave(state, at_risk[rng.random(len(at_risk)) < hazard], DEFECTED, "defected")
    if p.giving_up.enabled and p.quota.enabled:
        g = p.giving_up
        over = overwhelmed(off.arrays(), KERNEL_CODES,
                           GiveUpRule(pressure_threshold=g.pressure_threshold,
                                      attainment_threshold=g.attainment_threshold))
        quitting = over[rng.random(len(over)) < g.rate]
        off.resigned[quitting] = True      # stop trying; the next review deals with them
        off.effort[quitting] = 0.0
        state.flows.add("stopped_trying", len(quitting))


@mechanisms("M10")
def cap_workers(state: State, p: Scenario, rng: np.random.Generator) -> None:
    """Recall workers above each route's cap, chosen at random."""
    if not p.worker_caps.enabled:
        return
    off = state.officials
    workers = (off.status == ACTIVE) & (off.role == WORKER)
    caps = np.floor(p.worker_caps.cap_ratio * state.initial_workers_by_route).astype(np.int64)
    for route in FOREIGN_ROUTES:
        on_route = np.flatnonzero(workers & (off.route == route))
        excess = len(on_route) - caps[route]
        if excess > 0:
            leave(state, rng.choice(on_route, excess, replace=False), RECALLED, "recalled")
            state.flows.add("recalled_by_cap", excess)


def summon_home_the_resigned(state: State, p: Scenario, rng: np.random.Generator) -> None:
    """At a review, those who gave up and were not arrested are summoned home (M11)."""
    off = state.officials
    leave(state, np.flatnonzero((off.status == ACTIVE) & off.resigned), GAVE_UP, "gave_up")
