"""Surveillance, rivals' rumours, and discipline at reviews.

* Surveillance (M29): each month some officials' skimming is caught; the month's take is
  confiscated (it leaves the system) and some are arrested. Rivals' reports raise the
  chance (M19).
* Rumours (M14, M19): traders in the same post compete for the same partners. Each month
  some underperformers (below target at the last review) weigh a rumour about a visible
  rival in their post — one whose recent earnings (a rolling window, M14) pass ten million
  RMB. Whether it works depends on how visible the target is, the relatives the target
  placed (M24), the target's protection and the teller's standing (both by affiliation,
  M17). The teller tells when the expected gain — the fallen rival's partners, i.e. the
  deals in the pipeline, worth the rival's capacity against the teller's target — outweighs
  what the teller risks. Who told and who fell are recorded (``recalled_by``,
  ``rumours_won``).
* Goal recall (M15): at a review, traders abroad well over their target are recalled or
  relocated home.
* Arrest (M23): at a review, those who chose open refusal may be arrested, more so at a
  review held during a campaign (M21); the house is searched (savings confiscated), family
  and relatives investigated (relatives placed through patronage lose their posts, M24),
  and the case is made political: colleagues, and everyone of the same role, raise their
  belief about the risk of refusing. Those who gave up (M11) are summoned home, not
  arrested.
"""

from __future__ import annotations

import numpy as np

from ..codes import (
    ABROAD_POSTS,
    ACTIVE,
    ARRESTED,
    KERNEL_CODES,
    POST_NAMES,
    POST_ROUTE,
    PYONGYANG,
    RECALLED,
    Purpose,
)
from ..kernels import relatives_of, spread_fear
from ..keyed_random import Key
from ..rules import access, campaign_scrutiny, leave, protection, watch_factor
from ..scenario import Scenario
from ..state import State
from . import mechanisms
from .exits import summon_home_the_resigned

__all__ = ["surveil", "recall_by_rumour", "discipline_at_review"]


@mechanisms("M19", "M29")
def surveil(state: State, p: Scenario, key: Key) -> None:
    """Catch skimming: confiscate this month's take; arrest some of those caught."""
    if not p.surveillance.enabled:
        return
    off = state.officials
    chance = p.surveillance.detect_rate * watch_factor(p)
    watched = state.active_traders()
    caught = watched[key.uniforms(Purpose.SURVEILLANCE, watched) < chance]   # draws for traders only: they are few
    taken = state.month.kept[caught]
    off.wealth_usd[caught] -= taken
    off.half_kept_usd[caught] -= taken
    state.flows.add("kept_by_officials_usd", -taken.sum())
    state.flows.add("lost_usd", taken.sum())
    state.flows.add("skimming_confiscated_usd", taken.sum())
    state.companies.half_kept_usd[:] -= np.bincount(off.company[caught], weights=taken, minlength=state.companies.n)
    state.flows.add("caught_by_surveillance", len(caught))
    arrested = caught[key.uniforms(Purpose.SURVEILLANCE_ARREST, caught) < p.surveillance.arrest_given_detect]
    _arrest(state, p, arrested, made_political=False)


@mechanisms("M14", "M17", "M19", "M24")
def recall_by_rumour(state: State, p: Scenario, key: Key) -> None:
    """Underperforming traders spread rumours about visible rivals in their post; some rivals fall."""
    if not p.rumour_recall.enabled:
        return
    off, rule = state.officials, p.rumour_recall
    traders = state.active_traders()
    traders = traders[ABROAD_POSTS[off.post[traders]]]
    visible = traders[off.visibility_usd[traders] >= rule.threshold_usd]
    if not len(visible):
        return
    tellers = traders[(off.attainment[traders] < 1.0) & (key.uniforms(Purpose.RUMOUR_TELLER, traders) < rule.rate)]
    teller, target = _pick_rivals(off, tellers, visible, key)
    chance = _rumour_success(state, p, teller, target)
    worth = off.capacity_usd[target] / np.maximum(off.target_usd[teller], 1.0)
    told = chance * worth > rule.teller_cost
    teller, target, chance = teller[told], target[told], chance[told]
    state.flows.add("rumours_told", len(teller))
    works = key.uniforms(Purpose.RUMOUR_WORKS, teller) < chance
    # A rival falls once: the first teller (by row: the longest serving) whose rumour works takes the partners.
    _, first = np.unique(target[works], return_index=True)
    teller, target = teller[works][first], target[works][first]
    _take_partners(state, teller, target)
    off.recalled_by[target] = teller
    np.add.at(off.rumours_won, teller, 1)
    leave(state, target, RECALLED, "recalled")
    state.flows.add("recalled_by_rumour", len(target))
    _saw(state, "high", target)      # the fallen were visible, over the goal or not
    _saw(state, "hit", target)


@mechanisms("M11", "M15", "M17", "M21", "M23", "M24")
def discipline_at_review(state: State, p: Scenario, key: Key) -> None:
    """Recall or relocate those over the goal; arrest the defiant; summon home those who gave up."""
    _recall_at_goal(state, p, key)
    _arrest_defiant(state, p, key)
    summon_home_the_resigned(state, p)


