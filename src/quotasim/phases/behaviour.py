"""Officials choose effort for the next half-year.

Three rules, chosen per scenario (``behaviour.rule``):

``fixed``
    Effort stays as drawn; only pressure moves effort in force (M4). No choices: traders
    hand in everything, nobody refuses openly (the null of the checks about decisions).
``adaptive``
    Learning from experience. Each half an official updates beliefs from what it saw:
    what a unit of its effort yields (from its realised remittances), how likely a
    result over the goal is to bring recall or relocation (from the high performers of its
    own post and company and what happened to them, M14, M15), and how likely open refusal
    is to bring arrest (from the cases it heard of, M23, ``discipline``). It then steps
    effort toward whichever of (effort - step, effort, effort + step) promises the most
    under those beliefs: ``take-home - cost * effort^2 - penalty * shortfall - expected
    recall and arrest losses``, plus a little exploration noise.

    Two further choices follow, each by the official's own beliefs (``kernels``):
    traders abroad choose whether to hand in the surplus above their target or keep it
    (``choose_hand_in_pass``: praise against the believed recall risk, M15), and those
    facing a quota they cannot reach choose whether to refuse it openly
    (``choose_defiance_pass``: comfort and indignation against the believed arrest risk,
    M23). Nothing caps remittances: a trader who keeps a surplus chose to. With no
    recall seen, belief stays at zero and everyone hands all in; so "moderate
    performance" (M15) appears only where recalls are seen.
``forward``
    Best response to a known linear ratchet with linear reward and quadratic effort
    cost, discount δ. With x the half's output in units of capacity, b = β/c the effort
    chosen without a ratchet, and λ the ratchet's rate,
    x* = b (1 - δ) / (1 - δ + δ λ). With separate up and down rates the official produces
    the target itself when it lies between x*(λ_up) and x*(λ_down), else the nearer bound.
"""

from __future__ import annotations

import numpy as np

from ..codes import ACTIVE, KERNEL_CODES, Purpose
from ..kernels import (
    BeliefRule,
    DefianceRule,
    HandInRule,
    PayoffRule,
    choose_defiance_pass,
    choose_hand_in_pass,
    expected_payoff_pass,
    learn_capacity_pass,
    learn_recall_belief_pass,
)
from ..keyed_random import Key
from ..rules import remit_share, take_home_ratio
from ..scenario import Scenario
from ..state import State
from . import mechanisms

__all__ = ["adapt_effort", "forward_output", "forward_effort"]


@mechanisms("M4", "M11", "M14", "M15", "M23", "M24")
def adapt_effort(state: State, p: Scenario, key: Key) -> None:
    """Learn capacity and risks from what each one saw; choose effort, hand-in and open refusal."""
    _learn_capacity(state)
    _learn_recall_belief(state, p)
    rule = p.behaviour.rule
    live = state.officials.status == ACTIVE
    if rule == "adaptive":
        _hill_climb(state, p, key, live)
        _choose_hand_in(state, p)
        _choose_defiance(state, p)
        return
    state.officials.hold_at[:] = np.inf      # no choices under the fixed and forward rules
    state.officials.defiant[:] = False
    if rule == "forward":
        state.officials.effort[live] = forward_effort(state, p)[live]


def forward_output(bliss: float, discount: float, rate: float) -> float:
    """Stationary output x* = b (1 - δ) / (1 - δ + δ λ) of the linear-quadratic ratchet game."""
    return bliss * (1 - discount) / (1 - discount + discount * rate)


def forward_effort(state: State, p: Scenario) -> np.ndarray:
    """Best-response effort of every official to its target (forward rule)."""
    off, b = state.officials, p.behaviour
    up = p.ratchet.up_rate if p.ratchet.enabled else 0.0
    down = p.ratchet.down_rate if p.ratchet.enabled else 0.0
    low, high = forward_output(b.bliss_effort, b.discount, up), forward_output(b.bliss_effort, b.discount, down)
    # Officials with (next to) no capacity cannot be asked for anything: they sit at x*.
    target_in_capacity = np.divide(off.target_usd, off.capacity_usd, out=np.full(off.n, low),
                                   where=off.capacity_usd > 1e-6)
    return np.clip(np.clip(target_in_capacity, low, high), 0.0, b.max_effort).astype(np.float32)


