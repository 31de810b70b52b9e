"""Surveillance, rumour-driven recalls, and discipline at reviews.

* Surveillance (M29): each month some officials' skimming is caught; the month's take is
  confiscated (it leaves the system) and some are arrested. Rivals' reports raise the
  chance (M19).
* Rumours (M14): officials whose earnings made them visible (over ten million RMB) are
  recalled on rivals' rumours; the hazard grows with the share of underperforming rivals on
  the same route (M19), with relatives placed (M24), and falls with protection (M17).
* Goal recall (M15): at a review, traders abroad well over their target are recalled or
  relocated home.
* Arrest (M23): at a review, the openly defiant (no effort, far below target) may be
  arrested, more so at the year-end campaign (M21); savings are confiscated, relatives
  placed through patronage are recalled (family investigated), and the case is made
  political: colleagues' and everyone's fear rises.
"""

from __future__ import annotations

import numpy as np

from ..codes import ABROAD_POSTS, ACTIVE, ARRESTED, KERNEL_CODES, POST_ROUTE, PYONGYANG, RECALLED, TRADER
from ..kernels import relatives_of, spread_fear
from ..rules import abroad, leave, protection, watch_factor
from ..scenario import Scenario
from ..state import State
from . import mechanisms
from .exits import summon_home_the_resigned

__all__ = ["surveil", "recall_by_rumour", "discipline_at_review", "year_end_scrutiny"]


@mechanisms("M19", "M29")
def surveil(state: State, p: Scenario, rng: np.random.Generator) -> None:
    """Catch skimming: confiscate this month's take; arrest some of those caught."""
    if not p.surveillance.enabled:
        return
    off = state.officials
    chance = p.surveillance.detect_rate * watch_factor(p)
    watched = np.flatnonzero((off.status == ACTIVE) & (off.role == TRADER))
    caught = watched[rng.random(len(watched)) < chance]     # draws for traders only: they are few
    taken = state.month.kept[caught]
    off.wealth_usd[caught] -= taken
    off.half_kept_usd[caught] -= taken
    state.flows.add("kept_by_officials_usd", -taken.sum())
    state.flows.add("lost_usd", taken.sum())
    state.flows.add("skimming_confiscated_usd", taken.sum())
    state.companies.half_kept_usd[:] -= np.bincount(off.company[caught], weights=taken, minlength=state.companies.n)
    state.flows.add("caught_by_surveillance", len(caught))
    arrested = caught[rng.random(len(caught)) < p.surveillance.arrest_given_detect]
    _arrest(state, p, arrested)


@mechanisms("M14", "M17", "M19", "M24")
def recall_by_rumour(state: State, p: Scenario, rng: np.random.Generator) -> None:
    """Visible high earners are recalled after rivals' rumours."""
    if not p.rumour_recall.enabled:
        return
    off = state.officials
    traders = np.flatnonzero((off.status == ACTIVE) & (off.role == TRADER))   # rivals and targets are traders
    visible = traders[ABROAD_POSTS[off.post[traders]] & (off.visibility_usd[traders] >= p.rumour_recall.threshold_usd)]
    if not len(visible):
        return
    rival_share = _underperforming_share_by_route(off, traders)[off.route[visible]]
    relatives = 1 + (p.patronage.rumour_per_relative * off.n_relatives[visible] if p.patronage.enabled else 0)
    hazard = (p.rumour_recall.rate * rival_share * watch_factor(p) * relatives
              * (1 - protection(p, state.companies.affiliation[off.company[visible]])))
    recalled = visible[rng.random(len(visible)) < hazard]
    leave(state, recalled, RECALLED, "recalled")
    state.flows.add("recalled_by_rumour", len(recalled))
    state.half_rumour_recalls += len(recalled)


@mechanisms("M11", "M15", "M17", "M21", "M23", "M24")
def discipline_at_review(state: State, p: Scenario, rng: np.random.Generator) -> None:
    """Recall or relocate those over the goal; arrest the defiant; summon home those who gave up."""
    _recall_at_goal(state, p, rng)
    _arrest_defiant(state, p, rng)
    summon_home_the_resigned(state, p, rng)


def year_end_scrutiny(p: Scenario, calendar_month: int) -> float:
    """Multiplier on pressure and arrest risk: year-end review or a campaign (M21)."""
    campaign = p.year_end_campaign
    if campaign.enabled and (calendar_month == 12 or p.environment.campaign_active):
        return campaign.scrutiny
    return 1.0


# ---------------------------------------------------------------- internals
def _recall_at_goal(state: State, p: Scenario, rng: np.random.Generator) -> None:
    off, goal = state.officials, p.goal_recall
    high = (off.status == ACTIVE) & abroad(off) & (off.role == TRADER) & (off.attainment >= goal.attainment)
    state.flows.add("high_performers", int(high.sum()))
    if not goal.enabled:
        return
    chance = goal.probability * (1 - protection(p, state.companies.affiliation[off.company]))
    hit = np.flatnonzero(high & (rng.random(off.n) < chance))
    relocate = rng.random(len(hit)) < goal.relocate_share
    moved = hit[relocate]
    off.post[moved] = PYONGYANG
    off.route[moved] = POST_ROUTE[PYONGYANG]
    state.flows.add("relocated", len(moved))
    leave(state, hit[~relocate], RECALLED, "recalled")
    state.flows.add("recalled_at_goal", int((~relocate).sum()))


def _arrest_defiant(state: State, p: Scenario, rng: np.random.Generator) -> None:
    off, rule = state.officials, p.arrest
    defiant = ((off.status == ACTIVE) & (off.role == TRADER) & (off.effort_in_force < rule.defiance_effort)
               & (off.attainment < rule.attainment_below))
    state.flows.add("defiant", int(defiant.sum()))
    if not rule.enabled:
        return
    scrutiny = year_end_scrutiny(p, state.calendar_month)
    chance = np.minimum(rule.probability * scrutiny, 1.0) * (1 - protection(p, state.companies.affiliation[off.company]))
    arrested = np.flatnonzero(defiant & (rng.random(off.n) < chance))
    state.flows.add("arrested_defiant", len(arrested))
    _arrest(state, p, arrested)


def _arrest(state: State, p: Scenario, rows: np.ndarray) -> None:
    """Arrest, confiscate savings, investigate family (relatives recalled), spread fear (M23, M24)."""
    if len(rows) == 0:
        return
    off = state.officials
    state.flows.add("confiscated_usd", off.wealth_usd[rows].sum())
    off.wealth_usd[rows] = 0.0
    leave(state, rows, ARRESTED, "arrested")
    relatives = relatives_of(off.arrays(), KERNEL_CODES, rows)
    leave(state, relatives, RECALLED, "recalled")
    state.flows.add("relatives_recalled", len(relatives))
    if p.arrest.enabled:
        per_company = np.bincount(off.company[rows], minlength=state.companies.n).astype(np.float32)
        cases_by_role = np.bincount(off.role[rows], minlength=2)
        spread_fear(off.arrays(), KERNEL_CODES, np.float32(p.arrest.deterrence) * per_company,
                    (p.arrest.spillover * np.log1p(cases_by_role)).astype(np.float32), 5.0)


def _underperforming_share_by_route(off, traders: np.ndarray) -> np.ndarray:
    """Share of serving traders per route below target at the last review: the rivals who spread
    rumours ("political infighting instigated by underperforming trade workers", seed 002)."""
    route = off.route[traders]
    below = off.attainment[traders] < 1.0
    n_live = np.bincount(route, minlength=4)
    return np.divide(np.bincount(route[below], minlength=4), n_live, out=np.zeros(4), where=n_live > 0)