# ---------------------------------------------------------------- internals
def _recall_at_goal(state: State, p: Scenario, key: Key) -> None:
    off, goal = state.officials, p.goal_recall
    traders = state.active_traders()
    over = traders[ABROAD_POSTS[off.post[traders]] & (off.attainment[traders] >= goal.attainment)]
    state.flows.add("high_performers", len(over))
    _saw(state, "high", over)
    if not goal.enabled:
        return
    chance = goal.probability * (1 - protection(p, state.companies.affiliation[off.company[over]]))
    hit = over[key.uniforms(Purpose.GOAL_RECALL, over) < chance]
    _saw(state, "hit", hit)
    relocate = key.uniforms(Purpose.RELOCATION, hit) < goal.relocate_share
    moved = hit[relocate]
    off.post[moved] = PYONGYANG
    off.route[moved] = POST_ROUTE[PYONGYANG]
    state.flows.add("relocated", len(moved))
    leave(state, hit[~relocate], RECALLED, "recalled")
    state.flows.add("recalled_at_goal", int((~relocate).sum()))


def _arrest_defiant(state: State, p: Scenario, key: Key) -> None:
    off, rule = state.officials, p.arrest
    defiant = (off.status == ACTIVE) & off.defiant
    state.flows.add("defiant", int(defiant.sum()))
    if not rule.enabled:
        return
    scrutiny = campaign_scrutiny(p)
    refusing = np.flatnonzero(defiant)
    shield = 1 - protection(p, state.companies.affiliation[off.company[refusing]])
    chance = np.minimum(rule.probability * scrutiny, 1.0) * shield
    arrested = refusing[key.uniforms(Purpose.DEFIANT_ARREST, refusing) < chance]
    state.flows.add("arrested_defiant", len(arrested))
    _arrest(state, p, arrested, made_political=True)


def _arrest(state: State, p: Scenario, rows: np.ndarray, made_political: bool) -> None:
    """Arrest, search the house (savings confiscated), investigate family (relatives placed lose
    their posts), and, for open refusal, make the case political: others hear of it (M23, M24)."""
    if len(rows) == 0:
        return
    off = state.officials
    state.flows.add("confiscated_usd", off.wealth_usd[rows].sum())
    off.wealth_usd[rows] = 0.0
    leave(state, rows, ARRESTED, "arrested")
    relatives = relatives_of(off.arrays(), KERNEL_CODES, rows, state.protege_rows())
    leave(state, relatives, RECALLED, "recalled")
    state.flows.add("relatives_recalled", len(relatives))
    if p.arrest.enabled and made_political:
        per_company = np.bincount(off.company[rows], minlength=state.companies.n).astype(np.float32)
        cases_by_role = np.bincount(off.role[rows], minlength=2)
        spread_fear(off.arrays(), KERNEL_CODES, np.float32(p.arrest.deterrence) * per_company,
                    (p.arrest.spillover * np.log1p(cases_by_role)).astype(np.float32), 1.0)


def _pick_rivals(off, tellers: np.ndarray, visible: np.ndarray, key: Key) -> tuple[np.ndarray, np.ndarray]:
    """Each teller picks a visible rival at random among those in the same post (not itself)."""
    post = off.post[visible]
    order = np.argsort(post, kind="stable")
    by_post = visible[order]
    starts = np.searchsorted(post[order], np.arange(len(POST_NAMES) + 1))
    first, count = starts[off.post[tellers]], np.diff(starts)[off.post[tellers]]
    has = count > 0
    tellers, first, count = tellers[has], first[has], count[has]
    target = by_post[first + key.below(Purpose.RUMOUR_RIVAL, tellers, count)]
    other = target != tellers
    return tellers[other], target[other]


def _rumour_success(state: State, p: Scenario, teller: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Chance a rumour brings the recall: visibility (recent earnings over the threshold, at
    most three times), relatives placed (M24), rivals watching (M19), the teller's standing
    and the target's protection (M17)."""
    off, rule = state.officials, p.rumour_recall
    affiliation = state.companies.affiliation
    visibility = np.minimum(off.visibility_usd[target] / max(rule.threshold_usd, 1.0), 3.0)
    relatives = 1 + (p.patronage.rumour_per_relative * off.n_relatives[target] if p.patronage.enabled else 0)
    standing = access(p, affiliation[off.company[teller]])
    shield = 1 - protection(p, affiliation[off.company[target]])
    return np.minimum(rule.success * visibility * relatives * watch_factor(p) * standing * shield, 1.0)


def _take_partners(state: State, teller: np.ndarray, target: np.ndarray) -> None:
    """The teller takes over the fallen rival's partners: the deals in the pipeline (M14)."""
    if not len(target):
        return
    deals = state.deals
    heir = np.full(state.officials.n, -1, np.int64)
    heir[target] = teller
    new_owner = heir[deals.official]
    moved = new_owner >= 0
    deals.official[moved] = new_owner[moved]
    deals.company[moved] = state.officials.company[new_owner[moved]]


def _saw(state: State, what: str, rows: np.ndarray) -> None:
    """Tally what officials see this half, by post and company: traders over the goal or
    brought down by rumours ("high"), and of them those recalled or relocated ("hit")."""
    off, seen = state.officials, state.seen
    if not seen:
        n_posts, n_companies = len(POST_NAMES), state.companies.n
        seen.update(high_post=np.zeros(n_posts), hit_post=np.zeros(n_posts),
                    high_company=np.zeros(n_companies), hit_company=np.zeros(n_companies))
    seen[f"{what}_post"] += np.bincount(off.post[rows], minlength=len(POST_NAMES))
    seen[f"{what}_company"] += np.bincount(off.company[rows], minlength=state.companies.n)
