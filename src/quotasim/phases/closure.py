"""The border closure (M20), in one place.

Seed 003: after "the suspension of official trade this year due to the infectious disease",
officials were ordered to "acquire foreign currency, even domestically" and were dispatched
to the provinces. While ``environment.border_closed`` holds and M20 is on
(``rules.border_closed``):

* every route abroad is shut to trade (:func:`shut_routes`), so no deal starts and joint
  ventures do not pay (``phases/deals.py``);
* deals already in the pipeline are frozen, and some are cancelled each month
  (:func:`frozen_deals`);
* trade officials abroad are sent to earn at home (their ``domestic_duty``, set at the
  month's start in ``kernels.month_start_pass``) at ``border_closure.domestic_yield_usd``;
* workers abroad stay and earn ``border_closure.worker_yield`` of their pay
  (``rules.worker_pay_factor``);
* posts abroad are not refilled (:func:`refillable`);
* when the border closes or reopens, quotas are re-set for the new conditions
  (:func:`reset_quotas_on_closure`, a phase of its own).

Partial openings are the timeline's business: ``environment.border_closed`` is dated like
every other condition.
"""

from __future__ import annotations

import numpy as np

from ..codes import ABROAD_POSTS, ACTIVE, FOREIGN_ROUTES
from ..rules import border_closed, expected_capacity
from ..scenario import Scenario
from ..state import State
from . import mechanisms

__all__ = ["reset_quotas_on_closure", "shut_routes", "frozen_deals", "refillable"]


@mechanisms("M20", "M1")
def reset_quotas_on_closure(state: State, p: Scenario, rng: np.random.Generator) -> None:
    """Quotas re-set when the border closes or reopens.

    Officials' learned capacity no longer holds, so it is reset to what they can be expected
    to remit now; quotas become ``border_closure.quota_ratio`` times that while closed (the
    domestic quota of seed 003), and ``quota.initial_ratio`` times it on reopening.
    """
    closed = border_closed(p)
    if closed == state.closure_in_force:
        return
    state.closure_in_force = closed
    off, companies = state.officials, state.companies
    off.capacity_usd[:] = expected_capacity(state, p, slice(None))
    live = off.status == ACTIVE
    capacity = np.bincount(off.company[live], weights=off.capacity_usd[live], minlength=companies.n)
    ratio = p.border_closure.quota_ratio if closed else p.quota.initial_ratio
    companies.quota_usd[:] = ratio * capacity


def shut_routes(open_share: np.ndarray, p: Scenario) -> np.ndarray:
    """The open share of each route's business with the routes abroad shut while closed."""
    if border_closed(p):
        open_share[list(FOREIGN_ROUTES)] = 0.0
    return open_share


def frozen_deals(p: Scenario, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Which of ``n`` deals are frozen this month, and which of those are cancelled.

    The draw is made every month, closed or not, so that a closure changes no other draw.
    """
    frozen = np.full(n, border_closed(p))
    cancelled = frozen & (rng.random(n) < p.border_closure.frozen_cancel_rate)
    return frozen, cancelled


def refillable(post: np.ndarray, p: Scenario) -> np.ndarray:
    """Which vacated posts may be refilled: none abroad while the border is closed."""
    if border_closed(p):
        return ~ABROAD_POSTS[post]
    return np.ones(len(post), bool)
