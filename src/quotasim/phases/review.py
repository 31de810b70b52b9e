"""The half-year review and the revision of quotas.

At the close of June and December (M2):

* officials short of their target may pay in from their own savings, and beyond them
  from what they can borrow at interest (M22);
* each company's result (remittances, own-pocket payments, and the state's share of what
  it received from companies it fronts for, M28) is set against its quota, companies are
  ranked, and those below the criticism mark are criticised in the meeting, the lowest
  ranked the hardest (M2);
* each official is assessed: pressure grows with the official's own shortfall and with
  the criticism of the company (M4), more at a review held during a mobilisation campaign
  (M21, ``environment.campaign_active``), not at every December.

Then the bureau sets next half's quotas: the ratchet adds a share of any surplus and
takes off a share of any shortfall (M3); its own need for funds adds an unconditional
raise (M6); once most companies missed at a year-end review while sanctions bite, it
judges the targets impossible and cuts those of the exposed companies, by up to 15 %,
once — it cuts again only after most have met their targets (M7, seed 001); when other
foreign-cash sources close, part of what they brought is pushed onto quotas (M13).
"""

from __future__ import annotations

import numpy as np

from ..codes import KERNEL_CODES, Purpose
from ..kernels import (
    OwnPocketRule,
    company_results,
    own_pocket_pass,
    people_means,
    review_officials,
    sanction_exposure_sums,
)
from ..keyed_random import Key
from ..rules import HALF, assign_targets, campaign_scrutiny, take_home_ratio
from ..scenario import Scenario
from ..state import State, totals_record
from . import mechanisms

__all__ = ["review_companies", "revise_quotas"]


@mechanisms("M2", "M4", "M21", "M22", "M28")
def review_companies(state: State, p: Scenario, key: Key) -> None:
    """Own-pocket top-ups, results, ranks, criticism and pressure at a half-year close."""
    _pay_from_own_pocket(state, p, key)
    off, companies = state.officials, state.companies
    result, own = company_results(off.arrays(), companies.n)
    result += companies.half_received_remitted_usd
    # Quotas and targets under a dollar ask nothing: they count as met (attainment 1),
    # which also keeps the ratio finite however small a quota was driven.
    attainment = np.divide(result, companies.quota_usd, out=np.ones(companies.n), where=companies.quota_usd >= 1.0)
    criticised = attainment < p.review.criticise_below if p.review.enabled else np.zeros(companies.n, bool)
    rank = _ranks(attainment)
    # Officials' own attainment (an official with no real target, joined at the very end
    # of a half, is judged by the company's) and each one's assessment.
    decay, criticism, gap_weight = _assessment(state, p, rank, criticised)
    review_officials(off.arrays(), KERNEL_CODES, attainment, criticism, gap_weight, decay)
    state.review_rows.append(_review_row(state, result - own, own, attainment, rank, criticised))


@mechanisms("M3", "M6", "M7", "M13")
def revise_quotas(state: State, p: Scenario, key: Key) -> None:
    """The bureau sets next half's quotas: ratchet, its own need, one cut when most miss, other sources; reset the half."""
    companies, last = state.companies, state.review_rows[-1]
    quota, result = companies.quota_usd, last["remitted_usd"] + last["own_pocket_usd"]
    if p.ratchet.enabled:
        quota += p.ratchet.up_rate * np.maximum(result - quota, 0) - p.ratchet.down_rate * np.maximum(quota - result, 0)
    if p.unconditional_demands.enabled:
        quota *= 1 + p.unconditional_demands.raise_all
    if p.sanction_cuts.enabled and state.calendar_month == 12:
        _judge_targets(state, p, last["attainment"])
    _shift_other_sources(state, p)
    np.maximum(quota, 0.0, out=quota)
    _reset_half(state)
    assign_targets(state, p)


# ---------------------------------------------------------------- internals
def _pay_from_own_pocket(state: State, p: Scenario, key: Key) -> None:
    """Short officials who still try pay in from savings, more readily under pressure (M22)."""
    if not p.own_pocket.enabled:
        return
    off, rule = state.officials, p.own_pocket
    # A month's take-home per dollar of half-year capacity, at the usual state's share.
    per_usd = float(take_home_ratio(np.array([p.quota.remit_share]))[0]) / HALF
    totals = totals_record("own_pocket_usd", "borrowed_usd")
    own_pocket_pass(off.arrays(), KERNEL_CODES, key.uniforms_of_rows(Purpose.OWN_POCKET, off.n),
                    OwnPocketRule(defiance_effort=p.arrest.defiance_effort, willingness=rule.willingness,
                                  max_share=rule.max_share, borrow_months=rule.borrow_months,
                                  take_home_per_usd=per_usd), totals)
    state.flows.add_totals(totals)


