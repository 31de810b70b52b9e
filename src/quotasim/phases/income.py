"""Where each dollar earned this month goes — the accounting identity.

For every official, this month's earnings E split, in this order, into

    lost      E of anyone who defected this month, plus proceeds seized (M5)
    rents     taken by the approval stages' interests (M18)
    shared    the privileged partner's cut of a lower-level company's profit (M28)
    levied    earmarked levies, a share of the monthly target (M12)
    remitted  the state's share of the rest (M1; M25 for independent companies)
    kept      what the official keeps

so that  earned = remitted + levied + kept + shared upward + rents + lost  holds for
each official and so for every month. Surveillance (M29) may later move kept to lost.
"""

from __future__ import annotations

import numpy as np

from ..codes import FUND_OFFICE, KERNEL_CODES, LOWER
from ..kernels import CompanyShares, SplitRule, split_income_pass
from ..keyed_random import Key
from ..rules import directive_in_force, remit_share
from ..scenario import Scenario
from ..state import State, totals_record
from . import mechanisms

#: The month's totals of the split, by declared flow name.
_SPLIT_TOTALS = ("earned_usd", "lost_usd", "rents_usd", "shared_upward_usd", "levied_usd", "remitted_usd",
                 "kept_by_officials_usd", "party_funds_usd")

__all__ = ["split_income"]


@mechanisms("M1", "M5", "M9", "M12", "M14", "M15", "M18", "M25", "M28", "M30")
def split_income(state: State, p: Scenario, key: Key) -> None:
    """Split each official's earnings; credit remittances toward the half-year result.

    The split, in the order of the module's docstring, is one compiled pass
    (``kernels.split_income_pass``); what each trader hands in above the target is the
    trader's own choice (``hold_at``, ``behaviour.choose_hand_in``). The share handed up by
    lower-tier companies goes to the books of the first-tier company fronting for each (M28).
    """
    companies = state.companies
    share = remit_share(state, p)
    rule = SplitRule(month_index=state.month_index,
                     levy_rate=p.levies.rate if (p.levies.enabled and p.quota.enabled) else 0.0,   # M12
                     visibility_memory=p.rumour_recall.visibility_memory,                           # M14
                     workers_charged=p.workers_abroad.enabled)                                      # M8, issue 14
    shares = CompanyShares(upward=_upward_share(state, p), remit=share,
                           fund=companies.affiliation == FUND_OFFICE)          # M16, M30: party funds
    company_earned, company_kept, company_up = np.zeros(companies.n), np.zeros(companies.n), np.zeros(companies.n)
    totals = totals_record(*_SPLIT_TOTALS)
    split_income_pass(state.officials.arrays(), KERNEL_CODES, state.month, rule, shares, company_earned,
                      company_kept, company_up, totals)
    companies.half_earned_usd[:] += company_earned
    companies.half_kept_usd[:] += company_kept
    state.flows.add_totals(totals)
    _credit_fronts(state, share, company_up)


def _upward_share(state: State, p: Scenario) -> np.ndarray:
    """Lower-level companies work through the privileged, who take a share (M28)."""
    share = np.zeros(state.companies.n)
    if p.indirect_collaboration.enabled and directive_in_force(p):
        share[state.companies.tier == LOWER] = p.indirect_collaboration.profit_share_taken
    return share


def _credit_fronts(state: State, share: np.ndarray, handed_up: np.ndarray) -> None:
    """What each lower-tier company handed up is income of its front (M28): the front hands
    the state its share toward its own quota and keeps the rest in its books."""
    companies = state.companies
    received = np.bincount(companies.front, weights=handed_up, minlength=companies.n)
    to_state = received * share
    companies.half_handed_up_usd[:] += handed_up
    companies.half_received_usd[:] += received
    companies.half_received_remitted_usd[:] += to_state
    companies.funds_usd[:] += received - to_state
    state.flows.add("received_from_lower_usd", received.sum())
    state.flows.add("front_remitted_usd", to_state.sum())
    state.flows.add("front_retained_usd", (received - to_state).sum())
