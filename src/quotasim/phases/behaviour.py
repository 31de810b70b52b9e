"""Phase 13: officials choose effort for the next half-year.

Three rules, chosen per scenario (``behaviour.rule``):

``fixed``
    Effort stays as drawn; only pressure and fear move effort in force (M4, M23).
``adaptive``
    Trial and error on realised payoffs. Each half an official scores
    ``kept / target - cost * effort^2 - penalty * shortfall - expected recall and arrest
    losses`` (recall risk at high attainment and arrest risk when defiant are the shares
    the official saw recalled or arrested at the last reviews, M14, M15, M23). If the
    score fell, the official turns round; then steps effort in the chosen direction.
    Nothing scripts "moderate performance" (M15): it appears when recalls make high
    attainment costly.
``forward``
    Best response to a known linear ratchet with linear reward and quadratic effort
    cost, discount δ. With x the half's output in units of capacity, b = β/c the effort
    chosen without a ratchet, and λ the ratchet's rate,
    x* = b (1 - δ) / (1 - δ + δ λ). With separate up and down rates the official produces
    the target itself when it lies between x*(λ_up) and x*(λ_down), else the nearer bound.
"""

from __future__ import annotations

import numpy as np

from ..rules import abroad
from ..state import ACTIVE, TRADER, State

__all__ = ["adapt_effort", "forward_output", "forward_effort"]


def adapt_effort(state: State, p, rng: np.random.Generator) -> None:
    """At a review: update capacity estimates and risk estimates; apply the behaviour rule."""
    if not (state.is_review and p.quota.enabled):
        return
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


def forward_effort(state: State, p) -> np.ndarray:
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
    """Officials learn what a unit of effort yields from the half just closed."""
    off = state.officials
    full_half = (off.status == ACTIVE) & (off.tenure_months >= 6) & (off.effort_in_force > 0.05)
    realised = np.divide(off.half_remitted_usd, off.effort_in_force, out=off.capacity_usd.copy(), where=full_half)
    off.capacity_usd[:] = np.where(full_half, (1 - weight) * off.capacity_usd + weight * realised, off.capacity_usd)


def _learn_risks(state: State, p) -> None:
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


def _hill_climb(state: State, p, rng: np.random.Generator, live: np.ndarray) -> None:
    off, b = state.officials, p.behaviour
    payoff = _payoff(state, p)
    worse = live & ~np.isnan(off.payoff) & (payoff < off.payoff)
    off.direction[worse] *= -1
    off.payoff[live] = payoff[live]
    step = b.learning_step * off.direction + rng.normal(0.0, b.exploration_sd, off.n)
    off.effort[live] = np.clip(off.effort + step, 0.0, b.max_effort)[live]


def _payoff(state: State, p) -> np.ndarray:
    """Realised score of the half, in units of the official's target."""
    off, b = state.officials, p.behaviour
    scale = np.maximum(np.where(off.target_usd > 0, off.target_usd, off.capacity_usd), 1.0)
    score = off.half_kept_usd / scale - b.effort_cost * off.effort.astype(np.float64) ** 2
    if p.pressure.enabled:
        score -= b.shortfall_penalty * np.maximum(1.0 - off.attainment, 0.0)
    exposed = abroad(off) & (off.role == TRADER) & (off.attainment >= p.goal_recall.attainment)
    score -= np.where(exposed, state.recall_risk_estimate * b.recall_loss, 0.0)
    defiant = (off.effort_in_force < p.arrest.defiance_effort) & (off.attainment < p.arrest.attainment_below)
    score -= np.where(defiant, state.arrest_risk_estimate * 3 * b.recall_loss, 0.0)
    return score.astype(np.float32)
