"""The border closure (M20), in one place.

Seed 003: after "the suspension of official trade this year due to the infectious disease",
officials were ordered to "acquire foreign currency, even domestically" and were dispatched
to the provinces. While ``environment.border_closed`` holds and M20 is on
(``rules.border_closed``):

* every route abroad is shut to trade, channel by channel (``rules.closure_factor``), so
  deals start only through what is open and joint ventures do not pay (``phases/deals.py``);
* deals already in the pipeline are frozen, and some are cancelled each month
  (:func:`frozen_deals`);
* trade officials abroad are sent to earn at home (their ``domestic_duty``, set at the
  month's start in ``kernels.month_start_pass``) at ``border_closure.domestic_yield_usd``;
* workers abroad stay and earn ``border_closure.worker_yield`` of their pay
  (``rules.worker_pay_factor``);
* posts abroad are refilled only as far as people may move (:func:`refill_chance`);
* when the border closes or reopens, quotas are re-set for the new conditions
  (:func:`reset_quotas_on_closure`, a phase of its own).

The closure by degree and channel (issue 14, ``closure_degree``): while closed, each
channel of each route keeps a share of its capacity (``official_open`` by country: rail
freight with China at 30 % is ``official_open = [0.3, 0, 0]``; ``state_open``;
``smuggling_open`` for ship-to-ship transfers), Pyongyang's traders keep trading through
what is open, and people move (dispatches, refills, repatriation) at ``people_open``. All
are dated in the timeline like every other condition: a partial opening needs no new code.
"""

from __future__ import annotations

import numpy as np

from ..codes import ABROAD_POSTS, ACTIVE, WORKER, Purpose
from ..keyed_random import Key
from ..rules import border_closed, closure_factor, expected_capacity, people_move
from ..scenario import Scenario
from ..state import State
from . import mechanisms

__all__ = ["reset_quotas_on_closure", "frozen_deals", "refill_chance"]


@mechanisms("M20", "M1")
def reset_quotas_on_closure(state: State, p: Scenario, key: Key) -> None:
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


def frozen_deals(p: Scenario, key: Key, deal_ids: np.ndarray, route: np.ndarray,
                 channel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which deals are frozen this month, and which of those are cancelled.

    While closed, a deal moves only with the chance that its route's channel is open
    (``rules.closure_factor``: rail freight at 30 % moves three deals in ten; issue 14).
    Draws are keyed by deal id, and made only while closed.
    """
    n = len(route)
    if not border_closed(p):
        return np.zeros(n, bool), np.zeros(n, bool)
    frozen = key.uniforms(Purpose.FROZEN, deal_ids) >= closure_factor(p)[route, channel]
    cancelled = frozen & (key.uniforms(Purpose.FROZEN_CANCEL, deal_ids) < p.border_closure.frozen_cancel_rate)
    return frozen, cancelled


def refill_chance(p: Scenario, post: np.ndarray, role: np.ndarray, route: np.ndarray) -> np.ndarray:
    """Relative chance a vacated post is refilled this month (issue 14): posts abroad only as far as
    people may move (``closure_degree.people_open`` while closed); workers' posts only under new
    work permits (``workers_abroad.new_permits``, M8)."""
    chance = np.where(ABROAD_POSTS[post], people_move(p), 1.0)
    if p.workers_abroad.enabled:
        permits = np.append(np.asarray(p.workers_abroad.new_permits, np.float64), 1.0)
        chance = np.where(role == WORKER, chance * permits[route], chance)
    return chance