def _ranks(attainment: np.ndarray) -> np.ndarray:
    """Rank by attainment, 1 = best; ties in company order (M2)."""
    order = np.argsort(-attainment, kind="stable")
    rank = np.empty(len(attainment), np.int32)
    rank[order] = np.arange(1, len(attainment) + 1)
    return rank


def _assessment(state: State, p: Scenario, rank: np.ndarray, criticised: np.ndarray) -> tuple[float, np.ndarray, float]:
    """The political assessment at a review (M2, M4, M21): pressure's decay factor, the
    criticism each company's people get (in full for the last-ranked company, less the
    higher the rank), and the weight of an official's own shortfall; all scaled up at a
    review held during a campaign."""
    n = state.companies.n
    if not p.pressure.enabled:
        return 0.0, np.zeros(n), 0.0
    scrutiny = campaign_scrutiny(p)
    standing = rank / max(n, 1)                     # 1 for the last-ranked company
    criticism = scrutiny * p.review.criticism_pressure * criticised * standing
    return p.pressure.decay, criticism, scrutiny * p.pressure.gap_weight


def _review_row(state: State, remitted, own, attainment, rank, criticised) -> dict[str, np.ndarray]:
    companies = state.companies
    return {"company_id": np.arange(companies.n, dtype=np.int32), "tier": companies.tier.copy(),
            "affiliation": companies.affiliation.copy(), "period": np.full(companies.n, state.period),
            "month": np.full(companies.n, state.month_index, np.int32),
            "quota_usd": companies.quota_usd.copy(), "remitted_usd": remitted, "own_pocket_usd": own,
            "attainment": attainment, "rank": rank, "criticised": criticised.copy(),
            "headcount": companies.headcount.copy(), "earned_usd": companies.half_earned_usd.copy(),
            "kept_usd": companies.half_kept_usd.copy(), "handed_up_usd": companies.half_handed_up_usd.copy(),
            "received_from_others_usd": companies.half_received_usd.copy(), **_people_means(state)}


def _people_means(state: State) -> dict[str, np.ndarray]:
    """Mean pressure and effort in force of each company's people in post, after the review."""
    off = state.officials
    pressure, effort = people_means(off.arrays(), KERNEL_CODES, state.companies.n)
    return {"mean_pressure": pressure, "mean_effort": effort}


def _judge_targets(state: State, p: Scenario, attainment: np.ndarray) -> None:
    """The bureau's year-end judgement (M7): when most companies missed and no cut is in
    force, it cuts the exposed companies' quotas once; once most meet them, it may cut again."""
    missed = float(np.mean(attainment < 1.0)) if len(attainment) else 0.0
    if missed <= p.sanction_cuts.most_miss:
        state.targets_cut = False
        return
    if state.targets_cut:
        return
    cut = _sanction_cut(state, p)
    if not (cut > 0).any():
        return
    state.companies.quota_usd[:] *= 1 - cut
    state.targets_cut = True
    state.flows.add("targets_cut", int((cut > 0).sum()))


def _sanction_cut(state: State, p: Scenario) -> np.ndarray:
    """Yearly cut per company, growing with its exposure to biting sanctions (M7)."""
    off, rule, env = state.officials, p.sanction_cuts, p.environment
    intensity = np.array([env.sanctions_china, env.sanctions_russia, env.sanctions_third, 0.0])
    exposed, total = sanction_exposure_sums(off.arrays(), KERNEL_CODES, intensity, state.companies.n)
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
    companies = state.companies
    for column in (off.half_remitted_usd, off.half_kept_usd, off.half_own_pocket_usd, off.half_withheld_usd,
                   companies.half_earned_usd, companies.half_kept_usd, companies.half_handed_up_usd,
                   companies.half_received_usd, companies.half_received_remitted_usd):
        column.fill(0.0)
    state.seen = {}


