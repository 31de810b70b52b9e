"""Defection, giving up, and caps on workers abroad.

* Defection (M9): abroad, a small hazard that grows with pressure; a family held at home
  deters it. A defector's month's earnings leave the system.
* Giving up (M11): an official under heavy pressure and far below target weighs, now and
  then, whether to stop trying (effort 0) and wait to be summoned home: "some don't care
  about achieving their target figure, and are prepared to be summoned home [for
  punishment]" (seed 001). They give up when the political cost of staying (pressure x the
  felt cost of a shortfall x their own shortfall) outweighs what staying brings them (their
  expected take-home, in units of their target). At the next review they are summoned home.
  Giving up is not open defiance (M23, ``behaviour.choose_defiance``): those who give up
  accept the summons and are not arrested for it.
* Worker caps (M10): while on, the state recalls workers above each route's cap.
"""

from __future__ import annotations

import numpy as np

from ..codes import ACTIVE, DEFECTED, FOREIGN_ROUTES, GAVE_UP, KERNEL_CODES, RECALLED, WORKER, Purpose
from ..kernels import DefectionRule, GiveUpRule, defectors_pass, overwhelmed, workers_by_route
from ..keyed_random import Key
from ..rules import leave, remit_share, take_home_ratio
from ..scenario import Scenario
from ..state import State
from . import mechanisms

__all__ = ["defect_and_give_up", "cap_workers", "summon_home_the_resigned"]


@mechanisms("M9", "M11")
def defect_and_give_up(state: State, p: Scenario, key: Key) -> None:
    """Officials abroad may defect; overwhelmed officials may give up."""
    off = state.officials
    if p.defection.enabled:
        d = p.defection
        rule = DefectionRule(base_rate=d.base_rate, pressure_factor=d.pressure_factor,
                             family_deterrence=d.family_deterrence)
        # nearly everyone is abroad: a draw for every row (into a kept buffer, State.scratch)
        # costs less than gathering those at risk first
        draws = key.uniforms_of_rows(Purpose.DEFECTION, off.n, out=state.scratch("row_draws", np.float64, off.n))
        leave(state, defectors_pass(off.arrays(), KERNEL_CODES, rule, draws), DEFECTED, "defected")
    if p.giving_up.enabled and p.quota.enabled:
        g = p.giving_up
        over = overwhelmed(off.arrays(), KERNEL_CODES,
                           GiveUpRule(pressure_threshold=g.pressure_threshold,
                                      attainment_threshold=g.attainment_threshold), state.trader_rows())
        weighing = over[key.uniforms(Purpose.GIVE_UP, over) < g.rate]
        quitting = weighing[_staying_costs_more(state, p, weighing)]
        off.resigned[quitting] = True      # stop trying; the next review deals with them
        off.effort[quitting] = 0.0
        state.flows.add("stopped_trying", len(quitting))


@mechanisms("M10")
def cap_workers(state: State, p: Scenario, key: Key) -> None:
    """Recall workers above each route's cap, chosen at random."""
    if not p.worker_caps.enabled:
        return
    off = state.officials
    caps = np.floor(p.worker_caps.cap_ratio * state.initial_workers_by_route).astype(np.int64)
    over_cap = workers_by_route(off.arrays(), KERNEL_CODES) > caps     # counting first: most months none is over
    for route in FOREIGN_ROUTES:
        if not over_cap[route]:
            continue
        on_route = np.flatnonzero((off.status == ACTIVE) & (off.role == WORKER) & (off.route == route))
        excess = len(on_route) - caps[route]
        if excess > 0:
            leave(state, key.order(Purpose.CAP_RECALL, on_route)[:excess], RECALLED, "recalled")
            state.flows.add("recalled_by_cap", excess)


def _staying_costs_more(state: State, p: Scenario, rows: np.ndarray) -> np.ndarray:
    """For the officials in ``rows``: does the political cost of staying outweigh the take-home (M11, M4)?"""
    off = state.officials
    target = np.maximum(off.target_usd[rows], 1.0)
    expected = off.effort_in_force[rows] * off.capacity_usd[rows] / target
    take_home = expected * take_home_ratio(remit_share(state, p))[off.company[rows]]
    shortfall = np.maximum(1.0 - off.attainment[rows], 0.0)
    cost = off.pressure[rows] * p.behaviour.shortfall_penalty * shortfall
    return cost > take_home


def summon_home_the_resigned(state: State, p: Scenario) -> None:
    """At a review, those who gave up and were not arrested are summoned home (M11)."""
    off = state.officials
    leave(state, np.flatnonzero((off.status == ACTIVE) & off.resigned), GAVE_UP, "gave_up")
