"""The half-year review and the revision of quotas.

At the close of June and December (M2):

* officials short of their target may pay in from their own savings (M22);
* each company's result (remittances plus own-pocket payments) is set against its quota,
  companies are ranked, and those below the criticism mark are criticised in the meeting;
* pressure on every official grows with the company's gap and with criticism (M4), more
  at the year-end review folded into a campaign (M21).

Then quotas are revised for the next half: the ratchet adds a share of any surplus and
takes off a share of any shortfall (M3); an unconditional raise comes on top (M6); at the
year end, targets of companies exposed to biting sanctions are cut by up to 15 % (M7);
when other foreign-cash sources close, part of what they brought is pushed onto quotas
(M13).
"""

from __future__ import annotations

import numpy as np

from ..codes import ACTIVE, KERNEL_CODES
from ..kernels import OwnPocketRule, company_results, own_pocket_pass, people_means, review_officials
from ..rules import HALF, assign_targets
from ..scenario import Scenario
from ..state import State
from . import mechanisms
from .discipline import year_end_scrutiny

__all__ = ["review_companies", "revise_quotas"]


@mechanisms("M2", "M4", "M21", "M22")
def review_companies(state: State, p: Scenario, rng: np.random.Generator) -> None:
    """Own-pocket top-ups, results, ranks, criticism and pressure at a half-year close."""
    _pay_from_own_pocket(state, p, rng)
    off, companies = state.officials, state.companies
    result, own = company_results(off.arrays(), companies.n)
    # Quotas and targets under a dollar ask nothing: they count as met (attainment 1),
    # which also keeps the ratio finite however small a quota was driven.
    attainment = np.divide(result, companies.quota_usd, out=np.ones(companies.n), where=companies.quota_usd >= 1.0)
    criticised = attainment < p.review.criticise_below if p.review.enabled else np.zeros(companies.n, bool)
    # Officials' own attainment (an official with no real target, joined at the very end
    # of a half, is judged by the company's) and the pressure the review adds.
    decay, added = _pressure_change(state, p, attainment, criticised)
    review_officials(off.arrays(), KERNEL_CODES, attainment, added, decay)
    state.review_rows.append(_review_row(state, result - own, own, attainment, criticised))


@mechanisms("M3", "M6", "M7", "M13")
def revise_quotas(state: State, p: Scenario, rng: np.random.Generator) -> None:
    """Next half's quotas: ratchet, unconditional raise, sanction cuts, other sources; reset the half's tallies."""
    companies, last = state.companies, state.review_rows[-1]
    quota, result = companies.quota_usd, last["remitted_usd"] + last["own_pocket_usd"]
    if p.ratchet.enabled:
        quota += p.ratchet.up_rate * np.maximum(result - quota, 0) - p.ratchet.down_rate * np.maximum(quota - result, 0)
    if p.unconditional_demands.enabled:
        quota *= 1 + p.unconditional_demands.raise_all
    if p.sanction_cuts.enabled and state.calendar_month == 12:
        quota *= 1 - _sanction_cut(state, p)
    _shift_other_sources(state, p)
    np.maximum(quota, 0.0, out=quota)
    _reset_half(state)
    assign_targets(state, p)


# ---------------------------------------------------------------- internals
def _pay_from_own_pocket(state: State, p: Scenario, rng: np.random.Generator) -> None:
    """Short officials who still try pay in from savings, more readily under pressure (M22)."""
    if not p.own_pocket.enabled:
        return
    off, rule = state.officials, p.own_pocket
    paid = own_pocket_pass(off.arrays(), KERNEL_CODES, rng.random(off.n),
                           OwnPocketRule(defiance_effort=p.arrest.defiance_effort, willingness=rule.willingness,
                                         max_share=rule.max_share))
    state.flows.add("own_pocket_usd", paid)


def _pressure_change(state: State, p: Scenario, attainment: np.ndarray, criticised: np.ndarray) -> tuple[float, np.ndarray]:
    """Pressure decays, then grows with the company's gap and criticism (M4, M2, M21):
    the decay factor and what each company's people gain."""
    if not p.pressure.enabled:
        return 0.0, np.zeros(state.companies.n)
    scrutiny = year_end_scrutiny(p, state.calendar_month)
    gap = np.maximum(1.0 - attainment, 0.0) * p.pressure.gap_weight
    return p.pressure.decay, scrutiny * (gap + p.review.criticism_pressure * criticised)


def _review_row(state: State, remitted, own, attainment, criticised) -> dict[str, np.ndarray]:
    companies = state.companies
    order = np.argsort(-attainment, kind="stable")
    rank = np.empty(companies.n, np.int32)
    rank[order] = np.arange(1, companies.n + 1)
    return {"company_id": np.arange(companies.n, dtype=np.int32), "tier": companies.tier.copy(),
            "affiliation": companies.affiliation.copy(), "period": np.full(companies.n, state.period),
            "month": np.full(companies.n, state.month_index, np.int32),
            "quota_usd": companies.quota_usd.copy(), "remitted_usd": remitted, "own_pocket_usd": own,
            "attainment": attainment, "rank": rank, "criticised": criticised.copy(),
            "headcount": companies.headcount.copy(), "earned_usd": companies.half_earned_usd.copy(),
            "kept_usd": companies.half_kept_usd.copy(), **_people_means(state)}


def _people_means(state: State) -> dict[str, np.ndarray]:
    """Mean pressure and effort in force of each company's people in post, after the review."""
    off = state.officials
    pressure, effort = people_means(off.arrays(), KERNEL_CODES, state.companies.n)
    return {"mean_pressure": pressure, "mean_effort": effort}


def _sanction_cut(state: State, p: Scenario) -> np.ndarray:
    """Yearly cut per company, growing with its exposure to biting sanctions (M7)."""
    off, rule, env = state.officials, p.sanction_cuts, p.environment
    intensity = np.array([env.sanctions_china, env.sanctions_russia, env.sanctions_third, 0.0])
    live = off.status == ACTIVE
    weight = np.where(live, off.capacity_usd, 0.0)
    exposed = np.bincount(off.company, weights=weight * intensity[off.route], minlength=state.companies.n)
    total = np.bincount(off.company, weights=weight, minlength=state.companies.n)
    exposure = np.divide(exposed, total, out=np.zeros_like(total), where=total > 0)
    threshold = max(rule.bite_threshold, 1e-9)
    return rule.max_cut * np.clip((exposure - threshold) / threshold, 0.0, 1.0)


def _shift_other_sources(state: State, p: Scenario) -> None:
    """Once other sources close, push part of their half-year income onto quotas (M13)."""
    rule = p.other_sources
    if not rule.enabled or p.environment.other_sources_open or state.other_sources_shifted:
        return
    quota = state.companies.quota_usd
    total = quota.sum()
    # Each company takes on the burden in proportion to its quota (evenly if none has one).
    share = quota / total if total >= 1.0 else np.full(len(quota), 1.0 / max(len(quota), 1))
    quota += rule.burden_shift * rule.monthly_usd * HALF * share
    state.other_sources_shifted = True


def _reset_half(state: State) -> None:
    off = state.officials
    for column in (off.half_remitted_usd, off.half_kept_usd, off.half_own_pocket_usd,
                   state.companies.half_earned_usd, state.companies.half_kept_usd):
        column.fill(0.0)
    state.half_rumour_recalls = 0


