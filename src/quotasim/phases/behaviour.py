"""Officials choose effort for the next half-year.

Three rules, chosen per scenario (``behaviour.rule``):

``fixed``
    Effort stays as drawn; only pressure and fear move effort in force (M4, M23).
``adaptive``
    Learning from experience. Each half an official updates two beliefs from what it
    saw: what a unit of its effort yields (from its realised remittances) and how risky
    the top and the bottom are (the shares of high performers recalled and of the
    defiant arrested at recent reviews, M14, M15, M23). It then steps effort toward
    whichever of (effort - step, effort, effort + step) promises the most under those
    beliefs: ``take-home - cost * effort^2 - penalty * shortfall - expected recall and
    arrest losses``, plus a little exploration noise. Nothing scripts "moderate
    performance" (M15): the recall risk is zero until recalls are seen, and attainment
    bunches just above the target only when they are.
``forward``
    Best response to a known linear ratchet with linear reward and quadratic effort
    cost, discount δ. With x the half's output in units of capacity, b = β/c the effort
    chosen without a ratchet, and λ the ratchet's rate,
    x* = b (1 - δ) / (1 - δ + δ λ). With separate up and down rates the official produces
    the target itself when it lies between x*(λ_up) and x*(λ_down), else the nearer bound.
"""

from __future__ import annotations

import numpy as np

from ..codes import ACTIVE, KERNEL_CODES
from ..kernels import PayoffRule, expected_payoff_pass
from ..rules import remit_share, take_home_ratio
from ..scenario import Scenario
from ..state import State
from . import mechanisms

__all__ = ["adapt_effort", "forward_output", "forward_effort", "remittance_ceiling"]


@mechanisms("M4", "M14", "M15", "M23")
def adapt_effort(state: State, p: Scenario, rng: np.random.Generator) -> None:
    """Update capacity and risk estimates; apply the behaviour rule."""
    _learn_capacity(state)
    _learn_risks(state, p)
    rule = p.behaviour.rule
    live = state.officials.status == ACTIVE
    if rule == "adaptive":
        _hill_climb(state, p, rng, live)
    elif rule == "forward":
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


def remittance_ceiling(state: State, p: Scenario, share: np.ndarray) -> np.ndarray:
    """Per company, the most of this half's target its traders abroad will remit (inf: no limit).

    Seed 002: "to remain trading in China for as long as possible, and therefore reap the
    most personal profit while fulfilling state duties, maintaining only a moderate level
    of performance is essential". An official who has learned that those over the goal get
    recalled (M14, M15) — the expected loss, risk seen times ``recall_loss``, outweighs
    the take-home from a surplus up to the goal — remits up to the middle of the safe band
    between the target and the goal and keeps the rest. With no recalls seen, nobody
    holds back, so any bunching above 100 % comes from what officials learned. The
    take-home depends on the company's share ``share`` (``rules.remit_share``); the ceiling
    applies to traders on posts abroad only (``phases/income.py``).
    """
    b = p.behaviour
    ceiling = np.full(state.companies.n, np.inf)
    if b.rule != "adaptive" or not p.quota.enabled or state.recall_risk_estimate <= 0:
        return ceiling
    goal = p.goal_recall.attainment
    surplus_gain = max(goal - 1.0, 0.0) * take_home_ratio(share)
    ceiling[state.recall_risk_estimate * b.recall_loss > surplus_gain] = 1.0 + max(goal - 1.0, 0.0) / 2
    return ceiling


# ---------------------------------------------------------------- internals
def _learn_capacity(state: State, weight: float = 0.5) -> None:
    """Officials learn what a unit of effort yields from the half just closed."""
    off = state.officials
    full_half = (off.status == ACTIVE) & (off.tenure_months >= 6) & (off.effort_in_force > 0.05)
    realised = np.divide(off.half_remitted_usd, off.effort_in_force, out=off.capacity_usd.copy(), where=full_half)
    off.capacity_usd[:] = np.where(full_half, (1 - weight) * off.capacity_usd + weight * realised, off.capacity_usd)


def _learn_risks(state: State, p: Scenario) -> None:
    """Officials' shared estimates of recall risk at the top and arrest risk when defiant."""
    flows, memory = state.flows, p.behaviour.risk_memory
    rumours = state.half_rumour_recalls
    high = flows.get("high_performers") + rumours
    if high > 0:
        seen = (flows.get("recalled_at_goal") + flows.get("relocated") + rumours) / high
        state.recall_risk_estimate = (1 - memory) * state.recall_risk_estimate + memory * seen
    if flows.get("defiant") > 0:
        seen = flows.get("arrested_defiant") / flows.get("defiant")
        state.arrest_risk_estimate = (1 - memory) * state.arrest_risk_estimate + memory * seen


def _hill_climb(state: State, p: Scenario, rng: np.random.Generator, live: np.ndarray) -> None:
    """Step effort toward the better of (e - step, e, e + step) under what the official has learned.

    What an official expects a half at effort e to be worth, in units of the target: its
    beliefs are ``capacity_usd`` (what a unit of effort has yielded) and the recall and
    arrest risks seen at recent reviews. Score: take-home, minus quadratic effort cost,
    minus the political cost of a shortfall (M4), minus the expected loss from recall when
    at or over the goal abroad (M14, M15) and from arrest when defiant (M23). The three
    candidates are scored in one compiled pass (``kernels.expected_payoff_pass``).
    """
    off, b = state.officials, p.behaviour
    best = np.empty(off.n)
    steps = np.array([-b.learning_step, 0.0, b.learning_step])
    rule = PayoffRule(max_effort=b.max_effort, response=p.pressure.effort_response, effort_cost=b.effort_cost,
                      penalty=b.shortfall_penalty if p.pressure.enabled else 0.0, goal=p.goal_recall.attainment,
                      recall_cost=state.recall_risk_estimate * b.recall_loss,
                      defiance_effort=p.arrest.defiance_effort, defiance_attainment=p.arrest.attainment_below,
                      arrest_cost=state.arrest_risk_estimate * 3 * b.recall_loss)
    expected_payoff_pass(off.arrays(), KERNEL_CODES, steps, take_home_ratio(remit_share(state, p)), rule, best)
    chosen = np.clip(best + rng.normal(0.0, b.exploration_sd, off.n), 0.0, b.max_effort)
    off.effort[live] = chosen[live]