# ---------------------------------------------------------------- internals
def _learn_capacity(state: State, weight: float = 0.5) -> None:
    """Officials learn what a unit of effort yields from the half just closed: what they remitted
    and what they chose to withhold (a trader who kept a surplus knows it could have been handed in)."""
    learn_capacity_pass(state.officials.arrays(), KERNEL_CODES, weight)


def _learn_recall_belief(state: State, p: Scenario) -> None:
    """Each official learns what a high result brings from its own post and company (M14, M15)."""
    seen = state.seen
    if not seen:
        return
    learn_recall_belief_pass(state.officials.arrays(), KERNEL_CODES, BeliefRule(memory=p.behaviour.risk_memory),
                             seen["high_post"], seen["hit_post"], seen["high_company"], seen["hit_company"])


def _choose_hand_in(state: State, p: Scenario) -> None:
    """Traders abroad choose to hand in or keep the surplus over their target (M15)."""
    b = p.behaviour
    if not p.quota.enabled:
        state.officials.hold_at[:] = np.inf
        return
    choose_hand_in_pass(state.officials.arrays(), KERNEL_CODES,
                        HandInRule(max_effort=b.max_effort, response=p.pressure.effort_response,
                                   goal=p.goal_recall.attainment, recall_loss=b.recall_loss,
                                   praise_value=b.praise_value, hold_margin=b.hold_margin))


def _choose_defiance(state: State, p: Scenario) -> None:
    """Officials facing an impossible quota choose whether to refuse it openly (M23, M24)."""
    a = p.arrest
    if not (a.enabled and p.quota.enabled):
        return
    chose = choose_defiance_pass(state.officials.arrays(), KERNEL_CODES,
                                 DefianceRule(impossible=a.impossible,
                                              comfort_usd=a.comfort_usd, resentment=a.resentment,
                                              arrest_loss=p.behaviour.arrest_loss))
    state.flows.add("chose_defiance", len(chose))


def _hill_climb(state: State, p: Scenario, key: Key, live: np.ndarray) -> None:
    """Step effort toward the better of (e - step, e, e + step) under what the official has learned.

    What an official expects a half at effort e to be worth, in units of the target: its
    beliefs are ``capacity_usd`` (what a unit of effort has yielded) and the recall and
    arrest risks it believes. Score: take-home, minus quadratic effort cost,
    minus the political cost of a shortfall (M4), minus the expected loss from recall when
    at or over the goal abroad (M14, M15) and from arrest when defiant (M23). The three
    candidates are scored in one compiled pass (``kernels.expected_payoff_pass``).
    """
    off, b = state.officials, p.behaviour
    best = np.empty(off.n)
    steps = np.array([-b.learning_step, 0.0, b.learning_step])
    rule = PayoffRule(max_effort=b.max_effort, response=p.pressure.effort_response, effort_cost=b.effort_cost,
                      penalty=b.shortfall_penalty if p.pressure.enabled else 0.0, goal=p.goal_recall.attainment,
                      recall_loss=b.recall_loss, defiance_effort=p.arrest.defiance_effort,
                      defiance_attainment=p.arrest.attainment_below, arrest_loss=b.arrest_loss)
    expected_payoff_pass(off.arrays(), KERNEL_CODES, steps, take_home_ratio(remit_share(state, p)), rule, best)
    # chosen = clip(best + sd x noise), in place, in the buffer the workers' noise is drawn into every month
    chosen = key.normals(Purpose.EXPLORATION, np.arange(off.n), out=state.scratch("normals", np.float64, off.n))
    chosen *= b.exploration_sd
    chosen += best
    np.clip(chosen, 0.0, b.max_effort, out=chosen)
    choosing = live & ~off.defiant & ~off.resigned
    off.effort[choosing] = chosen[choosing]
